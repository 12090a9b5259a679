using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// Delegates that outlive their transaction (PGB003 across time): a lambda that uses a transaction this body
/// owns (directly, or through a command given it) and that can still run after the body has moved on: stored
/// in a field, property or an outer collection, returned, handed to a runner whose task the body does not
/// wait for, or deferred by a LINQ query the body returns. When the body then commits, rolls back or disposes
/// the transaction, the delegate can run against a completed one. Rust: a closure cannot outlive what it borrows.
/// </summary>
/// <remarks>
/// Per path: a lambda marks what it captures with <see cref="TransactionActivity.UsedByEscapedDelegate"/> where
/// it is created (only while the value may be open), and a completion on a path that carries the mark is
/// reported. Precision first: a lambda that runs here (invoked, awaited, passed to a method, which only
/// borrows it), a store the body overwrites again (<c>_onError = null</c> after the commit), a collection
/// the body clears, and a task the body reads again (awaits, hands to WhenAll) do not escape.
/// </remarks>
internal sealed partial class OwnershipAnalysis
{
    /// <summary>How one lambda escapes and which of this body's transactions it uses (where first), computed once per lambda.</summary>
    sealed class EscapingDelegate
    {
        public EscapingDelegate(string how, int line, List<(TrackedResource Transaction, Location Use)> uses)
        {
            How = how;
            Line = line;
            Uses = uses;
        }

        public string How { get; }

        public int Line { get; }

        public List<(TrackedResource Transaction, Location Use)> Uses { get; }
    }

    /// <summary>Per lambda (its syntax) or local function made into a delegate (the method reference's syntax).</summary>
    readonly Dictionary<SyntaxNode, EscapingDelegate?> _escapingDelegates = new();

    /// <summary>Per transaction, the escaped delegates that use it (what a completion on a marked path reports).</summary>
    readonly Dictionary<TrackedResource, List<EscapingDelegate>> _delegatesByTransaction = new();

    readonly HashSet<(TrackedResource, Location)> _reportedOutlivingDelegates = new();

    static readonly ImmutableHashSet<string> s_collectionAdds = ImmutableHashSet.Create(
        "Add", "AddRange", "Insert", "Enqueue", "Push", "TryAdd", "AddLast", "AddFirst", "TryWrite");

    /// <summary>Enumerable methods that run the lambda only when the query is enumerated.</summary>
    static readonly ImmutableHashSet<string> s_deferredLinq = ImmutableHashSet.Create(
        "Select", "SelectMany", "Where", "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending", "GroupBy",
        "Join", "GroupJoin", "TakeWhile", "SkipWhile", "Zip", "DistinctBy", "UnionBy", "IntersectBy", "ExceptBy");

    /// <summary>A lambda is created: mark the transactions it uses when it can run after this body moves on.</summary>
    void MarkEscapingDelegate(IFlowAnonymousFunctionOperation lambda, FlowState state)
        => MarkEscapingDelegate(lambda.Syntax, () => OriginalFunction(lambda) is IAnonymousFunctionOperation function
            ? DescribeEscape(function, function.Body, "a lambda")
            : null, state);

    /// <summary>A local function is made into a delegate (<c>Task.Run(Work)</c>, <c>_callbacks.Add(Work)</c>).</summary>
    void MarkEscapingDelegate(IMethodReferenceOperation reference, FlowState state)
    {
        if (reference.Method.MethodKind != MethodKind.LocalFunction)
            return;
        MarkEscapingDelegate(reference.Syntax, () =>
        {
            var original = OriginalOf(reference);
            var body = LocalFunctionBody(reference.Method);
            return original is not null && body is not null ? DescribeEscape(original, body, $"the local function '{reference.Method.Name}'") : null;
        }, state);
    }

    void MarkEscapingDelegate(SyntaxNode key, System.Func<EscapingDelegate?> describe, FlowState state)
    {
        if (!_escapingDelegates.TryGetValue(key, out var escaping))
        {
            escaping = describe();
            _escapingDelegates[key] = escaping;
            if (escaping is not null)
            {
                foreach (var (transaction, _) in escaping.Uses)
                {
                    if (!_delegatesByTransaction.TryGetValue(transaction, out var list))
                        _delegatesByTransaction[transaction] = list = new List<EscapingDelegate>();
                    list.Add(escaping);
                }
            }
        }
        if (escaping is null)
            return;
        foreach (var (transaction, _) in escaping.Uses)
        {
            if ((state[transaction.Index] & ValueFlags.Open) != 0)
                state.AddActivity(transaction.Index, TransactionActivity.UsedByEscapedDelegate);
        }
    }

