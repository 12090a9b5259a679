using System.Collections.Concurrent;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

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
    readonly ConcurrentDictionary<IMethodSymbol, ResourceKind?> _dispatchedFactories = new(SymbolEqualityComparer.Default);
    readonly ConcurrentDictionary<IMethodSymbol, bool> _mentionsDatabase = new(SymbolEqualityComparer.Default);
    readonly ConcurrentDictionary<IMethodSymbol, bool> _mentionsDatabaseThroughCalls = new(SymbolEqualityComparer.Default);
    readonly ConcurrentDictionary<IMethodSymbol, System.Collections.Generic.List<IMethodSymbol>> _sourceCallees = new(SymbolEqualityComparer.Default);
    readonly ConcurrentDictionary<(IMethodSymbol, int), bool> _runsStatementOn = new();
    readonly ConcurrentDictionary<IMethodSymbol, int> _passThrough = new(SymbolEqualityComparer.Default);
    readonly ConcurrentDictionary<IMethodSymbol, System.Collections.Generic.List<IMethodSymbol>> _implementations = new(SymbolEqualityComparer.Default);
    System.Collections.Generic.List<INamedTypeSymbol>? _sourceTypes;
    readonly ThreadLocal<System.Collections.Generic.HashSet<IMethodSymbol>> _inProgress = new(() => new(SymbolEqualityComparer.Default));

    public OwnershipTakingMethods(Compilation compilation, NpgsqlSymbols symbols)
    {
        _compilation = compilation;
        _symbols = symbols;
    }

    public bool TakesOwnership(IMethodSymbol method, IParameterSymbol parameter, int depth, CancellationToken cancellationToken)
        => TakesOwnership(method, parameter, depth, dispatch: true, cancellationToken);

    /// <param name="dispatch">False when asking about one implementation's own body (not the methods it overrides for).</param>
    bool TakesOwnership(IMethodSymbol method, IParameterSymbol parameter, int depth, bool dispatch, CancellationToken cancellationToken)
    {
        if (_symbols.IsOwned(parameter))
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

        // An interface, abstract or virtual method: the summary of its implementations in this
        // compilation when they all agree, else unknown (assumed to take, as for code we cannot read).
        if (dispatch && IsDispatched(definition))
        {
            var implementations = ImplementationsOf(definition);
            if (implementations.Count == 0)
                return true;
            foreach (var candidate in implementations)
            {
                if (parameter.Ordinal >= candidate.Parameters.Length
                    || TakesOwnership(candidate, candidate.Parameters[parameter.Ordinal], depth + 1, dispatch: false, cancellationToken))
                    return true;
            }
            return false;
        }

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

    bool Compute(IMethodSymbol method, IParameterSymbol parameter, int depth, CancellationToken cancellationToken)
    {
        ControlFlowGraph? graph = BodyOf(method) switch
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
    public ResourceKind? ReturnedOwnedKind(IMethodSymbol method, int depth) => ReturnedOwnedKind(method, depth, dispatch: true);

    ResourceKind? ReturnedOwnedKind(IMethodSymbol method, int depth, bool dispatch)
    {
        var definition = method.OriginalDefinition;
        if (depth >= MaxDepth)
            return null;
        var returned = definition.ReturnType is INamedTypeSymbol { IsGenericType: true, TypeArguments.Length: 1 } generic
            && generic.Name is "Task" or "ValueTask"
            ? generic.TypeArguments[0]
            : definition.ReturnType;
        if (_symbols.KindOfVariableType(returned) is not ResourceKind kind)
            return null;
        if (definition.DeclaringSyntaxReferences.Length == 0)
            return dispatch && IsDispatched(definition) && ImplementationsOf(definition).Count == 0 ? CreatorByName(definition, kind) : null;
        if (dispatch && IsDispatched(definition))
        {
            // Bounded by depth (each implementation is read one level deeper), not by the in-progress set,
            // so that a virtual method's own body can be read as one of its implementations.
            if (_dispatchedFactories.TryGetValue(definition, out var known))
                return known;
            var agreed = ImplementationsAgreeOnFactory(definition, kind, depth + 1);
            _dispatchedFactories.TryAdd(definition, agreed);
            return agreed;
        }
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

    readonly ConcurrentDictionary<(IMethodSymbol, int), string?> _lockEffects = new();

    /// <summary>
    /// What a method of this compilation (not dispatched) does to session advisory locks on its
    /// connection parameter: the SQL of the lock it returns holding, or of the unlock it runs; null for
    /// neither (or when unsure). Read from the method's own ownership scope, once per method and parameter.
    /// </summary>
    public string? LockEffect(IMethodSymbol method, int ordinal, int depth, CancellationToken cancellationToken)
    {
        var definition = method.OriginalDefinition;
        if (definition.DeclaringSyntaxReferences.Length == 0 || IsDispatched(definition) || depth >= MaxDepth || ordinal >= definition.Parameters.Length)
            return null;
        return _lockEffects.GetOrAdd((definition, ordinal), key =>
        {
            var inProgress = _inProgress.Value!;
            if (!inProgress.Add(key.Item1))
                return null;
            try
            {
                ControlFlowGraph? graph = BodyOf(key.Item1) switch
                {
                    IMethodBodyOperation methodBody => ControlFlowGraph.Create(methodBody, cancellationToken),
                    _ => null,
                };
                if (graph is null)
                    return null;
                var scope = new MethodScope(graph, _symbols, this, depth + 1, System.Array.Empty<(ISymbol, bool)>(), cancellationToken);
                return scope.LockEffectOn(key.Item1.Parameters[key.Item2]);
            }
            finally
            {
                inProgress.Remove(key.Item1);
            }
        });
    }

    /// <summary>A call that dispatches at run time: an interface member, or an abstract or virtual method.</summary>
    public static bool IsDispatched(IMethodSymbol method)
        => method.ContainingType?.TypeKind == TypeKind.Interface || method.IsAbstract || (method.IsVirtual && !method.ContainingType!.IsSealed);

    /// <summary>
    /// A connection factory whose bodies this compilation does not hold (<c>IConnectionProvider.Create()</c>
    /// implemented in another project, <c>DbProviderFactory.CreateConnection()</c>) is read by its name, the one
    /// promise left: <c>Create…</c>, <c>Open…</c>, <c>New…</c> make a connection the caller owns;
    /// <c>Get…</c>, <c>CreateOrGet…</c>, <c>…Current…</c>, <c>…Shared…</c> may hand out one somebody else owns.
    /// Connections only: a unit of work's <c>BeginTransaction()</c> usually keeps (and completes) what it returns.
    /// </summary>
    static ResourceKind? CreatorByName(IMethodSymbol method, ResourceKind kind)
        => kind == ResourceKind.Connection && NpgsqlCalls.IsCreatorName(method.Name) ? kind : null;

    /// <summary>
    /// The interface or abstract factory (<c>IConnectionFactory.Create()</c>) is a factory when every
    /// implementation in the compilation is one, of the same kind.
    /// </summary>
    ResourceKind? ImplementationsAgreeOnFactory(IMethodSymbol method, ResourceKind kind, int depth)
    {
        var implementations = ImplementationsOf(method);
        if (implementations.Count == 0)
            return CreatorByName(method, kind);
        foreach (var candidate in implementations)
        {
            if (ReturnedOwnedKind(candidate, depth, dispatch: false) != kind)
                return null;
        }
        return kind;
    }

    /// <summary>
    /// The bodies a dispatched method can run in this compilation: interface implementations, overrides,
    /// and the virtual method's own body. Read once per method; a method with more than a handful of
    /// implementations counts as unknown (an empty list) rather than cost the IDE a walk per call.
    /// </summary>
    public System.Collections.Generic.List<IMethodSymbol> ImplementationsOf(IMethodSymbol method)
        => _implementations.GetOrAdd(method, m =>
        {
            var found = new System.Collections.Generic.List<IMethodSymbol>();
            if (!m.IsAbstract && m.ContainingType?.TypeKind != TypeKind.Interface && m.DeclaringSyntaxReferences.Length > 0)
                found.Add(m);
            foreach (var type in SourceTypes())
            {
                if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct) || type.IsAbstract && m.ContainingType?.TypeKind == TypeKind.Interface)
                    continue;
                IMethodSymbol? candidate = null;
                if (m.ContainingType?.TypeKind == TypeKind.Interface)
                    candidate = type.FindImplementationForInterfaceMember(m) as IMethodSymbol;
                else
                {
                    foreach (var member in type.GetMembers(m.Name))
                    {
                        for (var overridden = (member as IMethodSymbol)?.OverriddenMethod; overridden is not null; overridden = overridden.OverriddenMethod)
                        {
                            if (SymbolEqualityComparer.Default.Equals(overridden.OriginalDefinition, m))
                            {
                                candidate = (IMethodSymbol)member;
                                break;
                            }
                        }
                    }
                }
                if (candidate is null || candidate.IsAbstract || candidate.DeclaringSyntaxReferences.Length == 0 || found.Contains(candidate, SymbolEqualityComparer.Default))
                    continue;
                found.Add(candidate.OriginalDefinition);
                if (found.Count > 8)
                    return new System.Collections.Generic.List<IMethodSymbol>();
            }
            return found;
        });

    System.Collections.Generic.List<INamedTypeSymbol> SourceTypes()
    {
        if (_sourceTypes is { } known)
            return known;
        var types = new System.Collections.Generic.List<INamedTypeSymbol>();
        var pending = new System.Collections.Generic.Stack<INamespaceOrTypeSymbol>();
        pending.Push(_compilation.Assembly.GlobalNamespace);
        while (pending.Count > 0)
        {
            foreach (var member in pending.Pop().GetMembers())
            {
                if (member is INamespaceSymbol ns)
                    pending.Push(ns);
                else if (member is INamedTypeSymbol type)
                {
                    types.Add(type);
                    pending.Push(type);
                }
            }
        }
        System.Threading.Interlocked.CompareExchange(ref _sourceTypes, types, null);
        return _sourceTypes!;
    }

    bool ReturnsOnlyCreations(IMethodSymbol method, int depth)
    {
        if (BodyOf(method) is not IMethodBodyBaseOperation body)
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

    /// <summary>
    /// The argument a call hands back when the callee is a pass-through of this compilation: every
    /// return gives back the same parameter, as it is or after a null check (<c>value ?? throw ...</c>,
    /// <c>value is null ? throw ... : value</c>). Argument-checking helpers are the common case.
    /// </summary>
    public IOperation? PassedThroughArgument(IInvocationOperation call)
    {
        var definition = call.TargetMethod.OriginalDefinition.ReducedFrom ?? call.TargetMethod.OriginalDefinition;
        if (definition.ReturnsVoid || definition.Parameters.Length == 0 || definition.DeclaringSyntaxReferences.Length == 0)
            return null;
        var ordinal = _passThrough.GetOrAdd(definition, m => PassedThroughParameter(m));
        if (ordinal < 0)
            return null;
        foreach (var argument in call.Arguments)
        {
            if (argument.Parameter?.Ordinal == ordinal)
                return argument.Value;
        }
        return null;
    }

    int PassedThroughParameter(IMethodSymbol method)
    {
        if (BodyOf(method) is not IOperation body)
            return -1;
        var ordinal = -1;
        foreach (var operation in body.Descendants())
        {
            if (operation is IAnonymousFunctionOperation or ILocalFunctionOperation)
                continue;
            if (operation is not IReturnOperation { Kind: OperationKind.Return } ret || !Operations.IsInBody(ret, body))
                continue;
            if (ReturnedParameter(ret.ReturnedValue) is not IParameterSymbol parameter || (ordinal >= 0 && parameter.Ordinal != ordinal))
                return -1;
            ordinal = parameter.Ordinal;
        }
        return ordinal;
    }

    static IParameterSymbol? ReturnedParameter(IOperation? value)
    {
        value = MethodScope.Unwrap(value);
        switch (value)
        {
            case IParameterReferenceOperation parameter:
                return parameter.Parameter;
            case ICoalesceOperation coalesce when MethodScope.Unwrap(coalesce.WhenNull) is IThrowOperation:
                return ReturnedParameter(coalesce.Value);
            case IConditionalOperation conditional when MethodScope.Unwrap(conditional.WhenTrue) is IThrowOperation:
                return ReturnedParameter(conditional.WhenFalse);
            case IConditionalOperation conditional when MethodScope.Unwrap(conditional.WhenFalse) is IThrowOperation:
                return ReturnedParameter(conditional.WhenTrue);
        }
        return null;
    }

    bool IsCreation(IOperation? value, int depth)
        => NpgsqlCalls.TryGetCreation(value, _symbols, method => ReturnedOwnedKind(method, depth), out _, out _, out _);

    /// <summary>
    /// <see cref="MentionsDatabase"/> through dispatch: an interface, abstract or virtual method whose every
    /// implementation in this compilation works with the database (<c>await messageStorage.ReadGlobalStream(...)</c>
    /// is database work, not an unrelated wait).
    /// </summary>
    public bool MentionsDatabaseThroughDispatch(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition;
        if (definition.DeclaringSyntaxReferences.Length == 0)
            return false;
        return _mentionsDatabaseThroughCalls.GetOrAdd(definition, m => MentionsDatabaseWithin(m, CallBudget));
    }

    /// <summary>
    /// How many calls deep "works with the database" is followed: <c>messageStorage.ReadGlobalStream(...)</c> (an
    /// interface) runs <c>PostgresMessageStorage.ReadGlobalStream</c>, which calls <c>database.Execute(query)</c> (another
    /// interface), whose implementation opens the connection.
    /// </summary>
    const int CallBudget = 3;

    /// <summary>
    /// The method, or every implementation of it when it dispatches, works with the database itself or calls (within
    /// <paramref name="budget"/> calls) a method of this compilation that does.
    /// </summary>
    bool MentionsDatabaseWithin(IMethodSymbol method, int budget)
    {
        var definition = method.OriginalDefinition;
        if (definition.DeclaringSyntaxReferences.Length == 0)
            return false;
        if (MentionsDatabase(definition))
            return true;
        return IsDispatched(definition)
            ? EveryImplementation(definition, implementation => BodyMentionsDatabase(implementation, budget))
            : BodyMentionsDatabase(definition, budget);
    }

    /// <summary>Whether the dispatched method has implementations in this compilation and each passes the test.</summary>
    bool EveryImplementation(IMethodSymbol definition, System.Func<IMethodSymbol, bool> test)
    {
        var implementations = ImplementationsOf(definition);
        return implementations.Count > 0 && implementations.All(test);
    }

    bool BodyMentionsDatabase(IMethodSymbol method, int budget)
    {
        if (MentionsDatabase(method))
            return true;
        if (budget <= 0)
            return false;
        var inProgress = _inProgress.Value!;
        if (!inProgress.Add(method.OriginalDefinition))
            return false;
        try
        {
            foreach (var callee in SourceCallees(method))
            {
                if (MentionsDatabaseWithin(callee, budget - 1))
                    return true;
            }
            return false;
        }
        finally
        {
            inProgress.Remove(method.OriginalDefinition);
        }
    }

    /// <summary>The methods of this compilation a method's body calls (read once per method).</summary>
    System.Collections.Generic.List<IMethodSymbol> SourceCallees(IMethodSymbol method)
        => _sourceCallees.GetOrAdd(method.OriginalDefinition, m =>
        {
            var callees = new System.Collections.Generic.List<IMethodSymbol>();
            if (BodyOf(m) is IOperation body)
            {
                foreach (var operation in body.DescendantsAndSelf())
                {
                    if (operation is IInvocationOperation { TargetMethod: var target } && target.DeclaringSyntaxReferences.Length > 0
                        && !callees.Contains(target.OriginalDefinition, SymbolEqualityComparer.Default) && callees.Count < 16)
                        callees.Add(target.OriginalDefinition);
                }
            }
            return callees;
        });

    /// <summary>
    /// Whether a method of this compilation runs a statement on the transaction or connection it receives as parameter
    /// <paramref name="ordinal"/> (every implementation, when it dispatches): it executes a command, a Dapper call or a
    /// runtime query on it, hands a command made on it to something (<c>query.Execute(command, ct)</c>), or passes it on to
    /// another such method. <c>await database.Execute(new LockCheckpoint(...), connection, transaction, ct)</c> is then a
    /// statement in the caller's transaction. Followed up to three calls deep, read once per method and parameter.
    /// </summary>
    public bool RunsStatementOn(IMethodSymbol method, int ordinal, int depth)
    {
        var definition = method.OriginalDefinition;
        if (depth >= CallBudget || ordinal >= definition.Parameters.Length || definition.DeclaringSyntaxReferences.Length == 0
            || _symbols.KindOfVariableType(definition.Parameters[ordinal].Type) is not (ResourceKind.Transaction or ResourceKind.Connection))
            return false;
        if (IsDispatched(definition) && (definition.IsAbstract || definition.ContainingType?.TypeKind == TypeKind.Interface))
            return EveryImplementation(definition, implementation => RunsStatementOn(implementation, ordinal, depth + 1));
        // Only the answer read with the whole budget is kept: one cut short by the depth of an inner question would
        // otherwise stand for the method at every depth, and which came first would decide the result.
        if (depth == 0 && _runsStatementOn.TryGetValue((definition, ordinal), out var known))
            return known;
        var inProgress = _inProgress.Value!;
        if (!inProgress.Add(definition))
            return false;
        try
        {
            var runs = BodyRunsStatementOn(definition, definition.Parameters[ordinal], depth);
            if (depth == 0)
                _runsStatementOn.TryAdd((definition, ordinal), runs);
            return runs;
        }
        finally
        {
            inProgress.Remove(definition);
        }
    }

    bool BodyRunsStatementOn(IMethodSymbol method, IParameterSymbol parameter, int depth)
    {
        if (BodyOf(method) is not IOperation body)
            return false;
        // The parameter and the commands made on it or given it (`var cmd = connection.CreateCommand()`,
        // `new NpgsqlCommand(sql, connection)`, `command.Transaction = transaction`).
        var tied = new System.Collections.Generic.HashSet<ISymbol>(SymbolEqualityComparer.Default) { parameter };
        var commands = new System.Collections.Generic.HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var operation in body.DescendantsAndSelf())
        {
            var (target, value) = operation switch
            {
                IVariableDeclaratorOperation { Initializer.Value: var initial } declarator => ((ISymbol?)declarator.Symbol, initial),
                ISimpleAssignmentOperation { Target: ILocalReferenceOperation local } assignment => (local.Local, assignment.Value),
                ISimpleAssignmentOperation { Target: IPropertyReferenceOperation { Property.Name: "Transaction" or "Connection", Instance: ILocalReferenceOperation command } } assignment => (command.Local, assignment.Value),
                _ => (null, null),
            };
            if (target is not null && value is not null && _symbols.IsDatabaseType(TypeOf(target)) && References(value, tied))
            {
                tied.Add(target);
                if (_symbols.KindOfVariableType(TypeOf(target)) is not (ResourceKind.Transaction or ResourceKind.Connection))
                    commands.Add(target);
            }
        }
        foreach (var operation in body.DescendantsAndSelf())
        {
            if (operation is not IInvocationOperation invocation)
                continue;
            var kind = NpgsqlCalls.Classify(invocation, _symbols);
            var receiver = NpgsqlCalls.Receiver(invocation);
            if (kind is CallKind.ExecuteCommand or CallKind.ExecuteReader or CallKind.BeginCopy or CallKind.DapperCommand or CallKind.RuntimeStatement
                && (receiver is not null && References(receiver, tied) || invocation.Arguments.Any(argument => References(argument.Value, tied))))
                return true;
            if (kind is CallKind.Dispose)
                continue;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter is not IParameterSymbol passedAs || !References(argument.Value, tied))
                    continue;
                if (commands.Count > 0 && References(argument.Value, commands) && !NpgsqlSymbols.IsBorrowingLibrary(invocation.TargetMethod))
                    return true; // a command made on it, handed to whatever runs it
                if (invocation.TargetMethod.DeclaringSyntaxReferences.Length > 0 && RunsStatementOn(invocation.TargetMethod, passedAs.Ordinal, depth + 1))
                    return true;
            }
        }
        return false;
    }

    static ITypeSymbol? TypeOf(ISymbol symbol) => symbol switch
    {
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };

    static bool References(IOperation operation, System.Collections.Generic.HashSet<ISymbol> symbols)
    {
        foreach (var inner in operation.DescendantsAndSelf())
        {
            var referenced = inner switch
            {
                IParameterReferenceOperation parameter => (ISymbol)parameter.Parameter,
                ILocalReferenceOperation local => local.Local,
                _ => null,
            };
            if (referenced is not null && symbols.Contains(referenced))
                return true;
        }
        return false;
    }

    public bool MentionsDatabase(IMethodSymbol method)
    {
        var definition = method.OriginalDefinition;
        if (definition.DeclaringSyntaxReferences.Length == 0)
            return false;
        return _mentionsDatabase.GetOrAdd(definition, m =>
        {
            if (BodyOf(m) is not IOperation body)
                return false;
            foreach (var operation in body.DescendantsAndSelf())
            {
                if (_symbols.IsInteresting(operation.Type))
                    return true;
                if (operation is IInvocationOperation call && NpgsqlSymbols.IsBorrowingLibrary(call.TargetMethod))
                    return true;
            }
            return false;
        });
    }

    /// <summary>
    /// The operation tree of a method of this compilation (its first declaration), or null. Every
    /// summary reads callee bodies through here; each summary is computed once per compilation and
    /// cached, which is what makes asking the compilation for a semantic model acceptable.
    /// </summary>
    IOperation? BodyOf(IMethodSymbol method)
    {
        method = method.PartialImplementationPart ?? method;
        if (method.DeclaringSyntaxReferences.Length == 0)
            return null;
        var syntax = method.DeclaringSyntaxReferences[0].GetSyntax();
        if (!_compilation.ContainsSyntaxTree(syntax.SyntaxTree))
            return null;
#pragma warning disable RS1030 // See above: callee bodies for cached summaries.
        var model = _compilation.GetSemanticModel(syntax.SyntaxTree);
#pragma warning restore RS1030
        return model.GetOperation(syntax);
    }
}
