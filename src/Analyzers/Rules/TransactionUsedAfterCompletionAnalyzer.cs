using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB003: a transaction is used (or completed again) after Commit, Rollback or Dispose on every path to the use;
/// or a lambda that uses it escapes the method (stored, returned, started and not awaited) and the method then
/// completes it, so the lambda can run against a completed transaction.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionUsedAfterCompletionAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionUsedAfterCompletion,
        title: "Transaction used after it completed",
        messageFormat: "Transaction '{0}' is used by {1} after it was {2} on line {3}: {4}",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Commit, Rollback and Dispose end a transaction the way a Rust method taking 'self' consumes a value. Calls on a completed transaction throw 'This NpgsqlTransaction has completed; it is no longer usable.' at run time, and a command given a completed transaction silently runs outside any transaction. A lambda that uses the transaction and outlives the method (a stored callback, a task nobody awaits, a query returned unenumerated) runs after the method completed it, and so does a deferred query (an IAsyncEnumerable, an unbuffered Dapper Query) enumerated after the commit. PgBorrow says it at build time.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionUsedAfterCompletion));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        foreach (var use in report.UsesAfterCompletion)
        {
            if (use.Resource.Kind != ResourceKind.Transaction)
                continue;
            var completed = Describe(use.Completion);
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, use.UseLocation, use.Resource.Name, $"'{use.UsedBy}'", completed, use.CompletionLine,
                "move the use before that, or begin a new transaction for it"));
        }

        foreach (var completed in report.CallersTransactionsCompleted)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, completed.Location, completed.Parameter.Name, "the caller that passed it in", Describe(completed.Completion), completed.Line,
                "this method begins a transaction of its own only when none is given, so complete only that one (test a flag set where it begins it)"));
        }

        foreach (var outliving in report.DelegatesOutliving)
        {
            var by = $"{outliving.How} (line {outliving.DelegateLine}) and can still run";
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, outliving.UseLocation, outliving.Transaction.Name, by, Describe(outliving.Completion), outliving.CompletionLine,
                "run the delegate before that, or let it begin a transaction of its own"));
        }

        foreach (var deferred in report.DeferredQueriesAfterCompletion)
        {
            var by = $"the deferred query of '{deferred.Query}' (line {deferred.QueryLine}), which runs only when it is enumerated here,";
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, deferred.Location, deferred.Transaction.Name, by, Describe(deferred.Completion), deferred.CompletionLine,
                EnumerateItBefore));
        }
    }

    /// <summary>The advice for a deferred query enumerated after its transaction completed.</summary>
    internal const string EnumerateItBefore = "enumerate it (ToList, await foreach into a list) before that, or begin a new transaction for it";

    static string Describe(CompletionKind completion) => completion switch
    {
        CompletionKind.Committed => "committed",
        CompletionKind.RolledBack => "rolled back",
        _ => "disposed",
    };
}
