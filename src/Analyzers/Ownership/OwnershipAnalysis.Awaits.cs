using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Sql;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// What transactions do on the server (statements run, locks taken) and which awaits wait for
/// something else while they are open: the facts behind PGB101 and PGB102, clippy's
/// <c>await_holding_lock</c> keyed on the SQL a transaction ran.
/// </summary>
internal sealed partial class OwnershipAnalysis
{
    readonly Dictionary<string, SqlText> _classified = new();
    readonly Dictionary<int, (string Statement, int Line)> _lockSites = new();
    readonly HashSet<IMethodSymbol> _databaseLocalFunctions = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// A statement runs on <paramref name="connection"/> (and in <paramref name="transaction"/>).
    /// Npgsql runs every command of a connection inside the connection's open transaction, whatever
    /// the command's Transaction property says, so every open transaction of that connection is hit.
    /// </summary>
    void StatementRuns(ISymbol? connection, ISymbol? transaction, string? sql, IOperation site, FlowState state)
    {
        var text = sql is null ? null : Classify(sql);
        if (connection is not null)
        {
            OtherConnectionWrites(connection, sql, site, state);
            if (text is not null && _scope.AdvisoryLocks.TryGetValue(connection, out var advisory))
                AdvisoryLockStatement(advisory, text, site, state);
        }
        foreach (var resource in _scope.Resources)
        {
            if (resource.Kind != ResourceKind.Transaction || (state[resource.Index] & ValueFlags.Open) == 0)
                continue;
            var hit = (transaction is not null && SymbolEqualityComparer.Default.Equals(resource.Symbol, transaction))
                || (connection is not null && SymbolEqualityComparer.Default.Equals(resource.Connection, connection));
            if (!hit)
                continue;
            state.AddActivity(resource.Index, TransactionActivity.StatementRun);
            if (text is null || text.Writes || text.TakesTransactionLocks)
                WorkRuns(resource, text is null ? "a statement whose SQL is not constant" : "a statement that writes", site);
            if (text is not null)
            {
                foreach (var statement in text.Statements)
                {
                    if (statement.IsolationLevel is not null)
                        resource.IsolationLevel = statement.IsolationLevel;
                    // PostgreSQL honours DEFERRABLE only for SERIALIZABLE READ ONLY transactions.
                    if (statement.Deferrable && statement.ReadOnly)
                        resource.Deferrable = true;
                }
            }
            if (text is not null && _reporting)
                ReadsAndWrites(resource, text, site);
            if (text is not null)
                RecordLocks(resource, text, site, state);
        }
    }

    void RecordLocks(TrackedResource resource, SqlText text, IOperation site, FlowState state)
    {
        if (!text.TakesTransactionLocks)
            return;
        resource.EverHoldsLocks = true;
        state.AddActivity(resource.Index, TransactionActivity.HoldsLocks);
        if (!_lockSites.ContainsKey(resource.Index))
            _lockSites[resource.Index] = (DescribeLocks(text), LineOf(site));
    }

    /// <summary>
    /// A call on the scope body's PgTx: the runtime's query methods run their SQL text in the scope's
    /// transaction, AdvisoryXactLockAsync takes a transaction-level advisory lock, SavepointAsync runs a
    /// statement. CreateCommand runs nothing yet (its command does, when executed).
    /// </summary>
    void ScopeStatement(TrackedResource scope, IInvocationOperation invocation, FlowState state)
    {
        var method = invocation.TargetMethod;
        if (!NpgsqlSymbols.IsBorrowingLibrary(method))
            return; // a helper of the project: database work, but what it runs is not known here
        switch (method.Name)
        {
            case "CreateCommand":
                return;
            case "AdvisoryXactLockAsync":
                ScopeStatementRuns(scope, "SELECT pg_advisory_xact_lock($1)", invocation, state);
                return;
            case "TryAdvisoryXactLockAsync":
                ScopeStatementRuns(scope, "SELECT pg_try_advisory_xact_lock($1)", invocation, state);
                return;
            case "SavepointAsync":
                ScopeStatementRuns(scope, null, invocation, state);
                return;
        }
        if (NpgsqlCalls.StatementTextArgument(invocation) is not null)
            ScopeStatementRuns(scope, _scope.RuntimeStatementText(invocation), invocation, state);
    }

