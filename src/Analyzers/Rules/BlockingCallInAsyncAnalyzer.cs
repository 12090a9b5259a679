using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB005: a synchronous Npgsql call that does I/O inside an async method or lambda, where an async
/// overload exists; or a sync <c>using</c> whose Dispose makes a round trip on a normal path (a
/// transaction that may still be pending, a reader not read to its end, a connection with either).
/// <c>BeginTransaction</c> is not reported: Npgsql sends BEGIN with the next command.
/// </summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class BlockingCallInAsyncAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Diagnostic property: the name of the async overload to call.</summary>
    public const string AsyncNameProperty = "AsyncName";

    /// <summary>Diagnostic property, on sync usings only: present when the declared type has DisposeAsync, so 'await using' compiles.</summary>
    public const string AwaitUsingProperty = "AwaitUsing";

    /// <summary>Opt-in: report every sync using of a transaction, connection or reader, for its exception paths too.</summary>
    public const string ExceptionPathsOption = "dotnet_code_quality.PGB005.exception_paths";

    // BeginTransaction only through the ADO.NET base types: Npgsql does no I/O there (BEGIN goes out
    // with the next command), but a DbConnection may be another provider's, which sends BEGIN at once.
    static readonly ImmutableHashSet<string> s_blockingNames = ImmutableHashSet.Create(
        "Open", "OpenConnection", "BeginTransaction", "Commit", "Rollback", "Save", "Release",
        "ExecuteNonQuery", "ExecuteScalar", "ExecuteReader", "Read", "NextResult", "Prepare");

    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.BlockingCallInAsync,
        title: "Blocking Npgsql call in async code",
        messageFormat: "{0} blocks a thread in async code: {1}",
        category: RuleCategories.Async,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A synchronous call that waits for PostgreSQL blocks a thread-pool thread for a whole network round trip. Under load this starves the pool. Call the async overload and await it, passing the CancellationToken in scope.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.BlockingCallInAsync));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NpgsqlSymbols.TryCreate(start.Compilation, start.Options) is not NpgsqlSymbols symbols)
                return;
            var helpers = new BlockingHelpers(start.Compilation, symbols);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols, helpers), OperationKind.Invocation);
            var cache = OwnershipAnalysisCache.For(start.Compilation, start.Options);
            // Sync usings are collected as the compiler visits them; only a body that has one in async
            // code asks the engine (at the end of the body) whether its Dispose makes a round trip.
            start.RegisterOperationBlockStartAction(block =>
            {
                var usings = new SyncUsings();
                block.RegisterOperationAction(c => usings.Add(c.Operation, c.ContainingSymbol), OperationKind.Using, OperationKind.UsingDeclaration);
                block.RegisterOperationBlockEndAction(c => AnalyzeUsings(c, symbols, cache, usings));
            });
        });
    }

    static void AnalyzeInvocation(OperationAnalysisContext context, NpgsqlSymbols symbols, BlockingHelpers helpers)
    {
        var invocation = (IInvocationOperation)context.Operation;
        var method = invocation.TargetMethod;
        if (IsBlockingInterfaceCall(invocation, symbols) is (string interfaceName, string baseName, string asyncOnBase))
        {
            // IDbTransaction.Commit() and friends: a round trip, and the interface has no async form.
            if (IsInAsyncCode(invocation, context.ContainingSymbol) && !IsSyncBranchOfAsyncTwin(invocation, asyncOnBase))
            {
                var variable = invocation.Instance is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
                    ? $"declare '{invocation.Instance.Syntax}' as '{baseName}' (or the Npgsql type) and "
                    : $"use it as '{baseName}' and ";
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, invocation.Syntax.GetLocation(),
                    $"'{method.Name}'", $"'{interfaceName}' has no async form: {variable}await '{asyncOnBase}'"));
            }
            return;
        }
        if (!IsBlockingDatabaseCall(invocation, symbols, out var receiverType, out var asyncName))
        {
            // A synchronous helper of this compilation that blocks (directly or one call further down).
            // Not a database API's own method (a project that is the driver), nor the sync branch of an
            // async twin (`async ? await HelperAsync() : Helper()`).
            if (method.DeclaringSyntaxReferences.Length > 0 && !method.IsAsync && !s_blockingNames.Contains(method.Name)
                && IsInAsyncCode(invocation, context.ContainingSymbol)
                && helpers.BlockingCallIn(method) is string inner && !IsSyncBranchOfAsyncTwin(invocation, method.Name + "Async"))
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, invocation.Syntax.GetLocation(),
                    $"'{method.Name}'", $"it calls '{inner}' synchronously; make '{method.Name}' async (await '{inner}Async' inside) and await it"));
            }
            return;
        }
        if (!IsInAsyncCode(invocation, context.ContainingSymbol))
            return;

        var properties = ImmutableDictionary<string, string?>.Empty.Add(AsyncNameProperty, asyncName);
        var fix = method.Name == "BeginTransaction"
            ? $"call '{asyncName}' and await it ('{receiverType.Name}' may be a provider that sends BEGIN at once; only Npgsql's waits for the next command)"
            : $"call '{asyncName}' and await it";
        context.ReportDiagnostic(Diagnostic.Create(Descriptor, invocation.Syntax.GetLocation(), properties, $"'{method.Name}'", fix));
    }

    /// <summary>
    /// A blocking call through a System.Data interface (<c>IDbConnection.Open</c>, <c>IDbTransaction.Commit</c>,
    /// <c>IDbCommand.ExecuteNonQuery</c>, <c>IDataReader.Read</c>...), which has no async form while the
    /// ADO.NET base class it stands for does: the interface, that base class and its async method.
    /// </summary>
    static (string Interface, string Base, string AsyncName)? IsBlockingInterfaceCall(IInvocationOperation invocation, NpgsqlSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (symbols.NpgsqlTypesOnly || !s_blockingNames.Contains(method.Name) || method.Name == "BeginTransaction" || invocation.Instance?.Type is not ITypeSymbol type)
            return null;
        var pairs = new[]
        {
            (symbols.IDbConnection, symbols.DbConnection),
            (symbols.IDbTransaction, symbols.DbTransaction),
            (symbols.IDbCommand, symbols.DbCommand),
            (symbols.IDataReader, symbols.DbDataReader),
        };
        foreach (var (face, baseClass) in pairs)
        {
            if (face is not null && baseClass is not null && NpgsqlSymbols.Is(type, face) && HasAsyncOverload(baseClass, method.Name + "Async"))
                return (face.Name, baseClass.Name, method.Name + "Async");
        }
        return null;
    }

    /// <summary>
    /// A synchronous Npgsql or ADO.NET call that waits for PostgreSQL and has an async overload.
    /// Not <c>BeginTransaction</c> on an Npgsql connection: it sends nothing.
    /// </summary>
    static bool IsBlockingDatabaseCall(IInvocationOperation invocation, NpgsqlSymbols symbols, out ITypeSymbol receiverType, out string asyncName)
    {
        var method = invocation.TargetMethod;
        receiverType = invocation.Instance?.Type!;
        asyncName = method.Name + "Async";
        if (!s_blockingNames.Contains(method.Name) || receiverType is null || !symbols.IsInteresting(receiverType))
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
    static bool IsSyncBranchOfAsyncTwin(IOperation call, string asyncName)
    {
        IOperation? branch = call;
        for (var parent = call.Parent; parent is not null; branch = parent, parent = parent.Parent)
        {
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation or IMethodBodyBaseOperation)
                return false;
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

    static bool IsAwaitable(ITypeSymbol type)
        => type.Name is "Task" or "ValueTask" or "IAsyncEnumerable" && type.ContainingNamespace?.ToDisplayString() is "System.Threading.Tasks" or "System.Collections.Generic";

    /// <summary>
    /// Synchronous methods of this compilation that make a blocking database call, directly or through
    /// one more such method: calling one from async code blocks as surely as the call inside it.
    /// Decided once per method and compilation.
    /// </summary>
    sealed class BlockingHelpers
    {
        const int MaxDepth = 2;

        readonly Compilation _compilation;
        readonly NpgsqlSymbols _symbols;
        readonly System.Collections.Concurrent.ConcurrentDictionary<IMethodSymbol, string?> _found = new(SymbolEqualityComparer.Default);

        public BlockingHelpers(Compilation compilation, NpgsqlSymbols symbols)
        {
            _compilation = compilation;
            _symbols = symbols;
        }

        /// <summary>The name of the blocking call the method makes, or null.</summary>
        public string? BlockingCallIn(IMethodSymbol method) => Find(method.OriginalDefinition, 0, new HashSet<IMethodSymbol>(SymbolEqualityComparer.Default));

        string? Find(IMethodSymbol method, int depth, HashSet<IMethodSymbol> visiting)
        {
            if (method.IsAsync || method.DeclaringSyntaxReferences.Length == 0 || method.MethodKind is not (MethodKind.Ordinary or MethodKind.PropertyGet)
                || IsAwaitable(method.ReturnType) || depth > MaxDepth || !visiting.Add(method))
                return null;
            if (_found.TryGetValue(method, out var known))
                return known;
            var found = Search(method, depth, visiting);
            if (depth == 0)
                _found.TryAdd(method, found);
            return found;
        }

        string? Search(IMethodSymbol method, int depth, HashSet<IMethodSymbol> visiting)
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
                if (operation is not IInvocationOperation call || InsideFunction(call, body))
                    continue;
                if (IsBlockingDatabaseCall(call, _symbols, out _, out _))
                    return call.TargetMethod.Name;
                if (Find(call.TargetMethod.OriginalDefinition, depth + 1, visiting) is string deeper)
                    return deeper;
            }
            return null;
        }

        static bool InsideFunction(IOperation operation, IOperation body)
        {
            for (var parent = operation.Parent; parent is not null && parent != body; parent = parent.Parent)
            {
                if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
                    return true;
            }
            return false;
        }

    }

    /// <summary>The sync usings of one body that sit in async code, collected while the compiler visits it.</summary>
    sealed class SyncUsings
    {
        readonly object _gate = new();

        public List<IOperation> Found { get; } = new();

        public void Add(IOperation operation, ISymbol containingSymbol)
        {
            var isAsync = operation switch
            {
                IUsingOperation usingStatement => usingStatement.IsAsynchronous,
                IUsingDeclarationOperation declaration => declaration.IsAsynchronous,
                _ => true,
            };
            if (isAsync || !IsInAsyncCode(operation, containingSymbol))
                return;
            lock (_gate)
                Found.Add(operation);
        }
    }

    static void AnalyzeUsings(OperationBlockAnalysisContext context, NpgsqlSymbols symbols, OwnershipAnalysisCache? cache, SyncUsings usings)
    {
        if (usings.Found.Count == 0)
            return;
        OwnershipReport? report = null;
        bool? everyPath = null;
        foreach (var operation in usings.Found)
        {
            {
                var (resources, keyword) = operation switch
                {
                    IUsingOperation usingStatement => (usingStatement.Resources, (usingStatement.Syntax as UsingStatementSyntax)?.UsingKeyword),
                    IUsingDeclarationOperation declaration => ((IOperation)declaration.DeclarationGroup, (declaration.Syntax as LocalDeclarationStatementSyntax)?.UsingKeyword),
                    _ => (null, null),
                };
                if (resources is null || keyword is not SyntaxToken usingKeyword)
                    continue;
                if (DisposedValue(resources, symbols) is not (ISymbol value, ITypeSymbol declaredType))
                    continue;

                // By default only a Dispose that makes a round trip on a normal path is reported; the
                // engine knows which values may still be open when their using ends.
                everyPath ??= Infrastructure.RuleOptions.Get(context, ExceptionPathsOption) is string option
                    && option.Trim().Equals("true", System.StringComparison.OrdinalIgnoreCase);
                if (everyPath == false)
                {
                    report ??= cache?.Analyze(context) ?? OwnershipReport.Empty;
                    if (!report.OpenAtUsingDispose.Contains(value))
                        continue;
                    if (symbols.KindOfVariableType(declaredType) == ResourceKind.DataReader && !LeavesRowsUnread(operation, value))
                        continue;
                }

                var properties = HasAsyncOverload(declaredType, "DisposeAsync")
                    ? ImmutableDictionary<string, string?>.Empty.Add(AwaitUsingProperty, "true")
                    : ImmutableDictionary<string, string?>.Empty;
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, usingKeyword.GetLocation(), properties,
                    $"Disposing '{value.Name}' at the end of this 'using'", HowToDisposeAsync(value, declaredType, symbols)));
            }
        }
    }

    /// <summary>What the message suggests: 'await using' only where the declared type has DisposeAsync.</summary>
    static string HowToDisposeAsync(ISymbol value, ITypeSymbol declaredType, NpgsqlSymbols symbols)
    {
        var why = symbols.KindOfVariableType(declaredType) switch
        {
            ResourceKind.Transaction => "it may still be pending here, and its Dispose sends ROLLBACK",
            ResourceKind.DataReader => "it may not have been read to the end, and its Dispose reads the rest",
            _ => "a transaction or reader on it may still be open, and its Dispose waits for PostgreSQL to end it",
        };
        if (HasAsyncOverload(declaredType, "DisposeAsync"))
            return why + "; use 'await using'";
        var suggested = symbols.KindOfVariableType(declaredType) switch
        {
            ResourceKind.Transaction => "DbTransaction",
            ResourceKind.DataReader => "DbDataReader",
            _ => "DbConnection",
        };
        return $"{why}; '{declaredType.Name}' has no DisposeAsync: declare '{value.Name}' as '{suggested}' (or the Npgsql type) and use 'await using', or complete it before the using ends";
    }

    /// <summary>
    /// Whether the reader is known to leave rows unread when it is disposed: a <c>while (reader.Read())</c>
    /// or <c>while (await reader.ReadAsync())</c> loop that can stop early (a break, return or goto in
    /// it), and not a reader opened with <c>CommandBehavior.SingleRow</c> or handed to a method that
    /// reads it. A reader read once or not at all (a single-row lookup) leaves at most a row that came
    /// in the same packet: its Dispose does not wait on the network, so it is not reported.
    /// </summary>
    static bool LeavesRowsUnread(IOperation usingOperation, ISymbol reader)
    {
        if (OpenedWithSingleRow(usingOperation, reader))
            return false;
        var scope = usingOperation is IUsingOperation statement ? statement.Body : usingOperation.Parent;
        if (scope is null)
            return false;
        var leavesEarly = false;
        foreach (var operation in scope.DescendantsAndSelf())
        {
            if (operation is ILocalReferenceOperation passed && SymbolEqualityComparer.Default.Equals(passed.Local, reader)
                && passed.Syntax.Parent is ArgumentSyntax)
            {
                // `Map(reader)`, `DataReader.ToEnumerableAsync(reader, ...)`: the helper reads it. Read
                // from the syntax, so that a call the compiler cannot bind (half-written code) counts too.
                return false;
            }
            if (operation is IWhileLoopOperation { Condition: IOperation condition } loop
                && NpgsqlCalls.UnwrapAwaited(condition) is IInvocationOperation { TargetMethod.Name: "Read" or "ReadAsync" } read
                && read.Instance is ILocalReferenceOperation local
                && SymbolEqualityComparer.Default.Equals(local.Local, reader)
                && LeavesEarly(loop))
            {
                leavesEarly = true;
            }
        }
        return leavesEarly;
    }

    static bool OpenedWithSingleRow(IOperation usingOperation, ISymbol reader)
    {
        foreach (var operation in usingOperation.DescendantsAndSelf())
        {
            if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, reader)
                && NpgsqlCalls.UnwrapAwaited(declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value) is IInvocationOperation execute)
            {
                foreach (var argument in execute.Arguments)
                {
                    // CommandBehavior.SingleRow is 8; flags combine it with others.
                    if (argument.Parameter?.Type.Name == "CommandBehavior" && argument.Value.ConstantValue is { HasValue: true, Value: int behavior } && (behavior & 8) != 0)
                        return true;
                }
            }
        }
        return false;
    }

    /// <summary>A break out of the loop, or a return or throw inside it: rows may be left unread.</summary>
    static bool LeavesEarly(IWhileLoopOperation loop)
    {
        foreach (var operation in loop.Body.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IBranchOperation { BranchKind: BranchKind.Break } branch when SymbolEqualityComparer.Default.Equals(branch.Target, loop.ExitLabel):
                case IReturnOperation { Kind: OperationKind.Return }:
                case IBranchOperation { BranchKind: BranchKind.GoTo }:
                    return true;
            }
        }
        return false;
    }

    /// <summary>The transaction, connection or reader variable a using disposes, and its declared type.</summary>
    static (ISymbol Value, ITypeSymbol Type)? DisposedValue(IOperation resources, NpgsqlSymbols symbols)
    {
        foreach (var operation in resources.DescendantsAndSelf())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator when symbols.KindOfVariableType(declarator.Symbol.Type) is not null:
                    return (declarator.Symbol, declarator.Symbol.Type);
                case ILocalReferenceOperation local when (operation == resources || operation.Parent == resources) && symbols.KindOfVariableType(local.Type) is not null:
                    return (local.Local, local.Local.Type);
            }
        }
        return null;
    }

    static bool IsInAsyncCode(IOperation operation, ISymbol containingSymbol)
    {
        for (var current = operation.Parent; current is not null; current = current.Parent)
        {
            switch (current)
            {
                case IAnonymousFunctionOperation lambda:
                    return lambda.Symbol.IsAsync;
                case ILocalFunctionOperation localFunction:
                    return localFunction.Symbol.IsAsync;
            }
        }
        return containingSymbol is IMethodSymbol { IsAsync: true };
    }

    static bool HasAsyncOverload(ITypeSymbol type, string asyncName)
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
