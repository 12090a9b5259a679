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
    readonly ConcurrentDictionary<IMethodSymbol, ResourceKind?> _factories = new(SymbolEqualityComparer.Default);
    readonly ConcurrentDictionary<IMethodSymbol, bool> _mentionsDatabase = new(SymbolEqualityComparer.Default);
    readonly ThreadLocal<System.Collections.Generic.HashSet<IMethodSymbol>> _inProgress = new(() => new(SymbolEqualityComparer.Default));

    public OwnershipTakingMethods(Compilation compilation, NpgsqlSymbols symbols)
    {
        _compilation = compilation;
        _symbols = symbols;
    }

    public bool TakesOwnership(IMethodSymbol method, IParameterSymbol parameter, int depth, CancellationToken cancellationToken)
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
            var result = Compute(definition, definitionParameter, depth + 1, cancellationToken);
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

    bool Compute(IMethodSymbol method, IParameterSymbol parameter, int depth, CancellationToken cancellationToken)
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
            IMethodBodyOperation methodBody => ControlFlowGraph.Create(methodBody, cancellationToken),
            IConstructorBodyOperation constructorBody => ControlFlowGraph.Create(constructorBody, cancellationToken),
            _ => null,
        };
        if (graph is null)
            return true; // abstract, extern or expression we cannot read: unknown, assume it takes
        return OwnershipAnalysis.ReleasesOnEveryPath(graph, parameter, _symbols, this, depth, cancellationToken);
    }

    /// <summary>
    /// The kind of owned value a method of this compilation hands to its caller: its return type
    /// (or the result of the Task it returns) is a transaction, connection or reader, and every
    /// return statement returns a freshly created one, or a local that holds one. The caller then
    /// owns the result, as with Npgsql's own factories.
    /// </summary>
    public ResourceKind? ReturnedOwnedKind(IMethodSymbol method, int depth)
    {
        var definition = method.OriginalDefinition;
        if (definition.DeclaringSyntaxReferences.Length == 0 || depth >= MaxDepth)
            return null;
        var returned = definition.ReturnType is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic
            && generic.Name is "Task" or "ValueTask"
            ? generic.TypeArguments[0]
            : definition.ReturnType;
        if (_symbols.KindOfVariableType(returned) is not ResourceKind kind)
            return null;
        if (_factories.TryGetValue(definition, out var cached))
            return cached;

        var inProgress = _inProgress.Value!;
        if (!inProgress.Add(definition))
            return null;
        try
        {
            var result = ReturnsOnlyCreations(definition, depth + 1) ? kind : (ResourceKind?)null;
            _factories.TryAdd(definition, result);
            return result;
        }
        finally
        {
            inProgress.Remove(definition);
        }
    }

    bool ReturnsOnlyCreations(IMethodSymbol method, int depth)
    {
        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
            return false;
#pragma warning disable RS1030 // Factory summaries need the callee's body; computed once per compilation and cached.
        var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
        if (model.GetOperation(syntax) is not IMethodBodyBaseOperation body)
            return false;

        var createdLocals = new System.Collections.Generic.HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        foreach (var operation in body.Descendants())
        {
            if (operation is IVariableDeclaratorOperation { Initializer: not null } declarator && IsCreation(declarator.Initializer.Value, depth))
                createdLocals.Add(declarator.Symbol);
            else if (operation is ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment && IsCreation(assignment.Value, depth))
                createdLocals.Add(target.Local);
        }

        var returns = 0;
        foreach (var operation in body.Descendants())
        {
            if (operation is not IReturnOperation { Kind: OperationKind.Return } ret)
                continue;
            returns++;
            var value = MethodScope.Unwrap(ret.ReturnedValue);
            if (value is ILocalReferenceOperation local && createdLocals.Contains(local.Local))
                continue;
            if (!IsCreation(value, depth))
                return false;
        }
        return returns > 0;
    }

    bool IsCreation(IOperation? value, int depth)
    {
        value = MethodScope.Unwrap(value);
        if (value is IAwaitOperation awaited)
            value = MethodScope.Unwrap(awaited.Operation);
        if (value is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configureAwait)
            value = MethodScope.Unwrap(configureAwait.Instance);
        return value switch
        {
            IObjectCreationOperation creation => NpgsqlSymbols.IsOrDerives(creation.Type, _symbols.NpgsqlConnection),
            IInvocationOperation invocation => NpgsqlCalls.Classify(invocation, _symbols) is CallKind.BeginTransaction or CallKind.CreateConnection or CallKind.ExecuteReader
                || ReturnedOwnedKind(invocation.TargetMethod, depth) is not null,
            _ => false,
        };
    }

    /// <summary>
    /// Whether a method of this compilation works with Npgsql types itself (a repository method that
    /// opens its own connection, say): awaiting it is database work, not an unrelated wait. Methods
    /// outside the compilation that are not Npgsql's do not.
    /// </summary>
    public bool MentionsDatabase(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition;
        if (definition.DeclaringSyntaxReferences.Length == 0)
            return false;
        return _mentionsDatabase.GetOrAdd(definition, m =>
        {
            foreach (var reference in m.DeclaringSyntaxReferences)
            {
                var syntax = reference.GetSyntax();
                if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
                    continue;
#pragma warning disable RS1030 // Summaries need the callee's body; computed once per compilation and cached.
                var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
                var body = model.GetOperation(syntax);
                if (body is null)
                    continue;
                foreach (var operation in body.DescendantsAndSelf())
                {
                    if (_symbols.IsInteresting(operation.Type))
                        return true;
                    if (operation is IInvocationOperation call && NpgsqlSymbols.IsBorrowingLibrary(call.TargetMethod))
                        return true;
                }
            }
            return false;
        });
    }
}
