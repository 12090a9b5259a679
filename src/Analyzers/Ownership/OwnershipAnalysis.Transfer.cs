using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

internal sealed partial class OwnershipAnalysis
{
    /// <summary>Applies the operations of one block to the state, in evaluation order.</summary>
    readonly struct TransferContext
    {
        readonly OwnershipAnalysis _analysis;
        readonly Run _run;
        readonly BasicBlock _block;

        public TransferContext(OwnershipAnalysis analysis, Run run, BasicBlock block)
        {
            _analysis = analysis;
            _run = run;
            _block = block;
        }

        /// <summary>How deep an expression tree may nest before the analysis gives up on the method.</summary>
        const int MaxExpressionDepth = 400;

        public void Transfer(IOperation operation, FlowState state) => Transfer(operation, state, 0);

        void Transfer(IOperation operation, FlowState state, int depth)
        {
            // Very deep trees (thousands of chained concatenations) would exhaust the stack.
            if (depth > MaxExpressionDepth)
                throw new AbortAnalysisException();
            if (operation is IFlowAnonymousFunctionOperation lambda)
            {
                _analysis.LambdaCreated(lambda, state);
                return;
            }
            if (operation is ILocalFunctionOperation)
                return;
            if (operation is IDelegateCreationOperation { Target: IMethodReferenceOperation localFunction })
                _analysis.MarkEscapingDelegate(localFunction, state);

            foreach (var child in operation.ChildOperations)
                Transfer(child, state, depth + 1);

            switch (operation)
            {
                case IInvocationOperation invocation:
                    _analysis.Invocation(invocation, state, this);
                    _analysis.BlockingWaitAt(invocation, state);
                    break;
                case IObjectCreationOperation creation:
                    _analysis.Arguments(creation.Arguments, creation.Constructor, state);
                    Throws(creation, "new " + (creation.Type?.Name ?? "object"), state);
                    break;
                case IAwaitOperation awaited:
                    _analysis.Await(awaited, state);
                    Throws(awaited, "await", _analysis.AwaitExceptionState(awaited, state));
                    break;
                case IThrowOperation thrown:
                    Throws(thrown, "throw", state);
                    break;
                case ISimpleAssignmentOperation assignment:
                    _analysis.Assignment(assignment, state);
                    break;
                case IPropertyReferenceOperation or IFieldReferenceOperation or IEventReferenceOperation:
                    var member = (IMemberReferenceOperation)operation;
                    if (!IsAssignmentTarget(operation))
                        _analysis.Use(member.Instance, member.Member.Name, state);
                    if (operation is IPropertyReferenceOperation)
                        _analysis.BlockingWaitAt(operation, state);
                    break;
                case IReturnOperation { Kind: OperationKind.YieldReturn } yielded:
                    _analysis.Move(yielded.ReturnedValue, state);
                    break;
                case IArrayInitializerOperation or ITupleOperation:
                    foreach (var element in operation.ChildOperations)
                        _analysis.Move(element, state);
                    break;
            }
        }

        static bool IsAssignmentTarget(IOperation operation)
            => operation.Parent is ISimpleAssignmentOperation assignment && assignment.Target == operation;

        /// <summary>The operation can throw here: send the current state to the handlers.</summary>
        /// <remarks>No copy: propagating only reads the state (handlers and finally runs copy what they keep).</remarks>
        public void Throws(IOperation operation, string name, FlowState state)
            => _analysis.PropagateException(_block.EnclosingRegion, state, name, operation.Syntax, _run);
    }

