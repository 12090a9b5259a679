using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB002: every normal path completes the transaction (or disposes the exported snapshot), but an
/// exception thrown between Begin and completion leaves the method with it open.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionNotRolledBackOnExceptionAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionNotRolledBackOnException,
        title: "Transaction is not rolled back when an exception is thrown",
        messageFormat: "{3} '{0}' is still open when '{1}' throws on line {2}: {4}",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "When an exception leaves a transaction open, the session stays 'idle in transaction' (or 'idle in transaction (aborted)') holding its locks and snapshot until the connection is closed. Declare the transaction with 'using' or roll it back in catch/finally.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionNotRolledBackOnException));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        // PGB001 already speaks for a transaction that a normal path leaves open.
        var leakedOnNormalPath = new HashSet<TrackedResource>();
        foreach (var open in report.OpenAtExit)
            leakedOnNormalPath.Add(open.Resource);

        // One diagnostic per transaction, naming its first uncovered throwing point in the source.
        var first = new Dictionary<TrackedResource, OpenOnException>();
        foreach (var open in report.OpenOnException)
        {
            if (open.Resource.Kind is not (ResourceKind.Transaction or ResourceKind.Snapshot) || leakedOnNormalPath.Contains(open.Resource))
                continue;
            if (!first.TryGetValue(open.Resource, out var known) || open.Line < known.Line)
                first[open.Resource] = open;
        }
        foreach (var open in first.Values)
        {
            var snapshot = open.Resource.Kind == ResourceKind.Snapshot;
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, open.Resource.Location, open.Resource.Name, open.ThrowingOperation, open.Line,
                snapshot ? "Exported snapshot (PgSnapshot)" : "Transaction",
                snapshot
                    ? "no 'await using' or 'finally' disposes it there, so its exporting transaction stays open on a connection of its own; declare it with 'await using'"
                    : $"no 'using', 'finally' or rolling-back 'catch' covers that point; declare it with {UsingAdvice.For(open.Resource.Location)}, or roll it back in a 'catch'"));
        }
    }
}
