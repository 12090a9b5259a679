using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB102 (info): a transaction that has run statements but holds no known locks stays open across
/// an await of something that is not database work: the session is idle in transaction.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionHeldAcrossAwaitAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionHeldAcrossAwait,
        title: "Transaction held open across an unrelated await",
        messageFormat: "Transaction '{0}' stays open while awaiting '{1}', which is not database work: the session is idle in transaction and its snapshot holds back VACUUM; commit or roll back first, or move the call before the transaction begins or after it ends",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Info,
        isEnabledByDefault: true,
        description: "While a transaction is open and the application waits for something else, the session is 'idle in transaction'. Its snapshot keeps the xmin horizon back, so VACUUM cannot remove row versions that died after it began, and tables bloat. Finish the transaction before the unrelated await, or start it after.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionHeldAcrossAwait));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        if (report.AwaitsWhileOpen.Count == 0)
            return;
        var allowed = AwaitRuleOptions.DatabaseAwaits(context);
        foreach (var wait in report.AwaitsWhileOpen)
        {
            if (wait.LockStatement is not null || MemberList.Matches(wait.AwaitedMember, allowed))
                continue;
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, wait.AwaitLocation, wait.Transaction.Name, wait.AwaitedDisplay));
        }
    }
}
