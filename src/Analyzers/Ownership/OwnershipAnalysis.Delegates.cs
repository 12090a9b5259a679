using System.Collections.Generic;
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

    /// <summary>Whether this graph owns a transaction at all (read once, on its first delegate).</summary>
    bool? _ownsTransaction;

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
        // Most bodies with lambdas own no transaction: no tree walk for them (the walk finds the lambda's operation).
        _ownsTransaction ??= _scope.Resources.Exists(resource => resource is { Kind: ResourceKind.Transaction, IsOwned: true, IsCaptured: false });
        if (_ownsTransaction == false)
            return;
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
        var homeFunction = home switch
        {
            IAnonymousFunctionOperation lambda => lambda.Symbol,
            ILocalFunctionOperation local => local.Symbol,
            _ => null, // a method body: its syntax holds its parameters
        };
        return DelegateEscapes.HowItOutlives(function, home, homeFunction) is string how ? new EscapingDelegate($"{what} that {how}", LineOf(function), uses) : null;
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
}
