using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB101: after SQL that takes row or transaction-level locks ran in a transaction, the code awaits
/// something that is not database work before the transaction completes (clippy's
/// <c>await_holding_lock</c>, keyed on the SQL the transaction ran).
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class LocksHeldAcrossAwaitAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.LocksHeldAcrossAwait,
        title: "Locks held across an unrelated await",
        messageFormat: "Transaction '{0}' holds the locks of '{1}' (line {2}) while awaiting '{3}', which is not database work: every session that needs those rows waits for it too; commit first, or move the call out of the transaction",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Row locks (UPDATE, DELETE, SELECT ... FOR UPDATE/SHARE), LOCK TABLE and transaction-level advisory locks are held until the transaction ends. Awaiting an HTTP call, a delay or a message broker while holding them makes every other session that needs those rows wait for that call too. Do the unrelated work before the locking statement or after the commit.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.LocksHeldAcrossAwait));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        if (report.AwaitsWhileOpen.Count == 0)
            return;
        var allowed = AwaitRuleOptions.DatabaseAwaits(context);
        foreach (var wait in report.AwaitsWhileOpen)
        {
            if (wait.LockStatement is null || MemberList.Matches(wait.AwaitedMember, allowed))
                continue;
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, wait.AwaitLocation, wait.Transaction.Name, wait.LockStatement, wait.LockLine, wait.AwaitedDisplay));
        }
    }
}
