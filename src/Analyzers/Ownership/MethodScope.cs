using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// The flow-insensitive facts about one control flow graph that the per-path analysis needs:
/// which variables hold owned values, which commands belong to which connection and transaction,
/// which bool locals hold constants, and what lambdas and local functions do to captured values.
/// </summary>
internal sealed class MethodScope
{
    readonly Dictionary<ISymbol, TrackedResource> _resources = new(SymbolEqualityComparer.Default);
    readonly Dictionary<ISymbol, int> _bools = new(SymbolEqualityComparer.Default);
    readonly OwnershipTakingMethods _takers;
    readonly Dictionary<ILocalSymbol, IOperation> _seenAssignments = new(SymbolEqualityComparer.Default);

    /// <summary>`await using var _ = conn.ConfigureAwait(false);`: the local stands for conn.</summary>
    readonly Dictionary<ILocalSymbol, ISymbol> _aliases = new(SymbolEqualityComparer.Default);
    readonly int _depth;

    public MethodScope(ControlFlowGraph graph, NpgsqlSymbols symbols, OwnershipTakingMethods takers, int depth, IEnumerable<(ISymbol Symbol, bool Owned)> outerValues, CancellationToken cancellationToken)
    {
        Graph = graph;
        Symbols = symbols;
        _takers = takers;
        _depth = depth;
        CancellationToken = cancellationToken;
        foreach (var (symbol, owned) in outerValues)
            AddResource(symbol, owned);
        CollectScopeTransaction();
        Collect();
        CollectConnectionsOpenedHere();
        if (Resources.Count > 0)
        {
            // Bool locals that decide ownership or hold a null test: one walk of the original tree for both.
            var tree = new List<IOperation>(Graph.OriginalOperation.Descendants());
            CollectOwnershipFlags(tree);
            CollectNullFlags(tree);
            CollectParametersBegunInto(tree);
        }
        CollectInitializedCommands();
        CollectDeferredQueries();
        CollectAdvisoryLocks();
        LeaveAcquiredLocksToTheCaller();
    }

    /// <summary>The PgTx parameter of a transaction scope body (null elsewhere).</summary>
    public IParameterSymbol? ScopeTx { get; private set; }

    /// <summary>The scope body's transaction, reached through <see cref="ScopeTx"/>.</summary>
    public TrackedResource? ScopeTransaction { get; private set; }

