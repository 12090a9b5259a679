using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>Which calls wait for the database synchronously (PGB005 and the helper summaries below).</summary>
internal static class BlockingCalls
{
    // BeginTransaction only through the ADO.NET base types: Npgsql does no I/O there (BEGIN goes out
    // with the next command), but a DbConnection may be another provider's, which sends BEGIN at once.
    public static readonly ImmutableHashSet<string> Names = ImmutableHashSet.Create(
        "Open", "OpenConnection", "BeginTransaction", "Commit", "Rollback", "Save", "Release",
        "ExecuteNonQuery", "ExecuteScalar", "ExecuteReader", "Read", "NextResult", "Prepare");

    /// <summary>
    /// A synchronous Npgsql or ADO.NET call that waits for PostgreSQL and has an async overload.
    /// Not <c>BeginTransaction</c> on an Npgsql connection: it sends nothing.
    /// </summary>
    public static bool IsBlockingDatabaseCall(IInvocationOperation invocation, NpgsqlSymbols symbols, out ITypeSymbol receiverType, out string asyncName)
    {
        var method = invocation.TargetMethod;
        receiverType = invocation.Instance?.Type!;
        asyncName = method.Name + "Async";
        if (!Names.Contains(method.Name) || receiverType is null || !symbols.IsInteresting(receiverType))
            return false;
        if (method.Name == "BeginTransaction" && NpgsqlSymbols.IsOrDerives(receiverType, symbols.NpgsqlConnection))
            return false;
        // `await ExecuteReader(async, behavior, ct)`: an overload that returns a task is not the blocking one.
        if (IsAwaitable(method.ReturnType))
            return false;
        return HasAsyncOverload(receiverType, asyncName) && !IsSyncBranchOfAsyncTwin(invocation, asyncName);
    }

    /// <summary>
    /// <c>async ? await reader.ReadAsync(ct) : reader.Read()</c>, <c>if (async) await x.NextResultAsync(ct); else
    /// x.NextResult();</c>: one method serving a sync and an async API. The sync call runs only when the
    /// caller asked for sync, so it blocks no async caller.
    /// </summary>
    public static bool IsSyncBranchOfAsyncTwin(IOperation call, string asyncName)
    {
        IOperation? branch = call;
        for (var parent = call.Parent; parent is not null; branch = parent, parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation or IMethodBodyBaseOperation)
                return false;
            // `if (!async) { return X(); } return await XAsync();`: a branch on a bool parameter, with the
            // async twin elsewhere in the same method.
            if (parent is IConditionalOperation { WhenFalse: null } guard && branch == guard.WhenTrue
                && IsBoolParameterTest(guard.Condition) && CallsElsewhere(guard, asyncName))
                return true;
            if (parent is IConditionalOperation conditional)
            {
                var other = branch == conditional.WhenTrue ? conditional.WhenFalse : branch == conditional.WhenFalse ? conditional.WhenTrue : null;
                if (other is not null)
                {
                    foreach (var operation in other.DescendantsAndSelf())
                    {
                        if (operation is IInvocationOperation twin && twin.TargetMethod.Name == asyncName)
                            return true;
                    }
                }
            }
        }
        return false;
    }

    static bool IsBoolParameterTest(IOperation condition)
    {
        while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            condition = not.Operand;
        if (condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } comparison
            && comparison.RightOperand.ConstantValue is { HasValue: true, Value: bool })
            condition = comparison.LeftOperand;
        return condition is IParameterReferenceOperation { Parameter.Type.SpecialType: SpecialType.System_Boolean };
    }

    /// <summary>The method around <paramref name="guard"/> calls <paramref name="name"/> outside it.</summary>
    static bool CallsElsewhere(IOperation guard, string name)
    {
        foreach (var operation in Operations.EnclosingFunction(guard).Descendants())
        {
            if (operation is IInvocationOperation { TargetMethod.Name: var called } && called == name && !guard.Syntax.Span.Contains(operation.Syntax.Span))
                return true;
        }
        return false;
    }

    public static bool IsAwaitable(ITypeSymbol type)
        => type.Name is "Task" or "ValueTask" or "IAsyncEnumerable" && type.ContainingNamespace?.ToDisplayString() is "System.Threading.Tasks" or "System.Collections.Generic";

    public static bool HasAsyncOverload(ITypeSymbol type, string asyncName)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers(asyncName))
            {
                if (member is IMethodSymbol { DeclaredAccessibility: Accessibility.Public })
                    return true;
            }
        }
        return false;
    }
}

/// <summary>
/// What a synchronous helper of the compilation blocks on: the database call, and whether that call is an
/// <c>Open</c> made only when the connection is closed (an ensure-open helper, which does no I/O once
/// the caller has opened the connection).
/// </summary>
internal sealed record BlockingHelper(string Call, bool OnlyWhenClosed);

/// <summary>
/// Summaries of the compilation's synchronous methods and property getters that make a blocking database
/// call, directly or through up to <see cref="MaxDepth"/> more of them (interface and virtual calls through
/// their implementations in the compilation): calling one from async code blocks as surely as the call
/// inside it. Decided once per method and compilation, cycle-safe.
/// </summary>
internal sealed class BlockingHelpers
{
    // linq2db's QueryAsync -> InitCommand -> DataConnection.InitCommand -> GetOrCreateCommand ->
    // CreateCommand -> EnsureConnection -> IAsyncDbConnection.Open -> DbConnection.Open is six deep.
    const int MaxDepth = 6;

