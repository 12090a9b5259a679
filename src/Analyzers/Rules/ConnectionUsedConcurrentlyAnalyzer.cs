using System.Collections.Generic;
using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Ownership;
using PgBorrow.Analyzers.Sql;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB104: operations on one connection that can overlap in time. A connection is one PostgreSQL
/// backend speaking one protocol stream; Npgsql connections are not thread-safe (Rust: the
/// connection is <c>&amp;mut</c>, never <c>Sync</c>).
/// </summary>
/// <remarks>
/// Three shapes: tasks on one connection awaited together (<c>Task.WhenAll</c>/<c>WhenAny</c>,
/// including <c>Select(async ...)</c> over a captured connection); a connection captured by the
/// body of <c>Parallel.For*</c>/<c>Invoke</c> or a <c>Task.Run</c>/<c>StartNew</c> that is not awaited at
/// once; and a task on a connection still pending (stored, not yet awaited) when the next
/// operation on that connection starts.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class ConnectionUsedConcurrentlyAnalyzer : DiagnosticAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.ConnectionUsedConcurrently,
        title: "Connection used concurrently",
        messageFormat: "Connection '{0}' is used concurrently: {1}; a connection runs one command at a time and is not thread-safe, so await each command before starting the next, or give each concurrent task a connection of its own",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "One connection is one PostgreSQL backend process with one protocol stream. Npgsql throws 'A command is already in progress' (NpgsqlOperationInProgressException) when a second operation starts before the first finished, or corrupts its state when used from two threads. Await operations one after another, or give each concurrent task its own connection from the data source.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.ConnectionUsedConcurrently));

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Descriptor);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NpgsqlSymbols.TryCreate(start.Compilation, start.Options) is not NpgsqlSymbols symbols)
                return;
            start.RegisterOperationBlockAction(block => AnalyzeBody(block, symbols));
        });
    }

    static void AnalyzeBody(OperationBlockAnalysisContext context, NpgsqlSymbols symbols)
    {
        var reporter = new Reporter(context);
        foreach (var block in context.OperationBlocks)
        {
            ConnectionAliases? aliases = null;
            ConnectionAliases Aliases() => aliases ??= new ConnectionAliases(block, symbols);
            foreach (var operation in block.DescendantsAndSelf())
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                switch (operation)
                {
                    case IInvocationOperation invocation when IsTaskCombinator(invocation):
                        CheckAwaitedTogether(reporter, invocation, Aliases());
                        break;
                    case IInvocationOperation invocation when IsParallelBody(invocation):
                        CheckCapturedByParallelBody(reporter, invocation, Aliases());
                        break;
                    case IBlockOperation statements:
                        CheckPendingTasks(reporter, statements, Aliases(), symbols);
                        break;
                }
            }
        }
    }

    static bool IsTaskCombinator(IInvocationOperation invocation)
        => invocation.TargetMethod is { IsStatic: true, Name: "WhenAll" or "WhenAny" or "WaitAll" or "WaitAny" }
        && invocation.TargetMethod.ContainingType?.ToDisplayString() == "System.Threading.Tasks.Task";

    /// <summary>
    /// A call whose delegate arguments run beside this method: Parallel.* (its bodies run beside each
    /// other), or Task.Run/StartNew unless the method awaits it at once, which does not overlap with the caller.
    /// </summary>
    static bool IsParallelBody(IInvocationOperation invocation)
        => DelegateFates.RunnerOf(invocation) switch
        {
            DelegateRunner.Parallel => true,
            DelegateRunner.StartedTask => DelegateFates.OfTask(invocation).Kind != FateKind.Awaited,
            _ => false,
        };

    /// <summary>Task.WhenAll(a, b) where two of the tasks run on one connection, or over Select(async ...).</summary>
    static void CheckAwaitedTogether(Reporter reporter, IInvocationOperation combinator, ConnectionAliases aliases)
    {
        var seen = new Dictionary<ISymbol, string>(SymbolEqualityComparer.Default);
        foreach (var element in Elements(combinator))
        {
            var (connection, name) = TaskConnection(element, aliases);
            if (connection is not null)
            {
                if (seen.TryGetValue(connection, out var first))
                {
                    reporter.Report(combinator.Syntax, connection, $"'{first}' and '{name}' are awaited together by '{combinator.TargetMethod.Name}'");
                    return;
                }
                seen[connection] = name;
                continue;
            }

            // items.Select(async item => ... conn ...): one task per item, all on the captured connection.
            if (SelectLambda(element) is IAnonymousFunctionOperation lambda && CapturedConnection(lambda, aliases) is ISymbol captured)
            {
                reporter.Report(combinator.Syntax, captured, $"the tasks of 'Select' all use it and are awaited together by '{combinator.TargetMethod.Name}'");
                return;
            }
        }
    }

    static IEnumerable<IOperation> Elements(IInvocationOperation combinator)
    {
        foreach (var argument in combinator.Arguments)
        {
            var value = MethodScope.Unwrap(argument.Value);
            if (value is IArrayCreationOperation { Initializer: not null } array)
            {
                foreach (var element in array.Initializer.ElementValues)
                    yield return MethodScope.Unwrap(element)!;
            }
            else if (value?.Type is { Name: "ReadOnlySpan" or "Span" })
            {
                // C# 13 binds Task.WhenAll(a, b) to the params ReadOnlySpan<Task> overload (.NET 9+):
                // the argument is a collection whose children are the tasks.
                foreach (var element in value.ChildOperations)
                    yield return MethodScope.Unwrap(element)!;
            }
            else if (value is not null)
            {
                yield return value;
            }
        }
    }

    /// <summary>The connection a task (a call, or a local holding one) runs on, and a name for it.</summary>
    static (ISymbol? Connection, string Name) TaskConnection(IOperation task, ConnectionAliases aliases)
    {
        task = MethodScope.Unwrap(task)!;
        if (task is IInvocationOperation { TargetMethod.Name: "AsTask" } asTask)
            task = MethodScope.Unwrap(asTask.Instance)!;
        if (task is IInvocationOperation invocation)
            return (aliases.ConnectionOfCall(invocation), invocation.TargetMethod.Name);
        if (task is ILocalReferenceOperation local && Initializer(local.Local, task) is IInvocationOperation stored)
            return (aliases.ConnectionOfCall(stored), local.Local.Name);
        return (null, "");
    }

    static IOperation? Initializer(ILocalSymbol local, IOperation anyOperationInBody)
    {
        var root = anyOperationInBody;
        while (root.Parent is not null)
            root = root.Parent;
        IOperation? found = null;
        foreach (var operation in root.Descendants())
        {
            if (operation is IVariableDeclaratorOperation declarator && SymbolEqualityComparer.Default.Equals(declarator.Symbol, local))
            {
                var value = declarator.Initializer?.Value ?? (declarator.Parent as IVariableDeclarationOperation)?.Initializer?.Value;
                if (found is not null)
                    return null;
                found = MethodScope.Unwrap(value);
            }
            else if (operation is ISimpleAssignmentOperation { Target: ILocalReferenceOperation target } && SymbolEqualityComparer.Default.Equals(target.Local, local))
            {
                return null; // assigned more than once: which task it holds is a flow question
            }
        }
        return found;
    }

    static IAnonymousFunctionOperation? SelectLambda(IOperation element)
    {
        element = MethodScope.Unwrap(element)!;
        // items.Select(...).ToList() / ToArray()
        while (element is IInvocationOperation { TargetMethod.Name: "ToList" or "ToArray" } materialize)
            element = MethodScope.Unwrap(materialize.Instance ?? (materialize.Arguments.Length > 0 ? materialize.Arguments[0].Value : null))!;
        if (element is ILocalReferenceOperation local && Initializer(local.Local, element) is IOperation initializer)
            return SelectLambda(initializer);
        if (element is not IInvocationOperation { TargetMethod.Name: "Select" } select)
            return null;
        foreach (var argument in select.Arguments)
        {
            var value = MethodScope.Unwrap(argument.Value);
            if (value is IDelegateCreationOperation delegateCreation)
                value = delegateCreation.Target;
            if (value is IAnonymousFunctionOperation { Symbol.IsAsync: true } lambda)
                return lambda;
        }
        return null;
    }

    /// <summary>A connection declared outside the lambda that its body uses (directly or through its commands).</summary>
    static ISymbol? CapturedConnection(IAnonymousFunctionOperation lambda, ConnectionAliases aliases)
    {
        // Everything the body declares is its own: locals, and the parameters of lambdas and local
        // functions nested in it (`UseNewConnection(cs, conn => ...)` hands each call a fresh connection).
        var declaredInside = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (var operation in lambda.Body.Descendants())
        {
            switch (operation)
            {
                case IVariableDeclaratorOperation declarator:
                    declaredInside.Add(declarator.Symbol);
                    break;
                case IAnonymousFunctionOperation nested:
                    declaredInside.UnionWith(nested.Symbol.Parameters);
                    break;
                case ILocalFunctionOperation localFunction:
                    declaredInside.UnionWith(localFunction.Symbol.Parameters);
                    break;
                case ILoopOperation loop:
                    declaredInside.UnionWith(loop.Locals);
                    break;
                case IDeclarationPatternOperation { DeclaredSymbol: ISymbol patternLocal }:
                    declaredInside.Add(patternLocal);
                    break;
            }
        }
        foreach (var parameter in lambda.Symbol.Parameters)
            declaredInside.Add(parameter);

        foreach (var operation in lambda.Body.Descendants())
        {
            if (operation is not (ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation))
                continue;
            var symbol = operation switch
            {
                ILocalReferenceOperation local => (ISymbol)local.Local,
                IParameterReferenceOperation parameter => parameter.Parameter,
                IFieldReferenceOperation field => field.Field,
                _ => null,
            };
            if (symbol is null || declaredInside.Contains(symbol))
                continue;
            if (aliases.Connection(operation) is ISymbol connection && !declaredInside.Contains(connection))
                return connection;
        }
        return null;
    }

    /// <summary>Parallel.ForEach*(..., body) and un-awaited Task.Run(body) capturing a connection.</summary>
    static void CheckCapturedByParallelBody(Reporter reporter, IInvocationOperation invocation, ConnectionAliases aliases)
    {
        foreach (var argument in invocation.Arguments)
        {
            foreach (var node in argument.Value.DescendantsAndSelf())
            {
                if (node is IAnonymousFunctionOperation lambda && CapturedConnection(lambda, aliases) is ISymbol connection)
                {
                    var parallel = invocation.TargetMethod.ContainingType?.Name == "Parallel";
                    // A task started once with a connection this method made, and that the method never
                    // touches again, is the connection's new owner, not a second user (a listener handed
                    // its connection). A parameter or field stays usable by others while the task runs.
                    if (!parallel && connection is ILocalSymbol && !IsInLoop(invocation) && !UsedAfter(invocation, connection, aliases))
                        return;
                    // `ret = Task.Run(...); ... return await ret;`: the method waits for the body
                    // before it touches the connection again or returns.
                    if (!parallel && !IsInLoop(invocation) && AwaitedBeforeNextUse(invocation, connection, aliases))
                        return;
                    // `return Task.Factory.StartNew(() => Work(connection));`: the method ends as the task
                    // starts, and the caller awaits it; nothing here runs beside it.
                    if (!parallel && IsReturnedAtOnce(invocation))
                        return;
                    var how = parallel
                        ? $"the bodies of 'Parallel.{invocation.TargetMethod.Name}' run at the same time and all use it"
                        : $"the body of '{invocation.TargetMethod.Name}' runs on another thread while this method goes on";
                    reporter.Report(invocation.Syntax, connection, how);
                    return;
                }
            }
        }
    }

    /// <summary>The started task is what the method returns, as it starts (<c>return Task.Run(...)</c>, <c>=> Task.Run(...)</c>).</summary>
    /// <remarks>Not <c>yield return</c>: the iterator goes on while the caller holds the task.</remarks>
    static bool IsReturnedAtOnce(IInvocationOperation started)
        => DelegateFates.OfTask(started).Kind == FateKind.Returned;

    /// <summary>
    /// Inside a loop of the method: each iteration starts another body. A loop outside a lambda or local
    /// function that holds the call does not count, nor does the function itself: whether it runs more than
    /// once is not known here, and a yes only adds reports, so the unknown answers no (precision first).
    /// PGB202, where a yes silences the rule, answers yes for a nested function.
    /// </summary>
    static bool IsInLoop(IOperation operation)
        => DelegateFates.RepetitionAt(operation) == Repetition.Loop;

    /// <summary>
    /// The task is stored in a local that the method awaits, and nothing uses the connection between
    /// the start and that await, which comes before the method can return.
    /// </summary>
    static bool AwaitedBeforeNextUse(IInvocationOperation started, ISymbol connection, ConnectionAliases aliases)
    {
        // The task as it is, not through ConfigureAwait: a stored ConfiguredTaskAwaitable has never been
        // followed here, and is left to the report.
        if (DelegateFates.Of(started).Local is not ILocalSymbol task)
            return false;
        var root = (IOperation)started;
        while (root.Parent is not null)
            root = root.Parent;
        int? awaitedAt = null;
        foreach (var operation in root.Descendants())
        {
            if (operation is IAwaitOperation awaited && operation.Syntax.SpanStart > started.Syntax.Span.End
                && NpgsqlCalls.UnwrapAwaited(awaited) is ILocalReferenceOperation local && SymbolEqualityComparer.Default.Equals(local.Local, task)
                && (awaitedAt is null || operation.Syntax.SpanStart < awaitedAt))
            {
                awaitedAt = operation.Syntax.SpanStart;
            }
        }
        if (awaitedAt is not int position)
            return false;
        // The other branches of the ifs around the start never run with it (`else ret = executor(...)`).
        var otherBranches = new List<Microsoft.CodeAnalysis.Text.TextSpan>();
        for (IOperation? node = started, branch = null; node is not null; branch = node, node = node.Parent)
        {
            if (node is IConditionalOperation conditional && branch is not null)
            {
                foreach (var side in new[] { conditional.WhenTrue, conditional.WhenFalse })
                {
                    if (side is not null && side != branch)
                        otherBranches.Add(side.Syntax.Span);
                }
            }
        }
        foreach (var operation in root.Descendants())
        {
            var start = operation.Syntax.SpanStart;
            if (start <= started.Syntax.Span.End || start >= position || otherBranches.Exists(span => span.Contains(operation.Syntax.Span)))
                continue;
            if (operation is IReturnOperation && !operation.Syntax.Span.Contains(position))
                return false; // may return while the task runs (`return await ret;` itself is fine)
            if (operation is ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation
                && aliases.Connection(operation) is ISymbol used && SymbolEqualityComparer.Default.Equals(used, connection))
                return false;
        }
        return true;
    }

    /// <summary>Whether the method uses the connection (or its commands, readers, transaction) after the task was started, outside the task's body.</summary>
    static bool UsedAfter(IInvocationOperation started, ISymbol connection, ConnectionAliases aliases)
    {
        var root = (IOperation)started;
        while (root.Parent is not null)
            root = root.Parent;
        foreach (var operation in root.Descendants())
        {
            if (operation.Syntax.SpanStart < started.Syntax.Span.End
                || operation is not (ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation))
                continue;
            if (aliases.Connection(operation) is ISymbol used && SymbolEqualityComparer.Default.Equals(used, connection))
                return true;
        }
        return false;
    }

    /// <summary>
    /// `var t = conn.ExecuteAsync(...)` (not awaited), then another operation on conn before `await t`.
    /// Statement order within one block; the stored task must come from a database call.
    /// </summary>
    static void CheckPendingTasks(Reporter reporter, IBlockOperation block, ConnectionAliases aliases, NpgsqlSymbols symbols)
    {
        var pending = new List<(ILocalSymbol Task, ISymbol Connection, string Started)>();
        foreach (var statement in block.Operations)
        {
            if (pending.Count > 0)
            {
                foreach (var node in statement.DescendantsAndSelf())
                {
                    if (node is IInvocationOperation call && aliases.ConnectionOfCall(call) is ISymbol connection && !IsCombinatorArgument(call))
                    {
                        foreach (var (task, taskConnection, started) in pending)
                        {
                            if (SymbolEqualityComparer.Default.Equals(connection, taskConnection))
                            {
                                reporter.Report(call.Syntax, connection, $"'{call.TargetMethod.Name}' starts while the task in '{task.Name}' ('{started}') may still be running");
                                return;
                            }
                        }
                    }
                }
                // A statement that awaits a pending task (or hands it to something) ends our knowledge of it.
                foreach (var node in statement.DescendantsAndSelf())
                {
                    if (node is ILocalReferenceOperation reference)
                        pending.RemoveAll(p => SymbolEqualityComparer.Default.Equals(p.Task, reference.Local));
                }
            }

            if (statement is IVariableDeclarationGroupOperation group)
            {
                foreach (var declaration in group.Declarations)
                {
                    foreach (var declarator in declaration.Declarators)
                    {
                        var value = MethodScope.Unwrap(declarator.Initializer?.Value ?? declaration.Initializer?.Value);
                        if (value is IInvocationOperation started && IsTask(declarator.Symbol.Type) && aliases.ConnectionOfCall(started) is ISymbol connection)
                            pending.Add((declarator.Symbol, connection, started.TargetMethod.Name));
                    }
                }
            }
        }
    }

    static bool IsCombinatorArgument(IInvocationOperation call)
    {
        for (var parent = call.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is IInvocationOperation outer && IsTaskCombinator(outer))
                return true;
        }
        return false;
    }

    static bool IsTask(ITypeSymbol type)
        => type.Name is "Task" or "ValueTask" && type.ContainingNamespace?.ToDisplayString() == "System.Threading.Tasks";

    /// <summary>
    /// Reports at most one diagnostic per connection in a method: the shapes often describe the same
    /// overlap twice (a pending stored task, then the WhenAll that awaits it).
    /// </summary>
    sealed class Reporter
    {
        readonly OperationBlockAnalysisContext _context;
        readonly HashSet<ISymbol> _reported = new(SymbolEqualityComparer.Default);

        public Reporter(OperationBlockAnalysisContext context) => _context = context;

        public void Report(SyntaxNode at, ISymbol connection, string how)
        {
            if (_reported.Add(connection))
                _context.ReportDiagnostic(Diagnostic.Create(Descriptor, at.GetLocation(), connection.Name, how));
        }
    }
}