    /// <summary>Commands created by the scope body's <c>tx.CreateCommand</c>: they run in its transaction.</summary>
    public HashSet<ISymbol> ScopeCommands { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// A scope body (InTransactionAsync's body, a [PgTransaction] body) runs in a transaction from its
    /// first statement to its end: the scope commits after the body returns. Its PgTx stands for it.
    /// </summary>
    void CollectScopeTransaction()
    {
        if (Symbols.Scopes is not Infrastructure.TransactionScopes scopes)
            return;
        var original = Graph.OriginalOperation;
        var model = original.SemanticModel;
        for (var graph = Graph.Parent; model is null && graph is not null; graph = graph.Parent)
            model = graph.OriginalOperation.SemanticModel;
        var function = original switch
        {
            IAnonymousFunctionOperation anonymous => anonymous.Symbol,
            ILocalFunctionOperation localFunction => localFunction.Symbol,
            IMethodBodyBaseOperation => model?.GetDeclaredSymbol(original.Syntax, CancellationToken) as IMethodSymbol,
            _ => null,
        };
        if (function is null || scopes.PgTxParameter(function) is not IParameterSymbol tx
            || !scopes.IsScopeBody(function, original.Syntax, model, CancellationToken))
            return;
        ScopeTx = tx;
        ScopeTransaction = new TrackedResource(null, tx.Name, ResourceKind.ScopeTransaction, tx.Locations.Length > 0 ? tx.Locations[0] : Location.None, isOwned: false)
        {
            Index = Resources.Count,
        };
        Resources.Add(ScopeTransaction);
    }

    /// <summary>Whether the operand is the scope body's PgTx (directly or through a flow capture).</summary>
    public bool IsScopeTx(IOperation? operation)
    {
        if (ScopeTx is null)
            return false;
        operation = Unwrap(operation);
        var symbol = operation switch
        {
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFlowCaptureReferenceOperation capture => Captures.TryGetValue(capture.Id, out var captured) ? captured : null,
            _ => null,
        };
        return SymbolEqualityComparer.Default.Equals(symbol, ScopeTx);
    }

    /// <summary>
    /// The SQL text of a query argument of the runtime (a <c>PgSql</c>): a constant, a local holding
    /// one, or an interpolated string whose holes become parameters ($1, $2...). The graph lowers
    /// interpolated-string handlers into calls, so interpolations are read from the syntax.
    /// </summary>
    public string? SqlArgumentText(IArgumentOperation argument)
    {
        if (ConstantText(argument.Value) is string text)
            return text;
        var expression = (argument.Syntax as ArgumentSyntax)?.Expression ?? argument.Value.Syntax as ExpressionSyntax;
        while (expression is ParenthesizedExpressionSyntax parenthesized)
            expression = parenthesized.Expression;
        if (expression is not InterpolatedStringExpressionSyntax interpolated)
            return null;
        var builder = new System.Text.StringBuilder();
        var holes = 0;
        foreach (var content in interpolated.Contents)
        {
            if (content is InterpolatedStringTextSyntax piece)
                builder.Append(piece.TextToken.ValueText);
            else
                builder.Append(" $").Append(++holes).Append(' ');
        }
        return builder.ToString();
    }

    /// <summary>
    /// What a runtime query method runs (<see cref="NpgsqlCalls.StatementTextArgument"/>): the text of
    /// its <c>sql</c> argument, or an INSERT into its <c>table</c> (CopyInAsync, InsertAsync write rows
    /// there). Null when the text is not known.
    /// </summary>
    public string? RuntimeStatementText(IInvocationOperation invocation)
    {
        var argument = NpgsqlCalls.StatementTextArgument(invocation);
        if (argument is null)
            return null;
        if (argument.Parameter!.Name == "sql")
            return SqlArgumentText(argument);
        // An unknown table still writes rows: the statement takes locks, on a table with no name.
        return ConstantText(argument.Value) is string table && IsTableName(table)
            ? "INSERT INTO " + table + " DEFAULT VALUES"
            : "INSERT INTO $1 DEFAULT VALUES";
    }

    /// <summary>A (possibly schema-qualified, possibly quoted) table name, nothing more.</summary>
    static bool IsTableName(string text)
    {
        if (text.Length == 0)
            return false;
        foreach (var c in text)
        {
            if (!(c == '_' || c == '.' || c == '"' || char.IsLetterOrDigit(c)))
                return false;
        }
        return true;
    }

    /// <summary>
    /// `new NpgsqlCommand { Connection = conn, Transaction = tx }`: the graph splits object
    /// initializers into assignments on a compiler temporary, so read them from the original tree.
    /// </summary>
    void CollectInitializedCommands()
    {
        // Walking the original tree costs as much as building the graph; Collect saw whether any
        // object initializer (or a nested function the graph does not show) can be there.
        if (!_mayHaveObjectInitializers && Graph.LocalFunctions.IsEmpty)
            return;
        foreach (var operation in Graph.OriginalOperation.Descendants())
        {
            if (operation is IVariableDeclaratorOperation declarator && Symbols.IsCommandType(declarator.Symbol.Type))
            {
                var value = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                if (Unwrap(value) is IObjectCreationOperation { Initializer: not null } creation)
                    CollectCommand(declarator.Symbol, creation);
            }
        }
    }

    public ControlFlowGraph Graph { get; }
    public NpgsqlSymbols Symbols { get; }
    public CancellationToken CancellationToken { get; }

    public List<TrackedResource> Resources { get; } = new();

    /// <summary>Flow captures (compiler temporaries for <c>?.</c>, <c>??</c>, <c>using (expr)</c>) that hold a tracked value.</summary>
    public Dictionary<CaptureId, ISymbol> Captures { get; } = new();

    /// <summary>Flow captures that hold a freshly created value (the arms of a conditional expression).</summary>
    public Dictionary<CaptureId, IOperation> CreationCaptures { get; } = new();

    /// <summary>Command or batch locals and the connection they run on.</summary>
    public Dictionary<ISymbol, ISymbol> CommandConnections { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Command or batch locals and the transaction they run in.</summary>
    public Dictionary<ISymbol, ISymbol> CommandTransactions { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Commands created by NpgsqlDataSource.CreateCommand: each runs on a pooled connection of its own.</summary>
    public HashSet<ISymbol> DataSourceCommands { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Command locals and the constant SQL text they run, when the method sets it once.</summary>
    public Dictionary<ISymbol, string> CommandSql { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>Locals assigned exactly once, from a constant string.</summary>
    readonly Dictionary<ILocalSymbol, string?> _constantLocals = new(SymbolEqualityComparer.Default);

    public int BoolCount => _bools.Count;

    /// <summary>
    /// The SQL text of an operand: a constant, a local assigned once from a constant, or a field or
    /// property of this compilation that only ever holds one constant (<c>static readonly string Lock =
    /// "SELECT ... FOR UPDATE"</c> in another class, <c>static string Lock => "..."</c>).
    /// </summary>
    public string? ConstantText(IOperation? operation)
    {
        operation = Unwrap(operation);
        if (operation?.ConstantValue is { HasValue: true, Value: string text })
            return text;
        if (operation is ILocalReferenceOperation local)
            return _constantLocals.TryGetValue(local.Local, out var value) ? value : null;
        return ConstantOrMemberText(operation);
    }

    /// <summary>A constant, or a member of this compilation that holds one constant string (see <see cref="ConstantText"/>).</summary>
    string? ConstantOrMemberText(IOperation? operation) => Symbols.MemberConstants.ConstantString(operation, CancellationToken);

    public TrackedResource? Resource(ISymbol? symbol)
        => symbol is not null && _resources.TryGetValue(symbol, out var resource) ? resource : null;

    public int? BoolSlot(ISymbol symbol) => _bools.TryGetValue(symbol, out var slot) ? slot : null;

    /// <summary>The tracked symbol an operand refers to, looking through conversions and flow captures.</summary>
    public ISymbol? ReferencedSymbol(IOperation? operation)
    {
        operation = Unwrap(operation);
        // `await using (tx.ConfigureAwait(false))` disposes tx through a ConfiguredAsyncDisposable.
        // (TaskAsyncEnumerableExtensions.ConfigureAwait is an extension method: tx is its first argument.)
        if (operation is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configured
            && configured.Type?.Name == "ConfiguredAsyncDisposable")
            operation = Unwrap(configured.Instance ?? (configured.Arguments.Length > 0 ? configured.Arguments[0].Value : null));
        // `Check.NotNull(conn, nameof(conn))`: a helper of this compilation that returns its argument
        // hands back the same value, so storing or returning its result stores or returns the argument.
        if (operation is IInvocationOperation call && _takers.PassedThroughArgument(call) is IOperation passed)
            return ReferencedSymbol(passed);
        return operation switch
        {
            ILocalReferenceOperation local => _aliases.TryGetValue(local.Local, out var aliased) ? aliased : local.Local,
            IParameterReferenceOperation parameter => parameter.Parameter,
            IFlowCaptureReferenceOperation capture => Captures.TryGetValue(capture.Id, out var symbol) ? symbol : null,
            _ => null,
        };
    }

    /// <summary>The symbol of a local, parameter or field naming a connection (for matching commands to connections).</summary>
    public ISymbol? ConnectionSymbol(IOperation? operation)
    {
        var symbol = ReferencedSymbol(operation);
        if (symbol is not null)
            return symbol;
        return Unwrap(operation) switch
        {
            IFieldReferenceOperation field => field.Field,
            IPropertyReferenceOperation property when property.Instance is null or IInstanceReferenceOperation => property.Property,
            _ => null,
        };
    }

    public static IOperation? Unwrap(IOperation? operation) => Operations.Unwrap(operation);

    /// <summary>
    /// If <paramref name="value"/> creates an owned value (possibly awaited, with ConfigureAwait),
    /// its kind and, for transactions and readers, the connection operand.
    /// </summary>
    public bool IsCreation(IOperation? value, out ResourceKind kind, out IOperation? connection, out IOperation? command)
    {
        value = Unwrap(value);
        if (value is IFlowCaptureReferenceOperation captured && CreationCaptures.TryGetValue(captured.Id, out var creationValue))
            value = creationValue; // c ? conn.BeginTransaction(a) : conn.BeginTransaction()
        return NpgsqlCalls.TryGetCreation(value, Symbols, method => _takers.ReturnedOwnedKind(method, _depth), out kind, out connection, out command);
    }

    /// <summary>Declared by a using declaration or statement: the method disposes it at the end of the scope.</summary>
    public static bool IsUsingDeclared(ILocalSymbol local)
    {
        if (local.DeclaringSyntaxReferences.Length != 1)
            return false;
        return local.DeclaringSyntaxReferences[0].GetSyntax().Parent?.Parent switch
        {
            LocalDeclarationStatementSyntax declaration => declaration.UsingKeyword != default,
            UsingStatementSyntax => true,
            _ => false,
        };
    }

        void AddResource(ISymbol symbol, bool owned)
    {
        if (_resources.ContainsKey(symbol))
            return;
        var type = symbol switch
        {
            ILocalSymbol local => local.Type,
            IParameterSymbol parameter => parameter.Type,
            _ => null,
        };
        if (Symbols.KindOfVariableType(type) is not ResourceKind kind)
            return;
        var location = symbol.Locations.Length > 0 ? symbol.Locations[0] : Location.None;
        var resource = new TrackedResource(symbol, symbol.Name, kind, location, owned) { Index = Resources.Count };
        _resources.Add(symbol, resource);
        Resources.Add(resource);
    }

    void Collect()
    {
        if (Graph.OriginalOperation is IMethodBodyBaseOperation or IAnonymousFunctionOperation or ILocalFunctionOperation
            || Graph.OriginalOperation.SemanticModel is not null)
        {
            foreach (var parameter in ParametersOf(Graph))
                AddResource(parameter, owned: Symbols.IsOwned(parameter));
        }

        foreach (var block in Graph.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                foreach (var node in operation.DescendantsAndSelf())
                    _nodes.Add((node, false));
            }
            if (block.BranchValue is not null)
            {
                foreach (var node in block.BranchValue.DescendantsAndSelf())
                    _nodes.Add((node, true));
            }
        }

        // Locals become tracked when a creation or a tracked value is assigned to them. Two passes
        // catch `var a = Begin(); var b = a;` without a general fixed point.
        for (var pass = 0; pass < 2; pass++)
        {
            foreach (var (node, _) in _nodes)
                CollectFrom(node);
        }
    }

    /// <summary>
    /// A connection the method borrows (a parameter, a pattern or cast of the caller's) that it opens and
    /// also closes on some path owes the Close on every normal path: <c>conn.Open(); try { ... } catch {
    /// conn.Close(); }</c> leaves it open when nothing throws. A Close under a condition of its own
    /// (<c>if (!wasOpen) conn.Close();</c>, the open-if-closed pattern) is a correlation the flow analysis
    /// cannot follow, so such a connection is not tracked: precision first.
    /// </summary>
    void CollectConnectionsOpenedHere()
    {
        Dictionary<ISymbol, (List<SyntaxNode> Opens, List<SyntaxNode> Closes)>? calls = null;
        foreach (var (node, _) in _nodes)
        {
            if (node is not IInvocationOperation { TargetMethod.Name: "Open" or "OpenAsync" or "Close" or "CloseAsync" or "Dispose" or "DisposeAsync" } invocation)
                continue;
            var kind = NpgsqlCalls.Classify(invocation, Symbols);
            if (kind is not (CallKind.Open or CallKind.Dispose)
                || ReferencedSymbol(NpgsqlCalls.Receiver(invocation)) is not ISymbol connection
                || connection is not (ILocalSymbol or IParameterSymbol)
                || Symbols.KindOfVariableType(connection is ILocalSymbol local ? local.Type : ((IParameterSymbol)connection).Type) != ResourceKind.Connection
                || Resource(connection) is { IsOwned: true })
                continue;
            calls ??= new Dictionary<ISymbol, (List<SyntaxNode>, List<SyntaxNode>)>(SymbolEqualityComparer.Default);
            if (!calls.TryGetValue(connection, out var found))
                calls[connection] = found = (new List<SyntaxNode>(), new List<SyntaxNode>());
            (kind == CallKind.Open ? found.Opens : found.Closes).Add(invocation.Syntax);
        }
        if (calls is null)
            return;
        foreach (var pair in calls)
        {
            var (opens, closes) = pair.Value;
            // `connection.Close(); connection.Open();` reconnects: the close does not end what this method opened.
            if (opens.Count == 0 || closes.Count == 0 || !closes.TrueForAll(close => ConditionsContainAnOpen(close, opens))
                || !closes.Exists(close => opens.Exists(open => open.SpanStart < close.SpanStart)))
                continue;
            AddResource(pair.Key, owned: true);
            if (Resource(pair.Key) is not TrackedResource resource)
                continue;
            resource.IsOwned = true;
            resource.OpenedHere = true;
        }
    }

    /// <summary>
    /// Bool locals that decide whether an owned value was created here or borrowed:
    /// <c>var external = current != null; var tx = external ? current : conn.BeginTransaction(); ... if (!external)
    /// tx.Commit();</c>. The flag is assigned once, and every creation of the value sits on one side of a test
    /// of it; on the other side of any later test of the flag the value owns nothing.
    /// </summary>
    public Dictionary<ILocalSymbol, List<(TrackedResource Resource, bool OwnedWhen)>> OwnershipFlags { get; } = new(SymbolEqualityComparer.Default);

    void CollectOwnershipFlags(List<IOperation> tree)
    {
        Dictionary<ISymbol, (ILocalSymbol Flag, bool OwnedWhen, int At)?>? creations = null;
        Dictionary<ILocalSymbol, int>? lastAssignment = null;
        foreach (var operation in tree)
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation { Symbol.Type.SpecialType: SpecialType.System_Boolean, Initializer: not null } flagDeclarator:
                    Assigned(flagDeclarator.Symbol, operation);
                    break;
                case IAssignmentOperation { Target: ILocalReferenceOperation { Local.Type.SpecialType: SpecialType.System_Boolean } flag }:
                    Assigned(flag.Local, operation);
                    break;
            }
            if (operation is IVariableDeclaratorOperation { Initializer.Value: { } declared } declarator)
                Created(declarator.Symbol, declared, operation);
            else if (operation is ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment)
                Created(target.Local, assignment.Value, operation);
        }
        if (creations is null)
            return;
        foreach (var pair in creations)
        {
            // The flag must keep the value it had when the value was created: no assignment after that.
            if (pair.Value is not (ILocalSymbol flag, bool ownedWhen, int at) || Resource(pair.Key) is not { IsOwned: true } resource
                || lastAssignment is null || !lastAssignment.TryGetValue(flag, out var last) || last > at)
                continue;
            if (!OwnershipFlags.TryGetValue(flag, out var decided))
                OwnershipFlags[flag] = decided = new List<(TrackedResource, bool)>();
            decided.Add((resource, ownedWhen));
        }

        void Assigned(ILocalSymbol flag, IOperation site)
        {
            lastAssignment ??= new Dictionary<ILocalSymbol, int>(SymbolEqualityComparer.Default);
            lastAssignment[flag] = System.Math.Max(lastAssignment.TryGetValue(flag, out var known) ? known : 0, site.Syntax.SpanStart);
        }

        void Created(ILocalSymbol local, IOperation value, IOperation site)
        {
            if (Resource(local) is not { IsOwned: true })
                return;
            value = Unwrap(value)!;
            (ILocalSymbol, bool, int)? decided = null;
            if (value is IConditionalOperation { WhenFalse: not null } choice && FlagOf(choice.Condition) is (ILocalSymbol flag, bool polarity))
            {
                var trueCreates = IsCreation(choice.WhenTrue, out _, out _, out _);
                var falseCreates = IsCreation(choice.WhenFalse, out _, out _, out _);
                if (trueCreates == falseCreates)
                    return;
                decided = (flag, trueCreates == polarity, site.Syntax.SpanStart);
            }
            else if (IsCreation(value, out _, out _, out _))
            {
                // `if (!external) tx = conn.BeginTransaction();`
                IOperation branch = site;
                for (var parent = site.Parent; parent is not null && decided is null; branch = parent, parent = parent.Parent)
                {
                    if (parent is IConditionalOperation test && FlagOf(test.Condition) is (ILocalSymbol guard, bool guardPolarity) && branch != test.Condition)
                        decided = (guard, (branch == test.WhenTrue) == guardPolarity, site.Syntax.SpanStart);
                }
            }
            else if (value is ILocalReferenceOperation source && creations is not null && creations.TryGetValue(source.Local, out var inherited))
            {
                // `var transaction = (NpgsqlTransaction?)dbTransaction;`: the same value, decided by the same flag.
                decided = inherited;
            }
            else
            {
                return; // not a creation: the local takes a value it does not own, which says nothing here
            }
            creations ??= new Dictionary<ISymbol, (ILocalSymbol, bool, int)?>(SymbolEqualityComparer.Default);
            if (decided is null || creations.TryGetValue(local, out var earlier) && !Equals(earlier, decided))
                creations[local] = null; // a creation no flag decides, or two that disagree
            else
                creations[local] = decided;
        }
    }

    /// <summary>
    /// Borrowed transaction parameters the method replaces with a transaction it begins itself
    /// (<c>if (transaction == null) transaction = connection.BeginTransaction();</c>): on some paths the value is
    /// the caller's, on others the method's own, and only the own one is the method's to complete.
    /// </summary>
    public HashSet<IParameterSymbol> ParametersBegunInto { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// Bool locals that are true only where the method began its own transaction into a parameter: every
    /// assignment is a constant, and each <c>true</c> sits in a block that also begins into that parameter
    /// (<c>var owned = false; if (transaction == null) { transaction = connection.BeginTransaction(); owned = true; }</c>).
    /// Where such a flag tests true, the parameter holds the method's own transaction.
    /// </summary>
    public Dictionary<ILocalSymbol, IParameterSymbol> BegunHereFlags { get; } = new(SymbolEqualityComparer.Default);

    void CollectParametersBegunInto(List<IOperation> tree)
    {
        Dictionary<IOperation, IParameterSymbol>? beginBlocks = null;
        foreach (var operation in tree)
        {
            if (operation is ISimpleAssignmentOperation { Target: IParameterReferenceOperation target } assignment
                && Resource(target.Parameter) is { Kind: ResourceKind.Transaction, IsOwned: false }
                && NpgsqlCalls.UnwrapAwaited(assignment.Value) is IInvocationOperation begin
                && NpgsqlCalls.Classify(begin, Symbols) == CallKind.BeginTransaction)
            {
                ParametersBegunInto.Add(target.Parameter);
                if (StatementBlock(assignment) is IOperation block)
                    (beginBlocks ??= new Dictionary<IOperation, IParameterSymbol>())[block] = target.Parameter;
            }
        }
        if (beginBlocks is null)
            return;

        // Per flag: the parameter its `true` assignments begin into (null while only `false` was seen).
        var candidates = new Dictionary<ILocalSymbol, IParameterSymbol?>(SymbolEqualityComparer.Default);
        var ruledOut = new HashSet<ILocalSymbol>(SymbolEqualityComparer.Default);
        foreach (var operation in tree)
        {
            var (flag, value) = operation switch
            {
                IVariableDeclaratorOperation { Symbol.Type.SpecialType: SpecialType.System_Boolean } declarator => (declarator.Symbol, declarator.Initializer?.Value),
                ISimpleAssignmentOperation { Target: ILocalReferenceOperation { Local.Type.SpecialType: SpecialType.System_Boolean } target } assigned => (target.Local, assigned.Value),
                IAssignmentOperation { Target: ILocalReferenceOperation { Local.Type.SpecialType: SpecialType.System_Boolean } target } => (target.Local, null),
                _ => (null, null),
            };
            if (flag is null || ruledOut.Contains(flag))
                continue;
            // `bool owned;` starts unassigned: as good as false for this purpose.
            bool? constant = value is null ? (operation is IVariableDeclaratorOperation ? false : null)
                : Unwrap(value) is { ConstantValue: { HasValue: true, Value: bool truth } } ? truth : null;
            candidates.TryGetValue(flag, out var parameter);
            if (constant == false)
            {
                candidates[flag] = parameter;
                continue;
            }
            if (constant == true && StatementBlock(operation) is IOperation block && beginBlocks.TryGetValue(block, out var begunInto)
                && (parameter is null || SymbolEqualityComparer.Default.Equals(parameter, begunInto)))
            {
                candidates[flag] = begunInto;
                continue;
            }
            ruledOut.Add(flag);
        }
        foreach (var pair in candidates)
        {
            if (pair.Value is not null && !ruledOut.Contains(pair.Key))
                BegunHereFlags[pair.Key] = pair.Value;
        }
    }

    /// <summary>The block whose statement list holds the statement of <paramref name="operation"/>.</summary>
    static IOperation? StatementBlock(IOperation operation)
    {
        var statement = operation;
        while (statement.Parent is not null and not IBlockOperation)
        {
            if (statement.Parent is IVariableDeclarationGroupOperation or IVariableDeclarationOperation or IExpressionStatementOperation
                || statement is IVariableDeclaratorOperation or IVariableDeclarationOperation)
            {
                statement = statement.Parent;
                continue;
            }
            if (statement.Parent is IAssignmentOperation or IConversionOperation or IParenthesizedOperation)
            {
                statement = statement.Parent;
                continue;
            }
            return null;
        }
        return statement.Parent;
    }

    /// <summary>
    /// A test of a bool local (<c>flag</c>, <c>!flag</c>, <c>flag == false</c>): the local, and the truth value
    /// it has when the test holds.
    /// </summary>
    public static (ILocalSymbol Flag, bool Polarity)? FlagOf(IOperation condition)
    {
        var polarity = true;
        condition = Unwrap(condition)!;
        while (true)
        {
            if (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
            {
                polarity = !polarity;
                condition = Unwrap(not.Operand)!;
            }
            else if (condition is IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals, RightOperand.ConstantValue: { HasValue: true, Value: bool constant } } comparison)
            {
                // flag == false, flag != true
                if (constant != (comparison.OperatorKind == BinaryOperatorKind.Equals))
                    polarity = !polarity;
                condition = Unwrap(comparison.LeftOperand)!;
            }
            else
            {
                break;
            }
        }
        return condition is ILocalReferenceOperation { Local.Type.SpecialType: SpecialType.System_Boolean } local ? (local.Local, polarity) : null;
    }

    /// <summary>
    /// Bool locals assigned once from a null test of a tracked value (<c>var hasTransaction = transaction == null
    /// || Transaction.Current != null;</c>): what each truth value of the flag says about the value's nullness
    /// (false here means <c>transaction != null</c>). Lets a later <c>if (hasTransaction == false)</c> know it.
    /// </summary>
    public Dictionary<ILocalSymbol, (List<(ISymbol Value, bool IsNull)> WhenTrue, List<(ISymbol Value, bool IsNull)> WhenFalse)> NullFlags { get; } = new(SymbolEqualityComparer.Default);

    void CollectNullFlags(List<IOperation> tree)
    {
        Dictionary<ILocalSymbol, int>? assignments = null;
        List<(ILocalSymbol, IOperation)>? candidates = null;
        foreach (var operation in tree)
        {
            ILocalSymbol? assigned = operation switch
            {
                IVariableDeclaratorOperation { Symbol.Type.SpecialType: SpecialType.System_Boolean, Initializer: not null } declarator => declarator.Symbol,
                IAssignmentOperation { Target: ILocalReferenceOperation { Local.Type.SpecialType: SpecialType.System_Boolean } target } => target.Local,
                _ => null,
            };
            if (assigned is null)
                continue;
            assignments ??= new Dictionary<ILocalSymbol, int>(SymbolEqualityComparer.Default);
            assignments[assigned] = (assignments.TryGetValue(assigned, out var count) ? count : 0) + 1;
            if (operation is IVariableDeclaratorOperation { Initializer.Value: { } value })
                (candidates ??= new List<(ILocalSymbol, IOperation)>()).Add((assigned, value));
        }
        if (candidates is null)
            return;
        foreach (var (flag, value) in candidates)
        {
            if (assignments![flag] != 1)
                continue;
            var whenTrue = new List<(ISymbol, bool)>();
            var whenFalse = new List<(ISymbol, bool)>();
            Implies(value, true, whenTrue);
            Implies(value, false, whenFalse);
            if (whenTrue.Count + whenFalse.Count > 0)
                NullFlags[flag] = (whenTrue, whenFalse);
        }

        void Implies(IOperation condition, bool truth, List<(ISymbol, bool)> into)
        {
            condition = Unwrap(condition)!;
            switch (condition)
            {
                case IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not:
                    Implies(not.Operand, !truth, into);
                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalOr } either when !truth:
                    Implies(either.LeftOperand, false, into);
                    Implies(either.RightOperand, false, into);
                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } both when truth:
                    Implies(both.LeftOperand, true, into);
                    Implies(both.RightOperand, true, into);
                    break;
                case IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals or BinaryOperatorKind.NotEquals } test when IsNullConstant(test.RightOperand):
                    if (Resource(ReferencedSymbol(test.LeftOperand)) is { Symbol: { } tested })
                        into.Add((tested, (test.OperatorKind == BinaryOperatorKind.Equals) == truth));
                    break;
                case IIsPatternOperation { Pattern: IConstantPatternOperation constant } pattern when IsNullConstant(constant.Value):
                    if (Resource(ReferencedSymbol(pattern.Value)) is { Symbol: { } isNull })
                        into.Add((isNull, truth));
                    break;
                case IIsPatternOperation { Pattern: INegatedPatternOperation { Pattern: IConstantPatternOperation constant } } pattern when IsNullConstant(constant.Value):
                    if (Resource(ReferencedSymbol(pattern.Value)) is { Symbol: { } notNull })
                        into.Add((notNull, !truth));
                    break;
            }
        }

        static bool IsNullConstant(IOperation operation)
            => Unwrap(operation) is { ConstantValue: { HasValue: true, Value: null } };
    }