    readonly Compilation _compilation;
    readonly NpgsqlSymbols _symbols;
    readonly OwnershipTakingMethods _takers;
    readonly ConcurrentDictionary<IMethodSymbol, BlockingHelper?> _found = new(SymbolEqualityComparer.Default);

    public BlockingHelpers(Compilation compilation, NpgsqlSymbols symbols, OwnershipTakingMethods takers)
    {
        _compilation = compilation;
        _symbols = symbols;
        _takers = takers;
    }

    /// <summary>The blocking call the method (or getter) makes, or null.</summary>
    public BlockingHelper? BlockingCallIn(IMethodSymbol method)
        => Find(method.OriginalDefinition, 0, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default));

    BlockingHelper? Find(IMethodSymbol method, int depth, HashSet<IMethodSymbol> visiting)
    {
        if (method.IsAsync || method.MethodKind is not (MethodKind.Ordinary or MethodKind.PropertyGet)
            || BlockingCalls.IsAwaitable(method.ReturnType) || depth > MaxDepth || NpgsqlSymbols.IsBorrowingLibrary(method))
            return null;
        if (_found.TryGetValue(method, out var known))
            return known;
        if (!visiting.Add(method))
            return null;
        BlockingHelper? found;
        if (LazySequences.IsIterator(method))
        {
            // Calling an iterator runs none of its body: its reads happen when the caller enumerates.
            _found.TryAdd(method, null);
            return null;
        }
        if (OwnershipTakingMethods.IsDispatched(method))
            found = FindInImplementations(method, depth, visiting);
        else
            found = method.DeclaringSyntaxReferences.Length > 0 ? Search(method, depth, visiting) : null;
        _found.TryAdd(method, found);
        return found;
    }

    /// <summary>
    /// An interface or virtual method blocks when one of its implementations does and it is named like the
    /// database call it wraps (<c>IAsyncDbConnection.Open</c>), or when every implementation does.
    /// </summary>
    BlockingHelper? FindInImplementations(IMethodSymbol method, int depth, HashSet<IMethodSymbol> visiting)
    {
        var implementations = _takers.ImplementationsOf(method);
        if (implementations.Count == 0)
            return null;
        BlockingHelper? first = null;
        var all = true;
        foreach (var implementation in implementations)
        {
            if (SymbolEqualityComparer.Default.Equals(implementation, method) && method.DeclaringSyntaxReferences.Length > 0)
            {
                var own = Search(method, depth, visiting);
                first ??= own;
                all &= own is not null;
                continue;
            }
            var found = Find(implementation, depth, visiting);
            first ??= found;
            all &= found is not null;
        }
        return all || BlockingCalls.Names.Contains(method.Name) ? first : null;
    }

    BlockingHelper? Search(IMethodSymbol method, int depth, HashSet<IMethodSymbol> visiting)
    {
        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
            return null;
#pragma warning disable RS1030 // Callee bodies for a summary computed once per method and compilation.
        var body = _compilation.GetSemanticModel(syntax.SyntaxTree).GetOperation(syntax);
#pragma warning restore RS1030
        if (body is null)
            return null;
        foreach (var operation in body.Descendants())
        {
            IMethodSymbol? callee;
            switch (operation)
            {
                case IInvocationOperation call when Operations.IsInBody(call, body):
                    if (BlockingCalls.IsBlockingDatabaseCall(call, _symbols, out _, out _))
                        return new BlockingHelper(call.TargetMethod.Name, call.TargetMethod.Name is "Open" or "OpenConnection" && GuardedByState(call, body));
                    callee = call.TargetMethod;
                    break;
                case IPropertyReferenceOperation { Property.GetMethod: { } getter } property
                    when Operations.IsInBody(property, body) && !(property.Parent is ISimpleAssignmentOperation assignment && assignment.Target == property):
                    callee = getter;
                    break;
                default:
                    continue;
            }
            if (Find(callee.OriginalDefinition, depth + 1, visiting) is BlockingHelper deeper)
                return deeper with { OnlyWhenClosed = deeper.OnlyWhenClosed || GuardedByState(operation, body) };
        }
        return null;
    }

    /// <summary>
    /// Inside an <c>if</c> (or <c>?:</c>) whose condition reads a connection's <c>State</c>: an
    /// open-if-closed helper.
    /// </summary>
    static bool GuardedByState(IOperation operation, IOperation body)
    {
        for (var parent = operation.Parent; parent is not null && parent != body; parent = parent.Parent)
        {
            var condition = parent switch
            {
                IConditionalOperation conditional => conditional.Condition,
                _ => null,
            };
            if (condition is null)
                continue;
            foreach (var node in condition.DescendantsAndSelf())
            {
                if (node is IPropertyReferenceOperation { Property.Name: "State" } || node.Type?.Name == "ConnectionState")
                    return true;
            }
        }
        return false;
    }
}
