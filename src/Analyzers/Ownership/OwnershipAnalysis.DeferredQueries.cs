using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// Deferred queries that outlive their transaction (PGB003 across time): a call handed a transaction returns a
/// sequence whose query has not run yet (<c>conn.QueryUnbufferedAsync&lt;T&gt;(sql, transaction: tx)</c>, an
/// iterator), the body keeps it in a local, completes the transaction, and only then enumerates it. The query
/// runs at the enumeration, after the commit: outside the transaction, or against a completed one.
/// </summary>
/// <remarks>
/// The enumeration is a use of the transaction the query was handed, judged like any other use: reported only
/// when every path to it has completed the transaction. A query made after the completion is reported where it
/// is made (the transaction argument), not again where it is enumerated. A query returned or passed on
/// unenumerated is the caller's to run.
/// </remarks>
internal sealed partial class OwnershipAnalysis
{
    /// <summary>A call that enumerates a sequence: when it is a deferred query kept in a local, its transaction is used now.</summary>
    void DeferredQueryRuns(IInvocationOperation enumeration, FlowState state)
    {
        if (!_reporting)
            return;
        var enumerated = LazySequences.Source(NpgsqlCalls.Receiver(enumeration));
        if (enumerated is IFlowCaptureReferenceOperation capture && _scope.CaptureValues.TryGetValue(capture.Id, out var captured))
            enumerated = LazySequences.Source(captured);
        if (enumerated is not ILocalReferenceOperation local
            || !_scope.DeferredQueries.TryGetValue(local.Local, out var query) || query is null
            || _scope.Resource(query.Transaction) is not { Kind: ResourceKind.Transaction } transaction)
            return;
        var flags = state[transaction.Index];
        if (!FlowState.IsDefinitelyCompleted(flags) || _reportedUses.Contains((transaction, query.TransactionOperand)))
            return;
        var location = local.Syntax.GetLocation();
        if (_reportedUses.Add((transaction, location)))
        {
            _report.DeferredQueriesAfterCompletion.Add(new DeferredQueryAfterCompletion(transaction, location, query.Call, query.Line,
                CompletionOf(flags), state.CompletionLine(transaction.Index)));
        }
    }
}