    /// <summary>Every if or conditional around the close (inside the body) also holds one of the opens.</summary>
    static bool ConditionsContainAnOpen(SyntaxNode close, List<SyntaxNode> opens)
    {
        for (var node = close.Parent; node is not null && node is not MemberDeclarationSyntax && node is not AnonymousFunctionExpressionSyntax && node is not LocalFunctionStatementSyntax; node = node.Parent)
        {
            if (node is not (IfStatementSyntax or ConditionalExpressionSyntax or SwitchSectionSyntax or SwitchExpressionArmSyntax))
                continue;
            var condition = node;
            if (!opens.Exists(open => condition.Span.Contains(open.Span)))
                return false;
        }
        return true;
    }

    readonly List<(IOperation Node, bool InBranchValue)> _nodes = new();

    /// <summary>
    /// Every operation of the graph's blocks, in block order: each statement's tree, then the branch
    /// value's. Walked once here and read by every later pass (several walks per body were a visible
    /// part of the engine's time).
    /// </summary>
    public IReadOnlyList<(IOperation Node, bool InBranchValue)> Nodes => _nodes;

    /// <summary>Connections of this method that take session-level advisory locks, and their lock resources.</summary>
    public Dictionary<ISymbol, TrackedResource> AdvisoryLocks { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>A session advisory lock resource for a connection whose SQL takes one.</summary>
    /// <summary>
    /// What a call of a helper of this compilation does to session advisory locks on the connections
    /// passed to it: the connection (as this method names it) and the SQL that stands for the effect
    /// (<c>SELECT pg_advisory_lock(0)</c> for an acquisition helper, <c>SELECT pg_advisory_unlock(0)</c> for a
    /// release helper). Empty for everything else.
    /// </summary>
    /// <remarks>Read once, while the scope collects advisory locks; the flow analysis looks the call up here.</remarks>
    public List<(ISymbol Connection, string Sql)>? LockHelperEffects(IInvocationOperation invocation)
        => _lockHelperEffects.TryGetValue(invocation, out var effects) ? effects : null;

    readonly Dictionary<IInvocationOperation, List<(ISymbol, string)>> _lockHelperEffects = new();

    List<(ISymbol, string)>? ReadLockHelperEffects(IInvocationOperation invocation)
    {
        var method = invocation.TargetMethod;
        if (method.DeclaringSyntaxReferences.Length == 0 || NpgsqlSymbols.IsBorrowingLibrary(method))
            return null;
        List<(ISymbol, string)>? effects = null;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not IParameterSymbol parameter || Symbols.KindOfVariableType(parameter.Type) != ResourceKind.Connection)
                continue;
            if (ConnectionSymbol(argument.Value) is ISymbol connection && _takers.LockEffect(method, parameter.Ordinal, _depth, CancellationToken) is string sql)
                (effects ??= new List<(ISymbol, string)>()).Add((connection, sql));
        }
        if (effects is not null)
            _lockHelperEffects[invocation] = effects;
        return effects;
    }

    /// <summary>
    /// For a method's own parameter: the session lock this body leaves held on it for its caller (an
    /// acquisition helper), or the unlock it runs on it (a release helper), as SQL; null otherwise.
    /// </summary>
    public string? LockEffectOn(IParameterSymbol parameter)
    {
        if (AdvisoryLocks.TryGetValue(parameter, out var held) && !held.IsOwned)
            return "SELECT " + (held.LockFunction ?? "pg_advisory_lock") + "(0)";
        return !AdvisoryLocks.ContainsKey(parameter) && _unlockedConnections.Contains(parameter) ? "SELECT pg_advisory_unlock(0)" : null;
    }

    /// <summary>Connections this method unlocks a session advisory lock on (any key).</summary>
    readonly HashSet<ISymbol> _unlockedConnections = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// A method that takes a session lock on a connection it was given (a parameter or a field) and
    /// never unlocks anything on it is an acquisition helper: its contract is to return holding the
    /// lock, and releasing it is its caller's (or its object's) business. Its locks are borrowed,
    /// not owned. A method that unlocks on some path, or that owns the connection, is still checked.
    /// </summary>
    void LeaveAcquiredLocksToTheCaller()
    {
        foreach (var pair in AdvisoryLocks)
        {
            if (pair.Key is IParameterSymbol or IFieldSymbol or IPropertySymbol && !_unlockedConnections.Contains(pair.Key))
                pair.Value.IsOwned = false;
        }
    }

    void AddAdvisoryLock(ISymbol connection, Sql.SqlText text)
    {
        foreach (var statement in text.Statements)
        {
            foreach (var call in statement.AdvisoryLocks)
            {
                if (call.SessionLevel && call.Unlock)
                    _unlockedConnections.Add(connection);
                if (!call.SessionLevel || call.Unlock)
                    continue;
                if (!AdvisoryLocks.TryGetValue(connection, out var resource))
                {
                    resource = new TrackedResource(null, connection.Name, ResourceKind.AdvisoryLock, Location.None, isOwned: true)
                    {
                        Index = Resources.Count,
                        Connection = connection,
                        LockFunction = call.Function,
                    };
                    Resources.Add(resource);
                    AdvisoryLocks.Add(connection, resource);
                }
                if (!call.Try)
                    resource.OnlyTryLocks = false;
            }
        }
    }

    void CollectAdvisoryLocks()
    {
        foreach (var pair in CommandSql)
        {
            if (CommandConnections.TryGetValue(pair.Key, out var connection) && pair.Value.IndexOf("advisory", System.StringComparison.OrdinalIgnoreCase) >= 0)
                AddAdvisoryLock(connection, Sql.SqlClassifier.Classify(pair.Value));
        }
        foreach (var (node, inBranchValue) in _nodes)
        {
            if (inBranchValue || node is not IInvocationOperation invocation)
                continue;
            var kind = NpgsqlCalls.Classify(invocation, Symbols);
            if (kind == CallKind.RuntimeStatement
                && Symbols.KindOfVariableType(NpgsqlCalls.Receiver(invocation)?.Type) == ResourceKind.Connection
                && ConnectionSymbol(NpgsqlCalls.Receiver(invocation)) is ISymbol runtimeConnection
                && RuntimeStatementText(invocation) is string runtimeSql
                && runtimeSql.IndexOf("advisory", System.StringComparison.OrdinalIgnoreCase) >= 0)
            {
                AddAdvisoryLock(runtimeConnection, Sql.SqlClassifier.Classify(runtimeSql));
            }
            else if (_depth < 2 && ReadLockHelperEffects(invocation) is { } effects)
            {
                // A helper of this compilation that takes or releases a session lock on the
                // connection it is given (`await LockAsync(conn, key)`): the lock is this method's.
                foreach (var (lockedConnection, lockSql) in effects)
                    AddAdvisoryLock(lockedConnection, Sql.SqlClassifier.Classify(lockSql));
            }
            else if (kind == CallKind.DapperCommand
                && ConnectionSymbol(NpgsqlCalls.Receiver(invocation)) is ISymbol connection)
            {
                foreach (var argument in invocation.Arguments)
                {
                    if (argument.Parameter?.Name == "sql" && ConstantText(argument.Value) is string sql && sql.IndexOf("advisory", System.StringComparison.OrdinalIgnoreCase) >= 0)
                        AddAdvisoryLock(connection, Sql.SqlClassifier.Classify(sql));
                }
            }
        }
    }

    /// <summary>
    /// The value of every flow capture: what the receiver of a call on a compiler temporary is (the
    /// enumerator of an <c>await foreach</c>, whose hidden <c>MoveNextAsync</c> awaits it).
    /// </summary>
    public Dictionary<CaptureId, IOperation> CaptureValues { get; } = new();

    /// <summary>The graph creates an object with an initializer, or holds a lambda (see <see cref="CollectInitializedCommands"/>).</summary>
    bool _mayHaveObjectInitializers;

    void CollectFrom(IOperation node)
    {
        if (node is IObjectCreationOperation { Syntax: BaseObjectCreationExpressionSyntax { Initializer: not null } } or IFlowAnonymousFunctionOperation)
            _mayHaveObjectInitializers = true;
        if (node is IFlowCaptureOperation anyCapture && !CaptureValues.ContainsKey(anyCapture.Id))
            CaptureValues[anyCapture.Id] = anyCapture.Value;
        switch (node)
        {
            case IFlowCaptureOperation creation when !CreationCaptures.ContainsKey(creation.Id) && IsCreation(creation.Value, out _, out _, out _):
                CreationCaptures[creation.Id] = creation.Value;
                break;
            case IFlowCaptureOperation capture when ReferencedSymbol(capture.Value) is ISymbol captured && Resource(captured) is not null:
                Captures[capture.Id] = captured;
                break;
            case IFlowCaptureOperation capture when ScopeTx is not null && IsScopeTx(capture.Value):
                Captures[capture.Id] = ScopeTx;
                break;
            case IFlowCaptureOperation capture when Unwrap(capture.Value) is ILocalReferenceOperation commandLocal && Symbols.IsCommandType(commandLocal.Type):
                Captures[capture.Id] = commandLocal.Local;
                break;
            case ISimpleAssignmentOperation assignment:
                CollectAssignment(assignment);
                break;
            case IObjectCreationOperation creation when Symbols.IsCommandType(creation.Type):
                break;
        }
    }

    void CollectAssignment(ISimpleAssignmentOperation assignment)
    {
        var target = Unwrap(assignment.Target);
        if (target is ILocalReferenceOperation configuredLocal && configuredLocal.Local.Type.Name == "ConfiguredAsyncDisposable"
            && ReferencedSymbol(assignment.Value) is ISymbol configured && Resource(configured) is not null)
        {
            _aliases[configuredLocal.Local] = configured;
            return;
        }
        if (target is ILocalReferenceOperation local)
        {
            if (local.Local.Type.SpecialType == SpecialType.System_String)
            {
                // Seen twice (second pass) is still one assignment; a second distinct one makes it unknown.
                var text = ConstantOrMemberText(assignment.Value);
                if (_constantLocals.TryGetValue(local.Local, out var known) && !ReferenceEquals(_seenAssignments.TryGetValue(local.Local, out var seen) ? seen : null, assignment))
                    _constantLocals[local.Local] = null;
                else if (!_constantLocals.ContainsKey(local.Local))
                    _constantLocals[local.Local] = text;
                _seenAssignments[local.Local] = assignment;
            }

            if (local.Local.Type.SpecialType == SpecialType.System_Boolean
                && Unwrap(assignment.Value) is ILiteralOperation { ConstantValue.HasValue: true }
                && !_bools.ContainsKey(local.Local))
            {
                _bools.Add(local.Local, _bools.Count);
            }

            // A local declared by `using`/`await using` is owned here whatever produced it (a project
            // factory, a delegate): the method disposes it, and disposing a connection ends what runs on it.
            // A local holding a value the method borrows (`var tx = (NpgsqlTransaction)value;`) borrows it too.
            if (IsCreation(assignment.Value, out _, out _, out _) || IsUsingDeclared(local.Local))
                AddResource(local.Local, owned: true);
            else if (Resource(ReferencedSymbol(assignment.Value)) is TrackedResource source)
                AddResource(local.Local, owned: source.IsOwned);

            if (Symbols.IsCommandType(local.Local.Type))
                CollectCommand(local.Local, assignment.Value);
            return;
        }

        // cmd.Connection = conn; cmd.Transaction = tx;
        if (target is IPropertyReferenceOperation property && ReferencedSymbol(property.Instance) is ISymbol command && Symbols.IsCommandType(property.Instance!.Type))
        {
            var link = CommandShape.PropertyOf(property);
            if (link == CommandProperty.Connection && ConnectionSymbol(assignment.Value) is ISymbol connection)
                CommandConnections[command] = connection;
            else if (link == CommandProperty.Transaction && ReferencedSymbol(assignment.Value) is ISymbol transaction)
                CommandTransactions[command] = transaction;
            else if (link == CommandProperty.CommandText && ConstantText(assignment.Value) is string sql)
                CommandSql[command] = sql;
        }
    }

    void CollectCommand(ISymbol command, IOperation value)
    {
        void Link(IOperation? text, IOperation? connection, IOperation? transaction)
        {
            if (ConstantText(text) is string sql)
                CommandSql[command] = sql;
            if (ConnectionSymbol(connection) is ISymbol connectionSymbol)
                CommandConnections[command] = connectionSymbol;
            if (ReferencedSymbol(transaction) is ISymbol transactionSymbol)
                CommandTransactions[command] = transactionSymbol;
        }

        value = Unwrap(value)!;
        switch (value)
        {
            case IInvocationOperation { TargetMethod.Name: "CreateCommand" } fromScope when IsScopeTx(NpgsqlCalls.Receiver(fromScope)):
                // PgTx.CreateCommand: the command runs in the scope's transaction.
                ScopeCommands.Add(command);
                foreach (var argument in fromScope.Arguments)
                {
                    if (argument.Parameter?.Name == "sql" && SqlArgumentText(argument) is string scopeSql)
                        CommandSql[command] = scopeSql;
                }
                break;
            case IObjectCreationOperation creation:
            {
                // The initializer runs after the constructor: what it sets wins. The engine reads the text of
                // commands only (cmdText), not of batch commands.
                var shape = CommandShape.Read(creation, Symbols);
                Link(shape.TextArgument is { Parameter.Name: "cmdText" } textArgument ? textArgument.Value : null, shape.ConnectionArgument, shape.TransactionArgument);
                Link(shape.TextInitializer, shape.ConnectionInitializer, shape.TransactionInitializer);
                break;
            }
            case IInvocationOperation { TargetMethod.Name: "CreateCommand" } fromDataSource
                when NpgsqlSymbols.IsOrDerives(NpgsqlCalls.Receiver(fromDataSource)?.Type, Symbols.NpgsqlDataSource):
                // NpgsqlDataSource.CreateCommand: the command gets a connection of its own from the pool.
                DataSourceCommands.Add(command);
                foreach (var argument in fromDataSource.Arguments)
                {
                    if (ConstantText(argument.Value) is string text)
                        CommandSql[command] = text;
                }
                break;
            case IInvocationOperation { TargetMethod.Name: "CreateCommand" or "CreateBatch" } invocation
                when Symbols.KindOfVariableType(NpgsqlCalls.Receiver(invocation)?.Type) == ResourceKind.Connection:
                if (ConnectionSymbol(NpgsqlCalls.Receiver(invocation)) is ISymbol owner)
                    CommandConnections[command] = owner;
                break;
        }
    }

    /// <summary>
    /// Locals assigned from a deferred query (<see cref="LazySequences.IsDeferredQuery"/>) that was handed a
    /// tracked transaction: enumerating one runs the query in that transaction, whatever happened to it since.
    /// Null for a local assigned more than once (not followed: precision first).
    /// </summary>
    public Dictionary<ILocalSymbol, DeferredQuery?> DeferredQueries { get; } = new(SymbolEqualityComparer.Default);

    void CollectDeferredQueries()
    {
        if (!Resources.Exists(resource => resource.Kind == ResourceKind.Transaction))
            return;
        foreach (var (node, _) in _nodes)
        {
            if (node is not ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } assignment
                || target.Local.Type is not INamedTypeSymbol { Arity: 1, Name: "IAsyncEnumerable" or "IEnumerable" or "ConfiguredCancelableAsyncEnumerable" })
                continue;
            DeferredQueries[target.Local] = DeferredQueries.ContainsKey(target.Local) ? null : DeferredQueryOf(assignment.Value);
        }
    }

    /// <summary>The deferred query <paramref name="value"/> makes, when a tracked transaction is its receiver or an argument.</summary>
    DeferredQuery? DeferredQueryOf(IOperation value)
    {
        if (LazySequences.Source(value) is not IInvocationOperation call || !LazySequences.IsDeferredQuery(call))
            return null;
        var operands = new List<IOperation>(call.Arguments.Length + 1);
        if (call.Instance is not null)
            operands.Add(call.Instance);
        foreach (var argument in call.Arguments)
            operands.Add(argument.Value);
        foreach (var operand in operands)
        {
            if (Resource(ReferencedSymbol(operand)) is { Kind: ResourceKind.Transaction } transaction)
            {
                // A delegate is named by itself (`func`), not by its Invoke method.
                var name = call.TargetMethod.MethodKind == MethodKind.DelegateInvoke && call.Instance is not null
                    ? Operations.Shorten(call.Instance.Syntax.ToString())
                    : call.TargetMethod.Name;
                return new DeferredQuery(transaction.Symbol!, Unwrap(operand)!.Syntax.GetLocation(), name, call.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1);
            }
        }
        return null;
    }

    readonly Dictionary<ISymbol, List<SyntaxNode>> _readerReads = new(SymbolEqualityComparer.Default);
    List<(Microsoft.CodeAnalysis.Text.TextSpan Body, string Stream)>? _queryStreams;

    /// <summary>
    /// Whether <paramref name="reader"/> is read again after <paramref name="point"/>: a use of it (not
    /// its Dispose or Close) later in the body, or anywhere in a loop of the same function that
    /// encloses the point (the next iteration reads it).
    /// </summary>
    public bool IsReadAfter(ISymbol reader, SyntaxNode point)
    {
        if (!_readerReads.TryGetValue(reader, out var reads))
        {
            reads = new List<SyntaxNode>();
            foreach (var operation in Graph.OriginalOperation.Descendants())
            {
                if (operation is ILocalReferenceOperation or IParameterReferenceOperation
                    && ReferencedSymbol(operation) is ISymbol symbol && SymbolEqualityComparer.Default.Equals(symbol, reader)
                    && !IsDisposeReceiver(operation))
                    reads.Add(operation.Syntax);
            }
            _readerReads[reader] = reads;
        }
        if (reads.Count == 0)
            return false;
        foreach (var read in reads)
        {
            if (read.SpanStart >= point.Span.End)
                return true;
        }
        for (var node = point.Parent; node is not null; node = node.Parent)
        {
            if (node is AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or MemberDeclarationSyntax)
                break;
            if (node is WhileStatementSyntax or DoStatementSyntax or ForStatementSyntax or CommonForEachStatementSyntax)
            {
                // A reader declared inside the loop is a new reader each iteration: the next
                // iteration's reads are of the next statement's reader, not this one.
                if (reader is ILocalSymbol { DeclaringSyntaxReferences.Length: 1 } local && node.Span.Contains(local.DeclaringSyntaxReferences[0].Span))
                    continue;
                foreach (var read in reads)
                {
                    if (node.Span.Contains(read.Span))
                        return true;
                }
            }
        }
        return false;
    }

    static bool IsDisposeReceiver(IOperation reference)
    {
        var parent = reference.Parent;
        while (parent is IConversionOperation)
            parent = parent.Parent;
        return parent is IInvocationOperation { TargetMethod.Name: "Dispose" or "DisposeAsync" or "Close" or "CloseAsync" } invocation
            && invocation.Instance is not null;
    }

    /// <summary>
    /// The database query stream whose <c>await foreach</c> body holds <paramref name="point"/>, described
    /// for messages ("The stream of 'QueryStreamAsync' (line 12)"); null when there is none.
    /// </summary>
    public string? EnclosingQueryStream(SyntaxNode point)
    {
        if (_queryStreams is null)
        {
            _queryStreams = new();
            foreach (var operation in Graph.OriginalOperation.Descendants())
            {
                if (operation is IForEachLoopOperation { IsAsynchronous: true } loop && QueryStream(loop.Collection) is IInvocationOperation query)
                {
                    var line = query.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                    _queryStreams.Add((loop.Body.Syntax.Span, $"The stream of '{query.TargetMethod.Name}' (line {line})"));
                }
            }
        }
        foreach (var (body, stream) in _queryStreams)
        {
            if (body.Contains(point.Span) && point.SyntaxTree == Graph.OriginalOperation.Syntax.SyntaxTree)
                return stream;
        }
        return null;
    }

    /// <summary>
    /// The call that makes an <c>await foreach</c> collection a database query stream: a method of
    /// Npgsql, Dapper or the runtime that takes SQL and returns an <c>IAsyncEnumerable</c>
    /// (QueryStreamAsync, Dapper's QueryUnbufferedAsync), possibly through WithCancellation,
    /// ConfigureAwait or a local assigned once.
    /// </summary>
    IInvocationOperation? QueryStream(IOperation? collection)
    {
        for (var hops = 0; hops < 8; hops++)
        {
            collection = Unwrap(collection);
            switch (collection)
            {
                case IInvocationOperation { TargetMethod.Name: "WithCancellation" or "ConfigureAwait" } wrapper:
                    collection = NpgsqlCalls.Receiver(wrapper);
                    continue;
                case ILocalReferenceOperation local:
                    collection = SingleInitializer(local.Local);
                    continue;
                case IInvocationOperation invocation
                    when NpgsqlSymbols.IsBorrowingLibrary(invocation.TargetMethod)
                    && invocation.TargetMethod.ReturnType.Name == "IAsyncEnumerable"
                    && NpgsqlCalls.StatementTextArgument(invocation) is { Parameter.Name: "sql" }:
                    return invocation;
                default:
                    return null;
            }
        }
        return null;
    }

    IOperation? SingleInitializer(ILocalSymbol local)
    {
        IOperation? value = null;
        foreach (var operation in Graph.OriginalOperation.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when SymbolEqualityComparer.Default.Equals(declarator.Symbol, local):
                    value = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                    break;
                case ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } when SymbolEqualityComparer.Default.Equals(target.Local, local):
                    return null; // assigned again: not followed
            }
        }
        return value;
    }

    static IEnumerable<IParameterSymbol> ParametersOf(ControlFlowGraph graph)
    {
        var method = graph.OriginalOperation switch
        {
            IAnonymousFunctionOperation anonymous => anonymous.Symbol,
            ILocalFunctionOperation localFunction => localFunction.Symbol,
            _ => graph.OriginalOperation.SemanticModel?.GetDeclaredSymbol(graph.OriginalOperation.Syntax) as IMethodSymbol,
        };
        return method is null ? System.Array.Empty<IParameterSymbol>() : method.Parameters;
    }
}

/// <summary>
/// A deferred query kept in a local: the transaction it was handed (and the operand that handed it), and the call
/// that made it with its line, for messages.
/// </summary>
internal sealed record DeferredQuery(ISymbol Transaction, Location TransactionOperand, string Call, int Line);