    /// <summary>The transaction is completed on a path where an escaped delegate may still use it.</summary>
    void CheckOutlivingDelegates(TrackedResource transaction, ValueFlags how, int line, FlowState state)
    {
        // A completion on an exception path (a using's Dispose as the exception leaves) is not the method
        // moving on: the escaped delegate is the smaller worry there, and the throw is reported elsewhere.
        if (!_reporting || _exceptionalFinallyRuns > 0 || (state.Activity(transaction.Index) & TransactionActivity.UsedByEscapedDelegate) == 0
            || !_delegatesByTransaction.TryGetValue(transaction, out var delegates))
            return;
        var completion = how == ValueFlags.Committed ? CompletionKind.Committed
            : how == ValueFlags.RolledBack ? CompletionKind.RolledBack
            : CompletionKind.Disposed;
        foreach (var escaping in delegates)
        {
            foreach (var (used, location) in escaping.Uses)
            {
                if (used == transaction && _reportedOutlivingDelegates.Add((transaction, location)))
                    _report.DelegatesOutliving.Add(new DelegateOutlivesTransaction(transaction, location, escaping.How, escaping.Line, completion, line));
            }
        }
    }

    /// <summary>
    /// Which of this body's transactions <paramref name="body"/> uses, and how the delegate made at
    /// <paramref name="function"/> (a lambda, or a method reference to a local function) escapes; null when it
    /// uses none or runs here.
    /// </summary>
    EscapingDelegate? DescribeEscape(IOperation function, IOperation body, string what)
    {
        List<(TrackedResource, Location)>? uses = null;
        foreach (var node in body.Descendants())
        {
            if (node is not (ILocalReferenceOperation or IParameterReferenceOperation))
                continue;
            var symbol = Operations.NamedSymbol(node);
            if (symbol is null)
                continue;
            var resource = _scope.Resource(symbol);
            if (resource is null && _scope.CommandTransactions.TryGetValue(symbol, out var transactionSymbol))
                resource = _scope.Resource(transactionSymbol);
            if (resource is not { Kind: ResourceKind.Transaction, IsOwned: true, IsCaptured: false })
                continue;
            uses ??= new List<(TrackedResource, Location)>();
            if (!uses.Exists(use => use.Item1 == resource))
                uses.Add((resource, node.Syntax.GetLocation()));
        }
        if (uses is null)
            return null;
        var home = Operations.EnclosingFunction(function.Parent ?? function);
        return HowItRunsLater(function, home) is string how ? new EscapingDelegate($"{what} that {how}", LineOf(function), uses) : null;
    }

    /// <summary>The method reference as the operation tree has it.</summary>
    IOperation? OriginalOf(IMethodReferenceOperation reference)
    {
        foreach (var node in _scope.Graph.OriginalOperation.DescendantsAndSelf())
        {
            if (node is IMethodReferenceOperation original && original.Syntax == reference.Syntax)
                return original;
        }
        return null;
    }

    /// <summary>The body of a local function declared in this graph's tree.</summary>
    IOperation? LocalFunctionBody(IMethodSymbol localFunction)
    {
        foreach (var node in _scope.Graph.OriginalOperation.DescendantsAndSelf())
        {
            if (node is ILocalFunctionOperation declared && SymbolEqualityComparer.Default.Equals(declared.Symbol, localFunction.OriginalDefinition))
                return (IOperation?)declared.Body ?? declared.IgnoredBody;
        }
        return null;
    }

