using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;
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
            var cache = OwnershipAnalysisCache.For(start.Compilation, start.Options);
            if (cache is null)
                return;
            start.RegisterOperationAction(c => AnalyzeInvocation(c, symbols, cache.BlockingHelpers), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeGetter(c, symbols, cache.BlockingHelpers), OperationKind.PropertyReference);
            // Sync usings are collected as the compiler visits them; only a body that has one in async
            // code asks the engine (at the end of the body) whether its Dispose makes a round trip.
            start.RegisterOperationBlockStartAction(block =>
            {
                var usings = new SyncUsings();
                var waits = new AsyncWaits();
                block.RegisterOperationAction(c => usings.Add(c.Operation, c.ContainingSymbol), OperationKind.Using, OperationKind.UsingDeclaration);
                // Thread.Sleep, WaitOne, .Result, .Wait(), GetResult() in async code: the engine says whether a
                // transaction is open there (and, for a task, whether it is database work not awaited yet).
                block.RegisterOperationAction(c => waits.Add(c.Operation, c.ContainingSymbol), OperationKind.Invocation, OperationKind.PropertyReference);
                block.RegisterOperationBlockEndAction(c =>
                {
                    AnalyzeUsings(c, symbols, cache, usings);
                    AnalyzeWaits(c, cache, waits);
                });
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
            if (IsInAsyncCode(invocation, context.ContainingSymbol) && !BlockingCalls.IsSyncBranchOfAsyncTwin(invocation, asyncOnBase))
            {
                var variable = invocation.Instance is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
                    ? $"declare '{invocation.Instance.Syntax}' as '{baseName}' (or the Npgsql type) and "
                    : $"use it as '{baseName}' and ";
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, invocation.Syntax.GetLocation(),
                    $"'{method.Name}'", $"'{interfaceName}' has no async form: {variable}await '{asyncOnBase}'"));
            }
            return;
        }
        if (PendingMemberTransactionDisposed(invocation, symbols) is IOperation transactionMember)
        {
            if (IsInAsyncCode(invocation, context.ContainingSymbol) && !BlockingCalls.IsSyncBranchOfAsyncTwin(invocation, "DisposeAsync"))
            {
                context.ReportDiagnostic(Diagnostic.Create(Descriptor, invocation.Syntax.GetLocation(),
                    ImmutableDictionary<string, string?>.Empty.Add(AsyncNameProperty, "DisposeAsync"),
                    $"'{method.Name}'", $"'{transactionMember.Syntax}' may still be pending here (nothing in this method commits or rolls it back first), and its Dispose sends ROLLBACK; call 'DisposeAsync' and await it"));
            }
            return;
        }
        if (!BlockingCalls.IsBlockingDatabaseCall(invocation, symbols, out var receiverType, out var asyncName))
        {
            // A synchronous helper of this compilation that blocks (directly or further down).
            if (method.DeclaringSyntaxReferences.Length > 0)
                ReportBlockingHelper(context, invocation, method, helpers);
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

    /// <summary>A property of this compilation whose getter blocks (<c>dataConnection.Connection</c> opening it).</summary>
    static void AnalyzeGetter(OperationAnalysisContext context, NpgsqlSymbols symbols, BlockingHelpers helpers)
    {
        var property = (IPropertyReferenceOperation)context.Operation;
        if (property.Property.GetMethod is not IMethodSymbol getter || getter.DeclaringSyntaxReferences.Length == 0
            || property.Parent is ISimpleAssignmentOperation assignment && assignment.Target == property)
            return;
        for (var parent = property.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is INameOfOperation)
                return;
        }
        ReportBlockingHelper(context, property, getter, helpers);
    }

    /// <summary>
    /// A call of a synchronous method (or getter) of this compilation that blocks on the database, from async
    /// code. Not a database API's own method (a project that is the driver), nor the sync branch of an async
    /// twin (<c>async ? await HelperAsync() : Helper()</c>). An ensure-open helper (it opens only a closed
    /// connection) is reported only when nothing was awaited before it in the body: after an await the
    /// caller has usually opened the connection asynchronously already.
    /// </summary>
    static void ReportBlockingHelper(OperationAnalysisContext context, IOperation call, IMethodSymbol callee, BlockingHelpers helpers)
    {
        if (callee.IsAsync || BlockingCalls.Names.Contains(callee.Name) || !IsInAsyncCode(call, context.ContainingSymbol))
            return;
        var name = callee.MethodKind == MethodKind.PropertyGet ? ((IPropertySymbol)callee.AssociatedSymbol!).Name : callee.Name;
        if (helpers.BlockingCallIn(callee) is not BlockingHelper inner || BlockingCalls.IsSyncBranchOfAsyncTwin(call, name + "Async"))
            return;
        if (inner.OnlyWhenClosed && AwaitsBefore(call))
            return;
        var what = callee.MethodKind == MethodKind.PropertyGet
            ? $"its getter calls '{inner.Call}' synchronously; await '{inner.Call}Async' (or an async method that does) before reading it"
            : $"it calls '{inner.Call}' synchronously; make '{name}' async (await '{inner.Call}Async' inside) and await it";
        if (inner.OnlyWhenClosed)
            what += " (it opens the connection when it is still closed, as it is here: nothing was awaited before)";
        context.ReportDiagnostic(Diagnostic.Create(Descriptor, call.Syntax.GetLocation(), $"'{name}'", what));
    }

    /// <summary>Whether an await comes before the operation in its method, lambda or local function.</summary>
    static bool AwaitsBefore(IOperation operation)
    {
        foreach (var node in Operations.EnclosingFunction(operation).Descendants())
        {
            if (node is IAwaitOperation && node.Syntax.SpanStart < operation.Syntax.SpanStart)
                return true;
        }
        return false;
    }

    /// <summary>
    /// <c>if (command is DbCommand db) return await db.ExecuteReaderAsync(ct); return command.ExecuteReader();</c>:
    /// the method already tries the ADO.NET base class and awaits its async form; only an implementation that
    /// is not one (and has no async form at all) reaches the sync call.
    /// </summary>
    static bool TestedForType(IInvocationOperation invocation, INamedTypeSymbol baseClass)
    {
        if (Operations.NamedSymbol(invocation.Instance) is not ISymbol tested)
            return false;
        foreach (var operation in Operations.EnclosingFunction(invocation).Descendants())
        {
            var (value, type) = operation switch
            {
                IIsPatternOperation { Pattern: IDeclarationPatternOperation { MatchedType: { } matched } } pattern => (pattern.Value, matched),
                IIsPatternOperation { Pattern: ITypePatternOperation { MatchedType: { } matched } } pattern => (pattern.Value, matched),
                IIsTypeOperation isType => (isType.ValueOperand, isType.TypeOperand),
                IConversionOperation { IsTryCast: true, Type: { } target } cast => (cast.Operand, target),
                _ => (null, null),
            };
            if (value is null || type is null || !NpgsqlSymbols.IsOrDerives(type, baseClass))
                continue;
            if (SymbolEqualityComparer.Default.Equals(Operations.NamedSymbol(value), tested))
                return true;
        }
        return false;
    }

    /// <summary>
    /// <c>Transaction.Dispose()</c> on a field or property holding a transaction (a unit of work, a session
    /// object), whose type has DisposeAsync, with no Commit or Rollback of the same member earlier in the
    /// method: what the object disposes in its DisposeAsync or error path is a transaction that may still be
    /// pending, and disposing a pending transaction sends ROLLBACK and waits for it. Locals are the
    /// engine's business (a sync <c>using</c>); a Dispose after the method's own Commit makes no round trip.
    /// </summary>
    static IOperation? PendingMemberTransactionDisposed(IInvocationOperation invocation, NpgsqlSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (method.Name != "Dispose" || method.Parameters.Length != 0)
            return null;
        if (ReceiverMember(invocation) is not IMemberReferenceOperation member
            || member is not (IFieldReferenceOperation or IPropertyReferenceOperation)
            || member.Instance is not (null or IInstanceReferenceOperation)
            || symbols.KindOfVariableType(member.Type) != ResourceKind.Transaction || !BlockingCalls.HasAsyncOverload(member.Type!, "DisposeAsync"))
            return null;
        // The same member committed or rolled back earlier in this body: the Dispose finds it completed.
        foreach (var operation in Operations.EnclosingFunction(invocation).Descendants())
        {
            if (operation.Syntax.SpanStart >= invocation.Syntax.SpanStart)
                continue;
            if (operation is IInvocationOperation { TargetMethod.Name: "Commit" or "CommitAsync" or "Rollback" or "RollbackAsync" } completion
                && ReceiverMember(completion) is IMemberReferenceOperation completed
                && SymbolEqualityComparer.Default.Equals(completed.Member, member.Member))
                return null;
        }
        return member;
    }

    /// <summary>The field or property a call is made on, also through <c>?.</c>.</summary>
    static IMemberReferenceOperation? ReceiverMember(IInvocationOperation invocation)
    {
        var instance = invocation.Instance;
        if (instance is IConditionalAccessInstanceOperation)
        {
            var access = invocation.Parent;
            while (access is not null and not IConditionalAccessOperation)
                access = access.Parent;
            instance = (access as IConditionalAccessOperation)?.Operation;
        }
        return MethodScope.Unwrap(instance) as IMemberReferenceOperation;
    }

    /// <summary>
    /// A blocking call through a System.Data interface (<c>IDbConnection.Open</c>, <c>IDbTransaction.Commit</c>,
    /// <c>IDbCommand.ExecuteNonQuery</c>, <c>IDataReader.Read</c>...), which has no async form while the
    /// ADO.NET base class it stands for does: the interface, that base class and its async method.
    /// </summary>
    static (string Interface, string Base, string AsyncName)? IsBlockingInterfaceCall(IInvocationOperation invocation, NpgsqlSymbols symbols)
    {
        var method = invocation.TargetMethod;
        if (symbols.NpgsqlTypesOnly || !BlockingCalls.Names.Contains(method.Name) || method.Name == "BeginTransaction" || invocation.Instance?.Type is not ITypeSymbol type)
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
            if (face is not null && baseClass is not null && NpgsqlSymbols.Is(type, face) && BlockingCalls.HasAsyncOverload(baseClass, method.Name + "Async"))
                return TestedForType(invocation, baseClass) ? null : (face.Name, baseClass.Name, method.Name + "Async");
        }
        return null;
    }

    /// <summary>The blocking waits of one body that sit in async code, collected while the compiler visits it.</summary>
    sealed class AsyncWaits
    {
        readonly object _gate = new();

        public HashSet<SyntaxNode> Found { get; } = new();

        public void Add(IOperation operation, ISymbol containingSymbol)
        {
            if (BlockingWaits.Read(operation) is null || !IsInAsyncCode(operation, containingSymbol))
                return;
            lock (_gate)
                Found.Add(operation.Syntax);
        }
    }

    /// <summary>
    /// A wait that blocks the thread in async code while a transaction is open: the transaction's snapshot
    /// and locks stay held, and every session that needs those rows waits for this thread too.
    /// </summary>
    static void AnalyzeWaits(OperationBlockAnalysisContext context, OwnershipAnalysisCache cache, AsyncWaits waits)
    {
        if (waits.Found.Count == 0)
            return;
        var report = cache.Analyze(context);
        foreach (var wait in report.BlockingWaits)
        {
            if (!waits.Found.Contains(wait.Site))
                continue;
            var held = wait.LockStatement is string statement
                ? $"transaction '{wait.Transaction.Name}' is open and holds the locks of '{statement}' (line {wait.LockLine})"
                : wait.Active
                    ? $"transaction '{wait.Transaction.Name}' is open on the server (its snapshot and connection are held)"
                    : $"transaction '{wait.Transaction.Name}' is open";
            var what = wait.Kind switch
            {
                BlockingWaitKind.Sleep => $"{held} while the thread sleeps; await 'Task.Delay' instead, or sleep after the commit",
                BlockingWaitKind.WaitHandle => $"{held} while the thread waits; wait asynchronously (for example 'SemaphoreSlim.WaitAsync') or after the commit",
                _ => $"{held} while the thread waits for '{wait.TaskCall}'; await it instead",
            };
            var name = wait.Kind == BlockingWaitKind.Task && wait.Name == "Result" ? "'.Result'" : $"'{wait.Name}'";
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, wait.Site.GetLocation(), name, what));
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

                var properties = BlockingCalls.HasAsyncOverload(declaredType, "DisposeAsync")
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
        if (BlockingCalls.HasAsyncOverload(declaredType, "DisposeAsync"))
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

}
