using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB004: BeginTransaction on a connection whose transaction, begun on this path, is still open; or into the
/// caller's transaction parameter where it is not null.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class NestedTransactionAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.NestedTransaction,
        title: "Nested transaction on one connection",
        messageFormat: "Connection '{0}' still has {1} open: PostgreSQL does not nest transactions; use a savepoint ('Save' and 'Rollback(name)') instead",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A PostgreSQL session has at most one transaction. Npgsql throws 'A transaction is already in progress; nested/concurrent transactions aren't supported.' Savepoints give the nesting that was meant.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.NestedTransaction));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        foreach (var nested in report.NestedBegins)
        {
            var openTransaction = nested.OpenTransactionLine > 0
                ? $"transaction '{nested.OpenTransaction.Name}' (begun on line {nested.OpenTransactionLine})"
                : $"the caller's transaction '{nested.OpenTransaction.Name}' (not null on this path)";
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, nested.BeginLocation, nested.ConnectionName, openTransaction));
        }
    }
}
