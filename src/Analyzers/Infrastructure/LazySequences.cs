using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>
/// Sequences whose query runs only when they are enumerated: what a call returns before anything has run
/// (an <c>IAsyncEnumerable&lt;T&gt;</c>, Dapper's unbuffered <c>Query</c>, an iterator method), the wrappers
/// that keep them deferred, and the calls that enumerate them. PGB003 across time reads them: a deferred
/// query handed a transaction and enumerated after the transaction completed runs outside it.
/// </summary>
/// <remarks>
/// Precision first: an <c>IEnumerable&lt;T&gt;</c> is lazy only when the call that made it is known to be
/// (Dapper's default <c>Query</c> buffers into a list, and any other method may return one).
/// </remarks>
internal static class LazySequences
{
    /// <summary>Calls that return the same query, still deferred (Enumerable and AsyncEnumerable operators, cancellation wrappers).</summary>
    static readonly ImmutableHashSet<string> s_deferredWrappers = ImmutableHashSet.Create(
        "WithCancellation", "ConfigureAwait", "AsEnumerable", "AsAsyncEnumerable", "Select", "SelectMany", "Where",
        "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending", "Take", "Skip", "TakeWhile", "SkipWhile",
        "Distinct", "DistinctBy", "Cast", "OfType", "Append", "Prepend", "Concat", "Chunk");

    /// <summary>Calls that enumerate the sequence they are given (the LINQ materializers and aggregates, sync and async).</summary>
    static readonly ImmutableHashSet<string> s_enumerators = ImmutableHashSet.Create(
        "ToList", "ToArray", "ToDictionary", "ToHashSet", "ToLookup", "First", "FirstOrDefault", "Single", "SingleOrDefault",
        "Last", "LastOrDefault", "Any", "All", "Count", "LongCount", "Sum", "Min", "Max", "MinBy", "MaxBy", "Average",
        "Aggregate", "Contains", "ElementAt", "ElementAtOrDefault", "SequenceEqual",
        "ToListAsync", "ToArrayAsync", "ToDictionaryAsync", "ToHashSetAsync", "ToLookupAsync", "FirstAsync",
        "FirstOrDefaultAsync", "SingleAsync", "SingleOrDefaultAsync", "LastAsync", "LastOrDefaultAsync", "AnyAsync",
        "AllAsync", "CountAsync", "LongCountAsync", "SumAsync", "MinAsync", "MaxAsync", "AverageAsync",
        "AggregateAsync", "ContainsAsync", "ElementAtAsync", "ForEachAsync");

    /// <summary>
    /// Whether the call returns a sequence whose query has not run yet: any <c>IAsyncEnumerable&lt;T&gt;</c>;
    /// an <c>IEnumerable&lt;T&gt;</c> from Dapper's <c>Query(..., buffered: false)</c> or from an iterator method
    /// of this compilation.
    /// </summary>
    public static bool IsDeferredQuery(IInvocationOperation call)
    {
        var returned = call.TargetMethod.ReturnType as INamedTypeSymbol;
        if (IsGenericSequence(returned, "IAsyncEnumerable"))
            return true;
        if (!IsGenericSequence(returned, "IEnumerable"))
            return false;
        if (call.TargetMethod.Name == "Query" && SymbolNames.IsType(call.TargetMethod.ContainingType, "Dapper", "SqlMapper"))
        {
            foreach (var argument in call.Arguments)
            {
                if (argument.Parameter?.Name == "buffered" && argument.Value.ConstantValue is { HasValue: true, Value: false })
                    return true;
            }
            return false;
        }
        return IsIterator(call.TargetMethod);
    }

    /// <summary>The deferred sequence a wrapper or deferred operator was called on (<c>rows.WithCancellation(ct)</c> is <c>rows</c>).</summary>
    public static IOperation? Source(IOperation? sequence)
    {
        for (var hops = 0; hops < 16; hops++)
        {
            sequence = Operations.Unwrap(sequence);
            if (sequence is not IInvocationOperation call || !s_deferredWrappers.Contains(call.TargetMethod.Name) || !IsSequenceLibrary(call.TargetMethod))
                return sequence;
            sequence = call.Instance ?? (call.TargetMethod.IsExtensionMethod && call.Arguments.Length > 0 ? call.Arguments[0].Value : null);
        }
        return sequence;
    }

    /// <summary>
    /// Whether the call enumerates the sequence it is called on: <c>GetEnumerator</c>/<c>GetAsyncEnumerator</c>
    /// (what <c>foreach</c> and <c>await foreach</c> call), a LINQ materializer or aggregate, Dapper's <c>AsList</c>.
    /// </summary>
    public static bool Enumerates(IInvocationOperation call)
    {
        var name = call.TargetMethod.Name;
        if (name is "GetEnumerator" or "GetAsyncEnumerator")
            return true;
        if (name == "AsList")
            return SymbolNames.IsType(call.TargetMethod.ContainingType, "Dapper", "SqlMapper");
        return s_enumerators.Contains(name) && call.TargetMethod.IsExtensionMethod && IsSequenceLibrary(call.TargetMethod);
    }

    /// <summary>Whether the method's body has a <c>yield</c> of its own (not one of a lambda or local function inside it).</summary>
    public static bool IsIterator(IMethodSymbol method)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            var declaration = reference.GetSyntax();
            foreach (var node in declaration.DescendantNodes(node => node == declaration || node is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
            {
                if (node is YieldStatementSyntax)
                    return true;
            }
        }
        return false;
    }

    static bool IsGenericSequence(INamedTypeSymbol? type, string name)
        => type is { Arity: 1, ContainingType: null } && type.Name == name
        && SymbolNames.IsNamespace(type.ContainingNamespace, "System.Collections.Generic");

    /// <summary>LINQ (System.Linq's Enumerable and AsyncEnumerable) and the async-enumerable cancellation wrappers.</summary>
    static bool IsSequenceLibrary(IMethodSymbol method)
        => method.DeclaringSyntaxReferences.Length == 0
        && (SymbolNames.IsNamespace(method.ContainingNamespace, "System.Linq")
            || SymbolNames.IsNamespace(method.ContainingNamespace, "System.Threading.Tasks")
            || SymbolNames.IsNamespace(method.ContainingNamespace, "System.Runtime.CompilerServices")
            || SymbolNames.IsNamespace(method.ContainingNamespace, "System.Collections.Generic"));
}
