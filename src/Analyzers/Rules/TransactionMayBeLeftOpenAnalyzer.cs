using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB001: an owned transaction reaches a normal exit neither committed, rolled back, disposed nor
/// moved; or an exported snapshot (<c>PgSnapshot</c>, which owns a transaction) is not disposed.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionMayBeLeftOpenAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionMayBeLeftOpen,
        title: "Transaction may be left open",
        messageFormat: "{2} '{0}' is still open when the method returns on line {1}: {3}",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A transaction left open keeps its snapshot and locks until the connection is closed or returned to the pool. Declare it with 'using' or 'await using' so it rolls back on every path that does not commit.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionMayBeLeftOpen));

    /// <summary>What a snapshot left undisposed keeps open, and the remedy (PgSnapshot is only IAsyncDisposable).</summary>
    internal const string SnapshotLeak = "it is not disposed on that path, so its exporting REPEATABLE READ transaction stays open on a connection of its own and holds back VACUUM; declare it with 'await using'";

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        foreach (var open in report.OpenAtExit)
        {
            if (open.Resource.Kind == ResourceKind.Transaction)
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, open.Resource.Location, open.Resource.Name, open.ExitLine, "Transaction", $"it is neither committed, rolled back nor disposed on that path; declare it with {UsingAdvice.For(open.Resource.Location)} so it rolls back on every path that does not commit"));
            else if (open.Resource.Kind == ResourceKind.Snapshot)
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, open.Resource.Location, open.Resource.Name, open.ExitLine, "Exported snapshot (PgSnapshot)", SnapshotLeak));
        }
    }
}