    void Invocation(IInvocationOperation invocation, FlowState state, TransferContext context)
    {
        var kind = NpgsqlCalls.Classify(invocation, _scope.Symbols);
        var receiverOperand = NpgsqlCalls.Receiver(invocation);
        var receiver = _scope.Resource(_scope.ReferencedSymbol(receiverOperand));
        // A delegate call is named by the delegate (`work`), not by its Invoke method.
        var name = invocation.TargetMethod.MethodKind == MethodKind.DelegateInvoke && invocation.Instance is { Syntax: var delegateSyntax } && delegateSyntax.Span.Length <= 40
            ? delegateSyntax.ToString()
            : invocation.TargetMethod.Name;

        // Using a value, completing it and checking the connection happen before the call can throw;
        // a failed Commit or Rollback leaves the value ended but not known to be completed.
        FlowState? failedCompletion = null;
        if (receiver is not null && invocation.Instance is not null)
        {
            switch (kind)
            {
                case CallKind.Commit:
                case CallKind.Rollback:
                    CheckUse(receiver, receiverOperand!, name, state);
                    failedCompletion = state.Clone();
                    failedCompletion[receiver.Index] = ValueFlags.CompletionFailed;
                    Complete(receiver, kind == CallKind.Commit ? ValueFlags.Committed : ValueFlags.RolledBack, invocation, state);
                    break;
                case CallKind.Dispose:
                    if (_reporting && invocation.IsImplicit && _exceptionalFinallyRuns == 0 && MayBeOpenAtDispose(receiver, state))
                        _report.OpenAtUsingDispose.Add(receiver.Symbol!);
                    Complete(receiver, ValueFlags.Disposed, invocation, state);
                    if (receiver.Kind == ResourceKind.Connection)
                        EndDependents(receiver.Symbol!, state);
                    break;
                case CallKind.Open:
                    if (receiver.OpenedHere)
                        state[receiver.Index] = ValueFlags.Open;
                    else if (receiver.IsOwned && (state[receiver.Index] & ValueFlags.Disposed) != 0)
                        state[receiver.Index] = (state[receiver.Index] & ~ValueFlags.Disposed) | ValueFlags.Open;
                    break;
                default:
                    CheckUse(receiver, receiverOperand!, name, state);
                    break;
            }
        }

        if (kind == CallKind.BeginTransaction)
            CheckNestedBegin(invocation, state);

        if (_scope.DeferredQueries.Count > 0 && LazySequences.Enumerates(invocation))
            DeferredQueryRuns(invocation, state);

        // A helper that takes or releases a session lock on a connection it is given.
        var lockEffects = kind == CallKind.Other ? _scope.LockHelperEffects(invocation) : null;

        // A lock or unlock statement that throws has not changed what the session holds.
        var beforeStatement = _scope.AdvisoryLocks.Count > 0 && (kind is CallKind.ExecuteCommand or CallKind.ExecuteReader or CallKind.DapperCommand or CallKind.RuntimeStatement || lockEffects is { Count: > 0 })
            ? state.Clone()
            : null;
        if (lockEffects is not null)
        {
            foreach (var (lockedConnection, lockSql) in lockEffects)
                StatementRuns(lockedConnection, null, lockSql, invocation, state);
        }
        if (kind == CallKind.Other && invocation.TargetMethod.DeclaringSyntaxReferences.Length > 0)
            HelperStatementRuns(invocation, state);

        if (kind is CallKind.ExecuteCommand or CallKind.ExecuteReader)
        {
            if (MethodScope.Unwrap(receiverOperand) is IInvocationOperation { TargetMethod.Name: "CreateCommand" } created
                && NpgsqlSymbols.IsOrDerives(NpgsqlCalls.Receiver(created)?.Type, _scope.Symbols.NpgsqlDataSource))
                OtherConnectionWrites(null, created.Arguments.Length > 0 ? _scope.ConstantText(created.Arguments[0].Value) : null, invocation, state);
            else
                CommandRuns(invocation, receiverOperand, state);
        }

        if (_scope.ScopeTransaction is TrackedResource scopeTransaction && _scope.IsScopeTx(receiverOperand))
            ScopeStatement(scopeTransaction, invocation, state);

        if (kind == CallKind.RuntimeStatement)
            RuntimeStatementRuns(invocation, receiverOperand, receiver, state);

        if (kind == CallKind.CreateHandle && _reporting && IsDiscarded(invocation)
            && NpgsqlCalls.HandleKind(invocation.TargetMethod.ReturnType, _scope.Symbols) is ResourceKind handle
            && _reportedDiscards.Add(invocation.Syntax.GetLocation()))
        {
            _report.DiscardedHandles.Add(new DiscardedHandle(handle, invocation.Syntax.GetLocation(), invocation.TargetMethod.Name,
                _scope.ConnectionSymbol(receiverOperand)?.Name));
        }

        if (kind == CallKind.DapperCommand && _scope.ConnectionSymbol(receiverOperand) is ISymbol dapperConnection)
        {
            CheckReaders(dapperConnection, invocation, state);
            string? sql = null;
            ISymbol? transaction = null;
            foreach (var argument in invocation.Arguments)
            {
                if (argument.Parameter?.Name == "sql")
                    sql = _scope.ConstantText(argument.Value);
                else if (argument.Parameter?.Name == "transaction")
                    transaction = _scope.ReferencedSymbol(argument.Value);
            }
            StatementRuns(dapperConnection, transaction, sql, invocation, state);
        }

        var localFunction = invocation.TargetMethod.MethodKind == MethodKind.LocalFunction
            && _localFunctions.TryGetValue(invocation.TargetMethod.OriginalDefinition, out var summary) ? summary : null;
        if (localFunction is not null)
        {
            foreach (var captured in localFunction.TouchedCaptures)
                MoveSymbol(captured, state);
        }

        Arguments(invocation.Arguments, invocation.TargetMethod, state, localFunction, skipFirst: invocation.Instance is null && invocation.TargetMethod.IsExtensionMethod && receiver is not null);

        // The implicit `: base()` call of a constructor runs before the body has anything to lose.
        if (invocation.IsImplicit && invocation.TargetMethod.MethodKind == MethodKind.Constructor)
            return;

        var exceptional = failedCompletion ?? state;
        if (beforeStatement is not null)
        {
            exceptional = RestoreAdvisoryLocks(exceptional, beforeStatement);
            _lastStatement = (invocation, beforeStatement);
        }
        context.Throws(invocation, name, exceptional);
    }

    readonly HashSet<Location> _reportedDiscards = new();

