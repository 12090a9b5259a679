using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB105: a transaction on one connection has written or locked, and before it completes the same
/// method writes through a different connection.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SecondConnectionWhileLockedAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.SecondConnectionWhileLocked,
        title: "Second connection used while a transaction holds locks",
        messageFormat: "'{0}' writes through {1} while transaction '{2}' on connection '{3}' holds the locks of '{4}' (line {5}): it can wait forever on those locks, and it does not see the transaction's changes; run the write on connection '{3}' in transaction '{2}', or commit first",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "The second connection is another PostgreSQL session. If it needs a row the first transaction locked, it waits for that transaction, which waits for this method, which waits for the second connection: a deadlock PostgreSQL cannot see, ended only by a timeout. It also runs outside the transaction, so it neither sees its uncommitted rows nor rolls back with it. Run the statement on the transaction's own connection.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.SecondConnectionWhileLocked));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        foreach (var write in report.SecondConnectionWrites)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, write.Location,
                write.Operation, write.OtherConnection, write.Transaction.Name, write.Transaction.Connection?.Name ?? "?", write.LockStatement, write.LockLine));
        }
    }
}