    /// <summary>A statement runs in the scope body's transaction (text unknown when null).</summary>
    void ScopeStatementRuns(TrackedResource scope, string? sql, IOperation site, FlowState state)
    {
        if ((state[scope.Index] & ValueFlags.Open) == 0)
            return;
        state.AddActivity(scope.Index, TransactionActivity.StatementRun);
        if (sql is not null)
            RecordLocks(scope, Classify(sql), site, state);
    }

    SqlText Classify(string sql)
    {
        if (!_classified.TryGetValue(sql, out var text))
            _classified[sql] = text = SqlClassifier.Classify(sql);
        return text;
    }

    static string DescribeLocks(SqlText text)
    {
        foreach (var statement in text.Statements)
        {
            if (statement.LocksTable)
                return "LOCK TABLE" + Tables(statement.WrittenTables);
            if (statement.RowLock != RowLockStrength.None)
            {
                var clause = statement.RowLock switch
                {
                    RowLockStrength.Update => "FOR UPDATE",
                    RowLockStrength.NoKeyUpdate => "FOR NO KEY UPDATE",
                    RowLockStrength.Share => "FOR SHARE",
                    _ => "FOR KEY SHARE",
                };
                return "SELECT ... " + clause + Tables(statement.ReadTables, " on");
            }
            if (statement.Upserts)
                return "INSERT ... ON CONFLICT DO UPDATE" + Tables(statement.WrittenTables, " on");
            if (statement.Writes)
                return statement.Verb + Tables(statement.WrittenTables);
            foreach (var call in statement.AdvisoryLocks)
            {
                if (!call.SessionLevel && !call.Unlock)
                    return call.Function;
            }
        }
        return "a locking statement";
    }

    static string Tables(List<string> tables, string prefix = "")
        => tables.Count == 0 ? "" : prefix + " " + string.Join(", ", tables);

    /// <summary>An await: if it waits for something that is not database work, open transactions wait too.</summary>
    void Await(IAwaitOperation awaited, FlowState state)
    {
        if (!_reporting)
            return;
        if (NpgsqlCalls.UnwrapAwaited(awaited.Operation) is not IInvocationOperation invocation || IsDatabaseWork(invocation, depth: 0))
            return;

        ReadersAcross(awaited, invocation, state);

        foreach (var resource in _scope.Resources)
        {
            if (resource.Kind is not (ResourceKind.Transaction or ResourceKind.ScopeTransaction) || !FlowState.IsDefinitelyOpen(state[resource.Index]))
                continue;
            var activity = state.Activity(resource.Index) & TransactionActivity.OnServer;
            if (activity == TransactionActivity.None)
                continue; // nothing sent yet: Npgsql has not even sent BEGIN
            var method = invocation.TargetMethod;
            var member = Infrastructure.MemberList.NameOf(method);
            var display = (method.ContainingType?.Name ?? "") + "." + method.Name;
            var holdsLocks = (activity & TransactionActivity.HoldsLocks) != 0 && _lockSites.TryGetValue(resource.Index, out _);
            var site = holdsLocks ? _lockSites[resource.Index] : default;
            var location = awaited.Syntax.GetLocation();
            if (_reportedUses.Add((resource, location)))
                _report.AwaitsWhileOpen.Add(new AwaitWhileOpen(resource, location, member, display, LineOf(awaited), holdsLocks ? site.Statement : null, site.Line));
        }
    }

    /// <summary>
    /// PGB110's facts: an unrelated await while a data reader is open on every path to it and is read
    /// again after it (in the same loop, or later in the method), or inside the body of an
    /// <c>await foreach</c> over a database query stream. The statement keeps its snapshot (xmin) and
    /// its connection for as long as the rows are read.
    /// </summary>
    void ReadersAcross(IAwaitOperation awaited, IInvocationOperation invocation, FlowState state)
    {
        var method = invocation.TargetMethod;
        var member = Infrastructure.MemberList.NameOf(method);
        var display = (method.ContainingType?.Name ?? "") + "." + method.Name;
        var location = awaited.Syntax.GetLocation();
        foreach (var resource in _scope.Resources)
        {
            // A reader captured from the enclosing method is judged there, where it is opened. A COPY in
            // progress is not a reader holding a query's snapshot: streaming rows into it from an
            // async source is what it is for.
            if (resource.Kind != ResourceKind.DataReader || resource.IsCaptured || resource.Symbol is null
                || _scope.Symbols.IsCopyOperation(resource.DeclaredType)
                || !FlowState.IsDefinitelyOpen(state[resource.Index]) || !_scope.IsReadAfter(resource.Symbol, awaited.Syntax))
                continue;
            if (_reportedUses.Add((resource, location)))
                _report.ReadersAcrossAwaits.Add(new ReaderAcrossAwait($"Data reader '{resource.Name}'", location, member, display, LineOf(awaited)));
        }
        if (_scope.EnclosingQueryStream(awaited.Syntax) is string stream && _reportedAwaitsInStreams.Add(location))
            _report.ReadersAcrossAwaits.Add(new ReaderAcrossAwait(stream, location, member, display, LineOf(awaited)));
    }