    /// <summary>
    /// The call's result (awaited or not, with ConfigureAwait) is thrown away: an expression statement,
    /// or an assignment to the discard <c>_</c>.
    /// </summary>
    static bool IsDiscarded(IInvocationOperation invocation)
    {
        // Read from the syntax: the graph has no statements, and a returned value is a parentless
        // branch value there just like a discarded one.
        var node = invocation.Syntax;
        while (node.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.AwaitExpressionSyntax or Microsoft.CodeAnalysis.CSharp.Syntax.ParenthesizedExpressionSyntax
            || node.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax }
            || node.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.InvocationExpressionSyntax { Expression: Microsoft.CodeAnalysis.CSharp.Syntax.MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait" } })
            node = node.Parent;
        return node.Parent switch
        {
            Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax => true,
            Microsoft.CodeAnalysis.CSharp.Syntax.AssignmentExpressionSyntax { Left: Microsoft.CodeAnalysis.CSharp.Syntax.IdentifierNameSyntax { Identifier.ValueText: "_" } } assignment
                => assignment.Right == node && assignment.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.ExpressionStatementSyntax,
            _ => false,
        };
    }

    /// <summary>The statement call most recently run, and the state before it (for its await's exception).</summary>
    (IInvocationOperation Invocation, FlowState Before)? _lastStatement;

    /// <summary>
    /// The state when an await throws. Awaiting a lock or unlock statement that fails means the
    /// statement did not take effect: the advisory locks are as they were before it.
    /// </summary>
    FlowState AwaitExceptionState(IAwaitOperation awaited, FlowState state)
    {
        if (_lastStatement is not (IInvocationOperation statement, FlowState before))
            return state;
        return NpgsqlCalls.UnwrapAwaited(awaited.Operation) == statement ? RestoreAdvisoryLocks(state, before) : state;
    }

    FlowState RestoreAdvisoryLocks(FlowState state, FlowState before)
    {
        // A failed lock call took nothing. A failed unlock call counts as released: it fails when the
        // session is broken, and a broken session holds no locks (precision first).
        var restored = state.Clone();
        foreach (var advisory in _scope.AdvisoryLocks.Values)
        {
            if ((state[advisory.Index] & ValueFlags.Disposed) == 0)
                restored[advisory.Index] = before[advisory.Index];
        }
        return restored;
    }

    void Arguments(System.Collections.Immutable.ImmutableArray<IArgumentOperation> arguments, IMethodSymbol? method, FlowState state, LocalFunctionSummary? localFunction = null, bool skipFirst = false)
    {
        for (var i = skipFirst ? 1 : 0; i < arguments.Length; i++)
        {
            var argument = arguments[i];
            var resource = _scope.Resource(_scope.ReferencedSymbol(argument.Value));
            if (resource is null)
                continue;
            var parameter = argument.Parameter;
            if (parameter is null || method is null)
            {
                MoveResource(resource, state);
                continue;
            }
            if (parameter.RefKind is RefKind.Out or RefKind.Ref)
            {
                MoveResource(resource, state);
                continue;
            }

            bool takes;
            if (localFunction is not null)
                takes = localFunction.TakenParameters.Contains(parameter.Ordinal);
            else
                takes = _takers.TakesOwnership(method, parameter, _depth, _scope.CancellationToken);

            if (takes)
            {
                MoveResource(resource, state);
            }
            else
            {
                var usedBy = method.MethodKind == MethodKind.Constructor ? "new " + method.ContainingType.Name : method.Name;
                CheckUse(resource, argument.Value, usedBy, state);
                // A callee outside the database libraries may run anything in the transaction it is given.
                if ((state[resource.Index] & ValueFlags.Open) != 0 && !NpgsqlSymbols.IsBorrowingLibrary(method))
                {
                    var callee = method.MethodKind == MethodKind.DelegateInvoke && argument.Parent is IInvocationOperation { Instance: { } target } ? target.Syntax.ToString() : usedBy;
                    WorkRuns(resource, $"'{callee}'", argument);
                }
            }
        }
    }

    void Assignment(ISimpleAssignmentOperation assignment, FlowState state)
    {
        var target = MethodScope.Unwrap(assignment.Target);
        var valueSymbol = _scope.ReferencedSymbol(assignment.Value);
        var source = _scope.Resource(valueSymbol);

        if (target is ILocalReferenceOperation local)
        {
            if (_scope.BoolSlot(local.Local) is int slot)
            {
                state.SetBool(slot, MethodScope.Unwrap(assignment.Value) is ILiteralOperation { ConstantValue: { HasValue: true, Value: bool constant } }
                    ? (constant ? BoolValue.True : BoolValue.False)
                    : BoolValue.Unknown);
            }

            var resource = _scope.Resource(local.Local);
            if (resource is null)
                return;
            if (_scope.IsCreation(assignment.Value, out _, out var connection, out var command))
            {
                state[resource.Index] = ValueFlags.Open;
                state.ClearActivity(resource.Index);
                resource.Connection ??= ConnectionOf(connection, command);
                if (resource.Kind == ResourceKind.AdvisoryLockGuard && NpgsqlCalls.UnwrapAwaited(assignment.Value) is IInvocationOperation taken)
                    resource.LockFunction ??= taken.TargetMethod.Name;
                if (resource.Kind == ResourceKind.Transaction && BeginInvocation(assignment.Value) is IInvocationOperation begin)
                {
                    if (resource.BeginSyntax is null)
                    {
                        resource.BeginSyntax = begin.Syntax;
                        resource.IsolationLevel = IsolationLevels.Constant(begin);
                        if (resource.IsolationLevel is null && IsolationLevels.Possible(begin, _scope) is var (possible, from))
                            (resource.PossibleIsolationLevel, resource.IsolationSource) = (possible, from);
                    }
                    if (_reporting && !_report.BegunTransactions.Contains(resource))
                        _report.BegunTransactions.Add(resource);
                }
            }
            else if (source is not null && source != resource)
            {
                state[resource.Index] = state[source.Index];
                resource.Connection ??= source.Connection;
                // Through MoveResource: a lambda that moves a captured value into its own local
                // (`var current = conn;` in a background task) takes it.
                MoveResource(source, state);
            }
            else if (source is null && MethodScope.IsUsingDeclared(local.Local) && !IsNullLiteral(assignment.Value))
            {
                // `await using var conn = db.CreateConnection()`: whatever produced it, the using owns
                // it and will dispose it, ending what runs on it. (A null there fails at its first use.)
                state[resource.Index] = ValueFlags.Open;
                state.ClearActivity(resource.Index);
            }
            else if (source is null)
            {
                // Null, or a value this method does not own (a field, a factory outside the rules).
                state[resource.Index] = ValueFlags.Unset;
            }
            return;
        }

        if (target is IParameterReferenceOperation parameterTarget && BeginIntoBorrowedParameter(parameterTarget.Parameter, assignment, state))
            return;

        if (source is null)
            return;

        // cmd.Transaction = tx and other Npgsql setters borrow; any other store moves ownership out.
        if (target is IPropertyReferenceOperation property && property.Instance is not null && NpgsqlSymbols.IsBorrowingLibrary(property.Property.SetMethod ?? property.Property.GetMethod!))
            CheckUse(source, assignment.Value, property.Property.Name, state);
        else
            MoveResource(source, state);
    }

    ISymbol? ConnectionOf(IOperation? connection, IOperation? command)
    {
        if (connection is not null)
        {
            // Results read through a transaction (tx.QueryMultipleAsync) keep the transaction's connection busy.
            var symbol = _scope.ConnectionSymbol(connection);
            return _scope.Resource(symbol) is { Kind: ResourceKind.Transaction, Connection: ISymbol transactionConnection }
                ? transactionConnection
                : symbol;
        }
        if (command is not null && _scope.ReferencedSymbol(command) is ISymbol commandSymbol
            && _scope.CommandConnections.TryGetValue(commandSymbol, out var owner))
            return owner;
        return null;
    }

    /// <summary>A command or batch runs: its transaction is used and its connection must be free.</summary>
    void CommandRuns(IInvocationOperation invocation, IOperation? commandOperand, FlowState state)
    {
        var command = _scope.ReferencedSymbol(commandOperand);
        if (command is null)
            return;
        if (_scope.ScopeTransaction is TrackedResource scopeTransaction && _scope.ScopeCommands.Contains(command))
        {
            // A command of the scope's PgTx runs in the scope's transaction.
            if (invocation.TargetMethod.Name is not ("Prepare" or "PrepareAsync"))
                ScopeStatementRuns(scopeTransaction, _scope.CommandSql.TryGetValue(command, out var scopeSql) ? scopeSql : null, invocation, state);
            return;
        }
        if (_scope.CommandTransactions.TryGetValue(command, out var transactionSymbol) && _scope.Resource(transactionSymbol) is TrackedResource transaction)
            CheckUse(transaction, commandOperand!, invocation.TargetMethod.Name, state);
        if (_scope.CommandConnections.TryGetValue(command, out var connection))
            CheckReaders(connection, invocation, state);
        if (invocation.TargetMethod.Name is not ("Prepare" or "PrepareAsync"))
        {
            _scope.CommandSql.TryGetValue(command, out var sql);
            if (_scope.DataSourceCommands.Contains(command))
                OtherConnectionWrites(null, sql, invocation, state);
            else
                StatementRuns(connection, transactionSymbol, sql, invocation, state);
        }
    }

    /// <summary>
    /// A runtime query method runs its SQL on a transaction (which is used: PGB003 after completion),
    /// on a connection (in every open transaction of it), or on a data source (a pooled connection of
    /// its own: PGB105's business only).
    /// </summary>
    /// <summary>
    /// A helper of this compilation that runs a statement on the transaction or connection it is given
    /// (<c>await database.Execute(new LockCheckpoint(...), connection, transaction, ct)</c>): the transaction has
    /// now been on the server, as if the statement ran here. Only the activity is recorded; the text is the helper's.
    /// </summary>
    void HelperStatementRuns(IInvocationOperation invocation, FlowState state)
    {
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter is not IParameterSymbol parameter
                || _scope.Symbols.KindOfVariableType(parameter.Type) is not (ResourceKind.Transaction or ResourceKind.Connection))
                continue;
            var transaction = _scope.Resource(_scope.ReferencedSymbol(argument.Value)) is { Kind: ResourceKind.Transaction } given ? given.Symbol : null;
            var connection = transaction is null ? _scope.ConnectionSymbol(argument.Value) : null;
            if (transaction is null && connection is null || !_takers.RunsStatementOn(invocation.TargetMethod, parameter.Ordinal, depth: 0))
                continue;
            foreach (var resource in _scope.Resources)
            {
                if (resource.Kind == ResourceKind.Transaction && (state[resource.Index] & ValueFlags.Open) != 0
                    && (transaction is not null && SymbolEqualityComparer.Default.Equals(resource.Symbol, transaction)
                        || connection is not null && SymbolEqualityComparer.Default.Equals(resource.Connection, connection)))
                    state.AddActivity(resource.Index, TransactionActivity.StatementRun);
            }
        }
    }

    void RuntimeStatementRuns(IInvocationOperation invocation, IOperation? receiverOperand, TrackedResource? receiver, FlowState state)
    {
        var sql = _scope.RuntimeStatementText(invocation);
        var receiverType = MethodScope.Unwrap(receiverOperand)?.Type;
        if (NpgsqlSymbols.IsOrDerives(receiverType, _scope.Symbols.NpgsqlDataSource))
        {
            OtherConnectionWrites(null, sql, invocation, state);
            return;
        }
        if (_scope.Symbols.KindOfVariableType(receiverType) == ResourceKind.Transaction)
        {
            if (receiver is null)
                return; // a transaction this method does not track (a field): nothing to follow
            CheckUse(receiver, receiverOperand!, invocation.TargetMethod.Name, state);
            if (receiver.Connection is ISymbol transactionConnection)
                CheckReaders(transactionConnection, invocation, state);
            StatementRuns(receiver.Connection, receiver.Symbol, sql, invocation, state);
            return;
        }
        if (_scope.ConnectionSymbol(receiverOperand) is ISymbol connection)
        {
            CheckReaders(connection, invocation, state);
            StatementRuns(connection, null, sql, invocation, state);
        }
    }

    void CheckReaders(ISymbol connection, IInvocationOperation invocation, FlowState state)
    {
        if (!_reporting)
            return;
        foreach (var reader in _scope.Resources)
        {
            if (reader.Kind == ResourceKind.DataReader
                && SymbolEqualityComparer.Default.Equals(reader.Connection, connection)
                && FlowState.IsDefinitelyOpen(state[reader.Index]))
            {
                var location = invocation.Syntax.GetLocation();
                if (_reportedUses.Add((reader, location)))
                    _report.ReadersStillOpen.Add(new ReaderStillOpen(reader, location, invocation.TargetMethod.Name, connection.Name, LineOf(invocation)));
            }
        }
    }

    void CheckNestedBegin(IInvocationOperation invocation, FlowState state)
    {
        if (!_reporting)
            return;
        var connection = _scope.ConnectionSymbol(NpgsqlCalls.Receiver(invocation));
        if (connection is null)
            return;
        foreach (var transaction in _scope.Resources)
        {
            if (transaction.Kind == ResourceKind.Transaction
                && SymbolEqualityComparer.Default.Equals(transaction.Connection, connection)
                && FlowState.IsDefinitelyOpen(state[transaction.Index])
                && transaction.Symbol is ILocalSymbol)
            {
                var location = invocation.Syntax.GetLocation();
                if (_reportedUses.Add((transaction, location)))
                    _report.NestedBegins.Add(new NestedBegin(location, connection.Name, transaction, transaction.Location.GetLineSpan().StartLinePosition.Line + 1));
            }
        }
    }

    /// <summary>A member of a tracked value is used: report it when every path has completed the value.</summary>
    void Use(IOperation? instance, string usedBy, FlowState state)
    {
        var resource = _scope.Resource(_scope.ReferencedSymbol(instance));
        if (resource is not null && instance is not null)
            CheckUse(resource, instance, usedBy, state);
    }

    void CheckUse(TrackedResource resource, IOperation useSite, string usedBy, FlowState state)
    {
        if (!_reporting || resource.Kind != ResourceKind.Transaction)
            return;
        var flags = state[resource.Index];
        if (!FlowState.IsDefinitelyCompleted(flags))
            return;
        var completion = CompletionOf(flags);
        var location = MethodScope.Unwrap(useSite)!.Syntax.GetLocation();
        if (_reportedUses.Add((resource, location)))
            _report.UsesAfterCompletion.Add(new UseAfterCompletion(resource, location, usedBy, completion, state.CompletionLine(resource.Index)));
    }

    /// <summary>How a value that is definitely completed was completed, for messages (a commit wins over a later dispose).</summary>
    static CompletionKind CompletionOf(ValueFlags flags)
        => (flags & ValueFlags.Committed) != 0 ? CompletionKind.Committed
        : (flags & ValueFlags.RolledBack) != 0 ? CompletionKind.RolledBack
        : CompletionKind.Disposed;

    void Complete(TrackedResource resource, ValueFlags how, IOperation operation, FlowState state)
    {
        var flags = state[resource.Index];
        // Disposing after a commit keeps the record of the commit (for messages), and is harmless.
        if (how == ValueFlags.Disposed && FlowState.IsDefinitelyCompleted(flags))
            return;
        if (how != ValueFlags.Disposed && resource.Kind == ResourceKind.Transaction)
        {
            // A second Commit or Rollback is itself a use after completion: CheckUse reported it.
        }
        if (resource.Kind == ResourceKind.Transaction)
        {
            CheckOutlivingDelegates(resource, how, CompletionLineOf(operation), state);
            CheckCallersValueCompleted(resource, how, operation, state);
        }
        state.Complete(resource.Index, how, CompletionLineOf(operation));
        if (resource.IsCaptured)
            _touchedCaptures.Add(resource.Symbol!);
    }

    /// <summary>Per parameter, the index of its report: one per parameter, at the completion earliest in the source.</summary>
    readonly Dictionary<TrackedResource, int> _reportedCallersValues = new();

    /// <summary>
    /// A method that begins its own transaction when the caller gives none must complete only that one: on a path
    /// where the parameter still holds the caller's transaction, a Commit, Rollback or Dispose here ends it under
    /// the caller, whose own Commit then throws (or whose later commands run outside any transaction).
    /// </summary>
    void CheckCallersValueCompleted(TrackedResource resource, ValueFlags how, IOperation operation, FlowState state)
    {
        if (!_reporting || _exceptionalFinallyRuns > 0 || resource.IsOwned || resource.Symbol is not IParameterSymbol
            || (state.Activity(resource.Index) & TransactionActivity.CallersValue) == 0 || (state[resource.Index] & ValueFlags.Open) == 0)
            return;
        var completion = how == ValueFlags.Committed ? CompletionKind.Committed
            : how == ValueFlags.RolledBack ? CompletionKind.RolledBack
            : CompletionKind.Disposed;
        var found = new CallersTransactionCompleted(resource, operation.Syntax.GetLocation(), completion, CompletionLineOf(operation));
        if (!_reportedCallersValues.TryGetValue(resource, out var index))
        {
            _reportedCallersValues[resource] = _report.CallersTransactionsCompleted.Count;
            _report.CallersTransactionsCompleted.Add(found);
        }
        else if (found.Location.SourceSpan.Start < _report.CallersTransactionsCompleted[index].Location.SourceSpan.Start)
        {
            _report.CallersTransactionsCompleted[index] = found;
        }
    }

    /// <summary>
    /// The line where a using's implicit Dispose runs: the end of the using statement, or of the block that
    /// holds a using declaration.
    /// </summary>
    static int EndOfUsingScope(SyntaxNode syntax)
    {
        SyntaxNode scope = syntax;
        for (var node = syntax; node is not null; node = node.Parent)
        {
            if (node is Microsoft.CodeAnalysis.CSharp.Syntax.UsingStatementSyntax)
            {
                scope = node;
                break;
            }
            if (node is Microsoft.CodeAnalysis.CSharp.Syntax.LocalDeclarationStatementSyntax { Parent: { } block } declaration && declaration.UsingKeyword != default)
            {
                scope = block;
                break;
            }
            if (node is Microsoft.CodeAnalysis.CSharp.Syntax.StatementSyntax)
                break;
        }
        return scope.GetLocation().GetLineSpan().EndLinePosition.Line + 1;
    }

    /// <summary>
    /// Whether disposing the value here can make a round trip: a transaction that may be pending
    /// (ROLLBACK), a reader that may be open (it reads the rest), a connection with either on it.
    /// </summary>
    bool MayBeOpenAtDispose(TrackedResource resource, FlowState state)
    {
        if (resource.Symbol is null)
            return false;
        switch (resource.Kind)
        {
            case ResourceKind.Transaction:
            case ResourceKind.DataReader:
                return (state[resource.Index] & ValueFlags.Open) != 0;
            case ResourceKind.Connection:
                foreach (var dependent in _scope.Resources)
                {
                    if (dependent.Kind is ResourceKind.Transaction or ResourceKind.DataReader
                        && SymbolEqualityComparer.Default.Equals(dependent.Connection, resource.Symbol)
                        && (state[dependent.Index] & ValueFlags.Open) != 0)
                    {
                        return true;
                    }
                }
                return false;
        }
        return false;
    }

    /// <summary>Disposing or closing a connection ends the transactions and readers begun on it.</summary>
    void EndDependents(ISymbol connection, FlowState state)
    {
        foreach (var dependent in _scope.Resources)
        {
            // Session advisory locks are not released by closing: the pooled connection keeps them
            // until Npgsql resets it on its next use.
            if (dependent.Kind is not (ResourceKind.Connection or ResourceKind.AdvisoryLock or ResourceKind.AdvisoryLockGuard)
                && SymbolEqualityComparer.Default.Equals(dependent.Connection, connection)
                && (state[dependent.Index] & ValueFlags.Open) != 0)
            {
                state[dependent.Index] = (state[dependent.Index] & ~ValueFlags.Open) | ValueFlags.EndedWithConnection;
            }
        }
    }

    void Move(IOperation? value, FlowState state)
    {
        var resource = _scope.Resource(_scope.ReferencedSymbol(value));
        if (resource is not null)
            MoveResource(resource, state);
    }

    void MoveSymbol(ISymbol symbol, FlowState state)
    {
        var resource = _scope.Resource(symbol);
        if (resource is not null)
            MoveResource(resource, state);
    }

    void MoveResource(TrackedResource resource, FlowState state)
    {
        state[resource.Index] = ValueFlags.Moved;
        if (resource.IsCaptured)
            _touchedCaptures.Add(resource.Symbol!);
    }

    /// <summary>
    /// A lambda is created. If its body completes, disposes or moves a captured value, ownership
    /// goes with the lambda. If the lambda itself escapes (stored in a field, returned), everything
    /// it captures goes with it. Otherwise (passed to a method, invoked here) the capture is a borrow.
    /// </summary>
    void LambdaCreated(IFlowAnonymousFunctionOperation lambda, FlowState state)
    {
        MarkEscapingDelegate(lambda, state);
        if (_lambdaTakes.TryGetValue(lambda, out var taken))
        {
            foreach (var symbol in taken)
                MoveSymbol(symbol, state);
        }

        if (!LambdaEscapes(lambda))
            return;
        var graph = _scope.Graph.GetAnonymousFunctionControlFlowGraph(lambda, _scope.CancellationToken);
        foreach (var block in graph.Blocks)
        {
            foreach (var operation in block.Operations)
                MoveReferencedValues(operation, state);
            if (block.BranchValue is not null)
                MoveReferencedValues(block.BranchValue, state);
        }
    }

    void MoveReferencedValues(IOperation operation, FlowState state)
    {
        foreach (var node in operation.DescendantsAndSelf())
        {
            if (node is ILocalReferenceOperation or IParameterReferenceOperation)
                Move(node, state);
        }
    }

    /// <summary>
    /// The lambda outlives the method: returned (or yielded), or stored anywhere but a local. The engine
    /// asks about ownership, not about threads: a lambda passed to any method (a runner included) only
    /// borrows what it captures (what its own body completes or disposes moves with it anyway), whereas
    /// PGB008 and PGB104 ask which runner gets it and when it runs (<see cref="DelegateFates"/>).
    /// </summary>
    static bool LambdaEscapes(IOperation lambda)
    {
        var fate = DelegateFates.OfFunction(lambda);
        return fate.Kind switch
        {
            FateKind.Assigned => MethodScope.Unwrap(fate.Target) is not ILocalReferenceOperation,
            FateKind.Returned or FateKind.YieldReturned => true,
            _ => false,
        };
    }

    /// <summary>
    /// Narrows the two successors of a conditional branch: a null check of a tracked value (the
    /// null side owns nothing), and a bool local with a known constant (the other side is dead).
    /// </summary>
    bool Refine(IOperation condition, bool jumpWhenTrue, FlowState conditional, FlowState fallThrough, out bool conditionalFeasible, out bool fallThroughFeasible)
    {
        conditionalFeasible = true;
        fallThroughFeasible = true;

        // while (true), if (false): only one side can run.
        if (condition.ConstantValue is { HasValue: true, Value: bool constantCondition })
        {
            conditionalFeasible = constantCondition == jumpWhenTrue;
            fallThroughFeasible = !conditionalFeasible;
            return true;
        }

        // A bool local that decided whether a value was created here, or that holds a null test of one.
        var testedFlag = MethodScope.FlagOf(condition);
        if (testedFlag is (ILocalSymbol flag, bool polarity)
            && (_scope.OwnershipFlags.ContainsKey(flag) || _scope.NullFlags.ContainsKey(flag)))
        {
            var flagTrue = jumpWhenTrue == polarity ? conditional : fallThrough;
            var flagFalse = ReferenceEquals(flagTrue, conditional) ? fallThrough : conditional;
            if (_scope.OwnershipFlags.TryGetValue(flag, out var decides))
            {
                // Where the test says "borrowed", nothing is owned.
                foreach (var (decided, ownedWhen) in decides)
                    (ownedWhen ? flagFalse : flagTrue)[decided.Index] = ValueFlags.Unset;
            }
            if (_scope.NullFlags.TryGetValue(flag, out var nullness))
            {
                ApplyNullness(nullness.WhenTrue, flagTrue);
                ApplyNullness(nullness.WhenFalse, flagFalse);
            }
            return true;
        }

        // A flag set only where the method began its own transaction into a parameter: where it is true, the
        // parameter no longer holds the caller's transaction.
        if (testedFlag is (ILocalSymbol begunHere, bool begunPolarity)
            && _scope.BegunHereFlags.TryGetValue(begunHere, out var begunInto) && _scope.Resource(begunInto) is TrackedResource own)
            (jumpWhenTrue == begunPolarity ? conditional : fallThrough).RemoveActivity(own.Index, TransactionActivity.CallersValue);

        var negated = false;
        condition = MethodScope.Unwrap(condition)!;
        while (condition is IUnaryOperation { OperatorKind: UnaryOperatorKind.Not } not)
        {
            negated = !negated;
            condition = MethodScope.Unwrap(not.Operand)!;
        }

        // In both cases below, "holds" is the side where the tested fact (is null / is true) holds.
        FlowState holds, fails;
        var conditionalHolds = jumpWhenTrue != negated;
        holds = conditionalHolds ? conditional : fallThrough;
        fails = conditionalHolds ? fallThrough : conditional;

        ISymbol? nullChecked = condition switch
        {
            IIsNullOperation isNull => _scope.ReferencedSymbol(isNull.Operand),
            IBinaryOperation { OperatorKind: BinaryOperatorKind.Equals } binary when IsNullLiteral(binary.RightOperand) => _scope.ReferencedSymbol(binary.LeftOperand),
            IBinaryOperation { OperatorKind: BinaryOperatorKind.NotEquals } binary when IsNullLiteral(binary.RightOperand) => Swap(_scope.ReferencedSymbol(binary.LeftOperand), ref holds, ref fails),
            IIsPatternOperation { Pattern: IConstantPatternOperation constant } pattern when IsNullLiteral(constant.Value) => _scope.ReferencedSymbol(pattern.Value),
            IIsPatternOperation { Pattern: INegatedPatternOperation { Pattern: IConstantPatternOperation constant } } pattern when IsNullLiteral(constant.Value) => Swap(_scope.ReferencedSymbol(pattern.Value), ref holds, ref fails),
            _ => null,
        };
        if (_scope.Resource(nullChecked) is TrackedResource resource)
        {
            // A local that holds a created value (not Unset on any path) cannot be null: the null
            // side of the check, such as the one in every `using` finally, is dead.
            var canBeNull = resource.Symbol is not ILocalSymbol || (conditional[resource.Index] & ValueFlags.Unset) != 0;
            holds[resource.Index] = ValueFlags.Unset;
            if (!canBeNull)
            {
                if (ReferenceEquals(holds, conditional))
                    conditionalFeasible = false;
                else
                    fallThroughFeasible = false;
            }
            return true;
        }

        if (condition is ILocalReferenceOperation local && _scope.BoolSlot(local.Local) is int slot)
        {
            var known = conditional.GetBool(slot);
            if (known == BoolValue.Unknown)
                return true;
            var holdsFeasible = known == BoolValue.True;
            if (conditionalHolds)
            {
                conditionalFeasible = holdsFeasible;
                fallThroughFeasible = !holdsFeasible;
            }
            else
            {
                fallThroughFeasible = holdsFeasible;
                conditionalFeasible = !holdsFeasible;
            }
            return true;
        }
        return true;
    }

    /// <summary>
    /// <c>transaction = connection.BeginTransaction();</c> into the caller's transaction parameter while it is not
    /// null: the caller's transaction is open on that connection, and PostgreSQL does not nest transactions
    /// (RepoDB's inverted <c>hasTransaction = transaction == null || ...</c> test did this, cdf4e2fd). A parameter
    /// that may be null (annotated, or defaulting to null) counts only where a test has said it is not.
    /// </summary>
    bool BeginIntoBorrowedParameter(IParameterSymbol parameter, ISimpleAssignmentOperation assignment, FlowState state)
    {
        if (_scope.Resource(parameter) is not { Kind: ResourceKind.Transaction, IsOwned: false } borrowed
            || BeginInvocation(assignment.Value) is not IInvocationOperation begin || NpgsqlCalls.Classify(begin, _scope.Symbols) != CallKind.BeginTransaction)
            return false;
        var mayBeNull = parameter.HasExplicitDefaultValue || parameter.NullableAnnotation == NullableAnnotation.Annotated;
        if (_reporting && !mayBeNull && state[borrowed.Index] == ValueFlags.Open)
        {
            var location = begin.Syntax.GetLocation();
            var connection = _scope.ConnectionSymbol(NpgsqlCalls.Receiver(begin));
            if (_reportedUses.Add((borrowed, location)))
                _report.NestedBegins.Add(new NestedBegin(location, connection?.Name ?? "the connection", borrowed, 0));
        }
        state[borrowed.Index] = ValueFlags.Open;
        state.RemoveActivity(borrowed.Index, TransactionActivity.CallersValue);
        return true;
    }

    /// <summary>Null means nothing is held; not null drops the "nothing held" possibility (if another remains).</summary>
    void ApplyNullness(List<(ISymbol Value, bool IsNull)> facts, FlowState state)
    {
        foreach (var (value, isNull) in facts)
        {
            if (_scope.Resource(value) is not TrackedResource resource)
                continue;
            if (isNull)
                state[resource.Index] = ValueFlags.Unset;
            else if ((state[resource.Index] & ~ValueFlags.Unset) != 0)
                state[resource.Index] &= ~ValueFlags.Unset;
        }
    }

    static ISymbol? Swap(ISymbol? symbol, ref FlowState holds, ref FlowState fails)
    {
        (holds, fails) = (fails, holds);
        return symbol;
    }

    static bool IsNullLiteral(IOperation? operation)
        => MethodScope.Unwrap(operation) is { ConstantValue: { HasValue: true, Value: null } };

    static IInvocationOperation? BeginInvocation(IOperation value) => NpgsqlCalls.UnwrapAwaited(value) as IInvocationOperation;
}
