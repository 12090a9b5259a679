using System.Collections.Concurrent;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// Decides whether passing a value to a parameter moves it (the callee takes ownership) or lends
/// it (the caller still owns it), per SPEC section 4:
/// <list type="bullet">
/// <item>a parameter marked <c>[Owned]</c> takes it;</item>
/// <item>Npgsql, ADO.NET, Dapper and PgBorrow APIs, and delegate invocations, borrow it;</item>
/// <item>a method of this compilation takes it when its body completes, disposes or moves that
///   parameter on every normal path (computed once, cached, bounded in depth);</item>
/// <item>any other method outside the compilation is assumed to take it: precision over recall.</item>
/// </list>
/// </summary>
internal sealed class OwnershipTakingMethods
{
    /// <summary>How deep summaries may call into further summaries before assuming "takes".</summary>
    const int MaxDepth = 3;

    readonly Compilation _compilation;
    readonly NpgsqlSymbols _symbols;
    readonly ConcurrentDictionary<IParameterSymbol, bool> _cache = new(SymbolEqualityComparer.Default);
    readonly ThreadLocal<System.Collections.Generic.HashSet<IMethodSymbol>> _inProgress = new(() => new(SymbolEqualityComparer.Default));

    public OwnershipTakingMethods(Compilation compilation, NpgsqlSymbols symbols)
    {
        _compilation = compilation;
        _symbols = symbols;
    }

    public bool TakesOwnership(IMethodSymbol method, IParameterSymbol parameter, int depth)
    {
        if (IsMarkedOwned(parameter))
            return true;
        if (method.MethodKind == MethodKind.DelegateInvoke || NpgsqlSymbols.IsBorrowingLibrary(method))
            return false;

        var definition = method.OriginalDefinition;
        if (definition.PartialImplementationPart is IMethodSymbol implementation)
            definition = implementation;
        if (definition.DeclaringSyntaxReferences.Length == 0)
            return true; // outside the compilation, and not a known borrower
        if (depth >= MaxDepth)
            return true;

        var definitionParameter = parameter.Ordinal < definition.Parameters.Length ? definition.Parameters[parameter.Ordinal] : parameter;
        if (_cache.TryGetValue(definitionParameter, out var cached))
            return cached;

        var inProgress = _inProgress.Value!;
        if (!inProgress.Add(definition))
            return true; // recursion: assume it takes, as for unknown code
        try
        {
            var result = Compute(definition, definitionParameter, depth + 1);
            _cache.TryAdd(definitionParameter, result);
            return result;
        }
        finally
        {
            inProgress.Remove(definition);
        }
    }

    bool IsMarkedOwned(IParameterSymbol parameter)
    {
        if (_symbols.OwnedAttribute is null)
            return false;
        foreach (var attribute in parameter.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(attribute.AttributeClass, _symbols.OwnedAttribute))
                return true;
        }
        return false;
    }

    bool Compute(IMethodSymbol method, IParameterSymbol parameter, int depth)
    {
        var reference = method.DeclaringSyntaxReferences[0];
        var syntax = reference.GetSyntax();
        if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
            return true;

#pragma warning disable RS1030 // Summaries of callees need their bodies; each is computed once per compilation and cached.
        var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
        var body = model.GetOperation(syntax);
        ControlFlowGraph? graph = body switch
        {
            IMethodBodyOperation methodBody => ControlFlowGraph.Create(methodBody),
            IConstructorBodyOperation constructorBody => ControlFlowGraph.Create(constructorBody),
            _ => null,
        };
        if (graph is null)
            return true; // abstract, extern or expression we cannot read: unknown, assume it takes
        return OwnershipAnalysis.ReleasesOnEveryPath(graph, parameter, _symbols, this, depth, CancellationToken.None);
    }
}