    readonly HashSet<Location> _reportedAwaitsInStreams = new();

    /// <summary>
    /// Database work: anything on an Npgsql, ADO.NET, Dapper or PgBorrow type, any call that receives
    /// a transaction, connection or command or a lambda capturing one, and methods and local
    /// functions of this compilation that work with Npgsql types themselves.
    /// </summary>
    bool IsDatabaseWork(IInvocationOperation invocation, int depth)
    {
        var method = invocation.TargetMethod;
        if (NpgsqlSymbols.IsBorrowingLibrary(method))
            return true;
        var receiver = invocation.Instance;
        if (receiver is not null && (TouchesDatabase(receiver)))
            return true;
        // A receiver the graph keeps in a temporary: `await foreach` over tx.QueryStreamAsync(...)
        // awaits MoveNextAsync on the captured enumerator, which is database work.
        if (MethodScope.Unwrap(receiver) is IFlowCaptureReferenceOperation temporary
            && _scope.CaptureValues.TryGetValue(temporary.Id, out var captured) && TouchesDatabase(captured))
            return true;
        foreach (var argument in invocation.Arguments)
        {
            if (TouchesDatabase(argument.Value))
                return true;
            // Task.WhenAll(cmd.ExecuteNonQueryAsync(), ...); not a value read from the database (reader.GetInt32(0)).
            if (depth < 2 && MethodScope.Unwrap(argument.Value) is IInvocationOperation inner && !IsPlainValueRead(inner) && IsDatabaseWork(inner, depth + 1))
                return true;
        }
        if (method.MethodKind == MethodKind.LocalFunction)
            return _databaseLocalFunctions.Contains(method.OriginalDefinition);
        return _takers.MentionsDatabaseThroughDispatch(method);
    }

    /// <summary>
    /// The operand is, holds or captures something of the database. A plain value read from one
    /// (<c>reader.GetInt32(0)</c>, <c>cmd.CommandText</c>) is data, not the database: passing it to an
    /// HTTP call does not make the call database work.
    /// </summary>
    bool TouchesDatabase(IOperation operand, int depth = 0)
    {
        if (depth > 400)
            throw new AbortAnalysisException();
        if (IsPlainValueRead(operand))
            return false;
        if (_scope.Symbols.IsDatabaseType(operand.Type))
            return true;
        if (operand is IFlowAnonymousFunctionOperation lambda && LambdaTouchesDatabase(lambda))
            return true;
        if (operand is ILocalReferenceOperation or IParameterReferenceOperation or IFlowCaptureReferenceOperation
            && _scope.ReferencedSymbol(operand) is ISymbol symbol
            && (_scope.Resource(symbol) is not null || _scope.CommandConnections.ContainsKey(symbol)))
            return true;
        foreach (var child in operand.ChildOperations)
        {
            if (TouchesDatabase(child, depth + 1))
                return true;
        }
        return false;
    }

    /// <summary>A call, property or field read whose result is a primitive, string, enum or other plain struct.</summary>
    static bool IsPlainValueRead(IOperation operation)
        => operation is IInvocationOperation or IPropertyReferenceOperation or IFieldReferenceOperation
        && operation.Type is ITypeSymbol type
        && (type.SpecialType != SpecialType.None || type.TypeKind == TypeKind.Enum
            || (type.IsValueType && type.Name is not ("ValueTask" or "ConfiguredValueTaskAwaitable" or "ConfiguredTaskAwaitable" or "ConfiguredAsyncDisposable" or "ConfiguredCancelableAsyncEnumerable")));

    bool LambdaTouchesDatabase(IFlowAnonymousFunctionOperation lambda)
    {
        var graph = _scope.Graph.GetAnonymousFunctionControlFlowGraph(lambda, _scope.CancellationToken);
        return GraphTouchesDatabase(graph);
    }

