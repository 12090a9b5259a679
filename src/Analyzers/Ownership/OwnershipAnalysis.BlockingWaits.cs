using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// PGB005's facts about waits that block the thread while a transaction is open: <c>Thread.Sleep</c> or a
/// wait handle after the transaction has sent something (its snapshot and locks are held while the thread
/// waits), and <c>.Result</c>, <c>.Wait()</c> or <c>GetAwaiter().GetResult()</c> on a task of database work
/// that has not been awaited yet.
/// </summary>
internal sealed partial class OwnershipAnalysis
{
    readonly System.Collections.Generic.HashSet<SyntaxNode> _reportedWaits = new();

    void BlockingWaitAt(IOperation operation, FlowState state)
    {
        if (!_reporting || BlockingWaits.Read(operation) is not BlockingWait wait)
            return;
        string? taskCall = null;
        if (wait.Task is IOperation task && (taskCall = DatabaseTaskCall(task, operation.Syntax)) is null)
            return;
        foreach (var resource in _scope.Resources)
        {
            // A captured transaction is judged where it is begun; its state inside a lambda is not known.
            if (resource.Kind is not (ResourceKind.Transaction or ResourceKind.ScopeTransaction) || resource.IsCaptured
                || !FlowState.IsDefinitelyOpen(state[resource.Index]))
                continue;
            var activity = state.Activity(resource.Index) & TransactionActivity.OnServer;
            // Before its first statement Npgsql has not even sent BEGIN: a sleep holds nothing on the server.
            if (wait.Kind != BlockingWaitKind.Task && activity == TransactionActivity.None)
                continue;
            var holdsLocks = (activity & TransactionActivity.HoldsLocks) != 0 && _lockSites.TryGetValue(resource.Index, out _);
            var site = holdsLocks ? _lockSites[resource.Index] : default;
            if (_reportedWaits.Add(operation.Syntax))
            {
                _report.BlockingWaits.Add(new BlockingWaitWhileOpen(resource, operation.Syntax, wait.Kind, wait.Name, taskCall,
                    activity != TransactionActivity.None, holdsLocks ? site.Statement : null, site.Line));
            }
            return;
        }
    }

    /// <summary>
    /// The database call whose task is waited for: the call itself (<c>cmd.ExecuteScalarAsync(ct).Result</c>),
    /// or a local stored from one and not awaited (nor tested for completion) before <paramref name="site"/>:
    /// after <c>await Task.WhenAll(t1, t2)</c> or <c>await t</c>, <c>t.Result</c> does not block.
    /// </summary>
    string? DatabaseTaskCall(IOperation task, SyntaxNode site)
    {
        task = MethodScope.Unwrap(task)!;
        if (task is IInvocationOperation invocation)
            return IsDatabaseWork(invocation, depth: 0) ? invocation.TargetMethod.Name : null;
        if (task is not ILocalReferenceOperation local)
            return null;
        string? call = null;
        foreach (var operation in _scope.Graph.OriginalOperation.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local.Local):
                    call ??= StoredCall((declarator.Initializer ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer)?.Value);
                    break;
                case ISimpleAssignmentOperation assignment when MethodScope.Unwrap(assignment.Target) is ILocalReferenceOperation target
                    && SymbolEqualityComparer.Default.Equals(target.Local, local.Local):
                    call ??= StoredCall(assignment.Value);
                    break;
                case IAwaitOperation awaited when awaited.Syntax.SpanStart < site.SpanStart && Mentions(awaited, local.Local):
                    return null;
                case IPropertyReferenceOperation { Property.Name: "IsCompleted" or "IsCompletedSuccessfully" or "IsFaulted" or "IsCanceled" or "Status" } test
                    when test.Syntax.SpanStart < site.SpanStart && MethodScope.Unwrap(test.Instance) is ILocalReferenceOperation tested
                    && SymbolEqualityComparer.Default.Equals(tested.Local, local.Local):
                    return null;
            }
        }
        return call;

        string? StoredCall(IOperation? value)
        {
            while (MethodScope.Unwrap(value) is IInvocationOperation { TargetMethod.Name: "AsTask" or "ConfigureAwait", Instance: { } inner })
                value = inner;
            return MethodScope.Unwrap(value) is IInvocationOperation stored && IsDatabaseWork(stored, depth: 0) ? stored.TargetMethod.Name : null;
        }
    }

    static bool Mentions(IOperation operation, ILocalSymbol local)
    {
        foreach (var node in operation.DescendantsAndSelf())
        {
            if (node is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local))
                return true;
        }
        return false;
    }
}