    /// <summary>The lambda as the operation tree has it (fates are read there: the graph drops expression statements).</summary>
    IAnonymousFunctionOperation? OriginalFunction(IFlowAnonymousFunctionOperation lambda)
    {
        foreach (var node in _scope.Graph.OriginalOperation.DescendantsAndSelf())
        {
            if (node is IAnonymousFunctionOperation function && function.Syntax == lambda.Syntax)
                return function;
        }
        // The graph of a lambda starts at its body: the lambda itself is an ancestor of the original operation.
        for (var parent = _scope.Graph.OriginalOperation.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation function && function.Syntax == lambda.Syntax)
                return function;
        }
        return null;
    }

    /// <summary>How a delegate made in <paramref name="body"/> can run after the body has gone on; null when it runs here.</summary>
    static string? HowItRunsLater(IOperation function, IOperation body)
    {
        var fate = DelegateFates.OfFunction(function);
        switch (fate.Kind)
        {
            case FateKind.Assigned:
                return fate.Target switch
                {
                    IFieldReferenceOperation field when !IsStoredAgain(field.Field, fate.Receiver!, body) => $"is stored in the field '{field.Field.Name}'",
                    IPropertyReferenceOperation property when !IsStoredAgain(property.Property, fate.Receiver!, body) => $"is stored in the property '{property.Property.Name}'",
                    _ => null,
                };
            case FateKind.Returned when !IsAwaitable(fate.Value.Type):
                return "is returned";
            case FateKind.Argument when fate.Argument!.Parent is IInvocationOperation invocation:
            {
                var name = invocation.TargetMethod.Name;
                switch (DelegateFates.RunnerOf(invocation))
                {
                    case DelegateRunner.StartedTask:
                        return TaskGoesOn(invocation, body) is string task ? $"runs on the thread pool through '{name}', whose task {task}" : null;
                    case DelegateRunner.ThreadPool:
                        return $"is queued to the thread pool by '{name}'";
                }
                if (s_collectionAdds.Contains(name) && IsOutsideStore(invocation.Instance) is ISymbol collection && !IsClearedLater(collection, invocation, body))
                    return $"is added to '{collection.Name}', which outlives the method";
                if (IsDeferredQuery(invocation) && QueryGoesOn(invocation) is string query)
                    return $"is deferred by '{name}', whose query {query}";
                return null;
            }
            case FateKind.Argument when fate.Argument!.Parent is IObjectCreationOperation creation:
                return DelegateFates.RunnerOf(creation) switch
                {
                    DelegateRunner.Thread => "runs on a new Thread",
                    DelegateRunner.Timer => "runs on a Timer",
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary>How a started task outlives the body: dropped, or stored outside it. Null when the body keeps and reads it.</summary>
    static string? TaskGoesOn(IOperation task, IOperation body)
    {
        var fate = DelegateFates.OfTask(task);
        return fate.Kind switch
        {
            FateKind.Dropped => "is not awaited",
            FateKind.Assigned when fate.Target is IDiscardOperation => "is discarded",
            FateKind.Assigned when fate.Target is IFieldReferenceOperation or IPropertyReferenceOperation => "is stored outside the method",
            FateKind.Declared when fate.Declarator is { } declarator && !IsReadAgain(declarator.Symbol, declarator, body) => "is never awaited",
            _ => null,
        };
    }

    /// <summary>Where the query built on a deferred Enumerable call goes: returned or stored outside, unenumerated.</summary>
    static string? QueryGoesOn(IInvocationOperation call)
    {
        IOperation query = call;
        while (true)
        {
            var fate = DelegateFates.Of(query);
            if (fate.Kind == FateKind.Argument && fate.Argument!.Parent is IInvocationOperation next && IsDeferredQuery(next)
                && next.Arguments.Length > 0 && next.Arguments[0] == fate.Argument)
            {
                query = next; // chained: rows.Where(...).Select(...)
                continue;
            }
            return fate.Kind switch
            {
                FateKind.Returned when !IsAwaitable(fate.Value.Type) => "is returned unenumerated",
                FateKind.Assigned when fate.Target is IFieldReferenceOperation or IPropertyReferenceOperation => "is stored unenumerated outside the method",
                _ => null,
            };
        }
    }

    static bool IsDeferredQuery(IInvocationOperation invocation)
        => s_deferredLinq.Contains(invocation.TargetMethod.Name)
        && SymbolNames.IsType(invocation.TargetMethod.ContainingType, "System.Linq", "Enumerable");

    /// <summary>A field, property or static the body does not own: the object or the class keeps what is put there.</summary>
    static ISymbol? IsOutsideStore(IOperation? instance)
        => Operations.Unwrap(instance) switch
        {
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property => property.Property,
            _ => null,
        };

    /// <summary>The body assigns the member again elsewhere (typically <c>= null</c> once the work is done): the stored delegate is dropped.</summary>
    static bool IsStoredAgain(ISymbol member, IOperation store, IOperation body)
    {
        foreach (var node in body.Descendants())
        {
            if (node is ISimpleAssignmentOperation assignment && assignment != store
                && SymbolEqualityComparer.Default.Equals(Operations.NamedSymbol(assignment.Target), member))
                return true;
        }
        return false;
    }

    /// <summary>The body empties the collection after adding to it (Clear, Remove, a dequeue): the callbacks do not outlive it.</summary>
    static bool IsClearedLater(ISymbol collection, IOperation add, IOperation body)
    {
        foreach (var node in body.Descendants())
        {
            if (node is IInvocationOperation { TargetMethod.Name: "Clear" or "Remove" or "RemoveAt" or "RemoveAll" or "TryDequeue" or "Dequeue" or "TryPop" or "Pop" } call
                && call != add && SymbolEqualityComparer.Default.Equals(Operations.NamedSymbol(call.Instance), collection))
                return true;
        }
        return false;
    }

    static bool IsReadAgain(ISymbol local, IOperation declaration, IOperation body)
    {
        foreach (var node in body.Descendants())
        {
            if (node is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                && !declaration.Syntax.Span.Contains(reference.Syntax.Span))
                return true;
        }
        return false;
    }

    static bool IsAwaitable(ITypeSymbol? type)
        => type is INamedTypeSymbol { Name: "Task" or "ValueTask" } named && SymbolNames.IsType(named, "System.Threading.Tasks", named.Name);
}