    bool GraphTouchesDatabase(ControlFlowGraph graph)
    {
        foreach (var block in graph.Blocks)
        {
            foreach (var operation in block.Operations)
            {
                foreach (var node in operation.DescendantsAndSelf())
                {
                    if (_scope.Symbols.IsDatabaseType(node.Type))
                        return true;
                    if (node is IInvocationOperation call && NpgsqlSymbols.IsBorrowingLibrary(call.TargetMethod))
                        return true;
                }
            }
            if (block.BranchValue is not null)
            {
                foreach (var node in block.BranchValue.DescendantsAndSelf())
                {
                    if (_scope.Symbols.IsDatabaseType(node.Type))
                        return true;
                }
            }
        }
        return false;
    }

    /// <summary>
    /// PGB105's fact: a statement that writes or locks runs on <paramref name="connection"/> (null: a
    /// pooled connection of its own, from NpgsqlDataSource.CreateCommand) while a transaction of
    /// another connection of this method holds locks. The second connection may wait on those locks
    /// forever (an undetectable deadlock: the first connection waits for this method), and it cannot
    /// see the transaction's uncommitted rows.
    /// </summary>
    void OtherConnectionWrites(ISymbol? connection, string? sql, IOperation site, FlowState state)
    {
        if (!_reporting || sql is null || !Classify(sql).TakesTransactionLocks)
            return;
        foreach (var resource in _scope.Resources)
        {
            if (resource.Kind != ResourceKind.Transaction || resource.Connection is null
                || SymbolEqualityComparer.Default.Equals(resource.Connection, connection)
                || !FlowState.IsDefinitelyOpen(state[resource.Index])
                || (state.Activity(resource.Index) & TransactionActivity.HoldsLocks) == 0
                || !_lockSites.TryGetValue(resource.Index, out var lockSite))
            {
                continue;
            }
            var location = site.Syntax.GetLocation();
            if (_reportedUses.Add((resource, location)))
            {
                var name = site is IInvocationOperation invocation ? invocation.TargetMethod.Name : "statement";
                var other = connection is null ? "a connection of its own from the data source" : $"connection '{connection.Name}'";
                _report.SecondConnectionWrites.Add(new SecondConnectionWrite(resource, location, name, other, lockSite.Statement, lockSite.Line));
            }
        }
    }

    /// <summary>Session advisory locks: taken by pg_advisory_lock*, released by pg_advisory_unlock*.</summary>
    void AdvisoryLockStatement(TrackedResource advisory, SqlText text, IOperation site, FlowState state)
    {
        foreach (var statement in text.Statements)
        {
            foreach (var call in statement.AdvisoryLocks)
            {
                if (!call.SessionLevel)
                    continue;
                if (call.Unlock)
                {
                    state.Complete(advisory.Index, ValueFlags.Disposed, LineOf(site));
                }
                else
                {
                    state[advisory.Index] = ValueFlags.Open;
                    if (advisory.Location == Location.None)
                    {
                        advisory.Location = site.Syntax.GetLocation();
                        advisory.LockFunction = call.Function;
                    }
                }
            }
        }
    }

    readonly Dictionary<(int Transaction, string Table), int> _unlockedReads = new();

    /// <summary>
    /// PGB107's facts: a read-committed transaction reads a table without FOR UPDATE/SHARE, then
    /// updates that table with a value computed in the application (not SET x = x - $1).
    /// </summary>
    void ReadsAndWrites(TrackedResource transaction, SqlText text, IOperation site)
    {
        if (transaction.IsolationLevel is not (null or "READ COMMITTED"))
            return; // repeatable read and serializable turn a lost update into 40001
        foreach (var statement in text.Statements)
        {
            if (statement.Verb == "SELECT" && statement.RowLock == RowLockStrength.None && !statement.Writes)
            {
                foreach (var table in statement.ReadTables)
                {
                    if (!_unlockedReads.ContainsKey((transaction.Index, table)))
                        _unlockedReads[(transaction.Index, table)] = LineOf(site);
                }
            }
            else if (statement.Verb == "UPDATE" && statement.SetUsesParameters && !statement.RelativeUpdate)
            {
                foreach (var table in statement.WrittenTables)
                {
                    if (_unlockedReads.TryGetValue((transaction.Index, table), out var readLine))
                    {
                        var location = site.Syntax.GetLocation();
                        if (_reportedUses.Add((transaction, location)))
                            _report.ReadModifyWrites.Add(new ReadModifyWrite(transaction, location, table, readLine));
                    }
                }
            }
        }
    }
}
