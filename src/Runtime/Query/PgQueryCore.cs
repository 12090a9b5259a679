using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>How many rows a query method wants, and what it does with none or more than one.</summary>
internal enum PgCardinality
{
    /// <summary>The first row; none throws.</summary>
    First,

    /// <summary>The first row; none gives <see langword="default"/>.</summary>
    FirstOrDefault,

    /// <summary>The only row; none or a second throws.</summary>
    Single,

    /// <summary>The only row; none gives <see langword="default"/>, a second throws.</summary>
    SingleOrDefault,
}

/// <summary>How a streamed result's rows are read: <see cref="Start"/> once per result, then <see cref="Read"/> per row.</summary>
internal interface IPgResultReading<T>
{
    void Start(NpgsqlDataReader reader);

    T Read(NpgsqlDataReader reader);
}

/// <summary>The bodies of the query methods, shared by the connection, transaction and data-source overloads.</summary>
/// <remarks>
/// The Task-returning methods are not async themselves: an async method's parameters live in its state
/// machine, and the target and the statement (56 bytes) are only needed to make the command, so each makes
/// it and hands it to an async part that takes only the command. A failure to make it (a PgTx whose scope
/// has ended, a completed transaction) is returned as a faulted task, as an async method would.
/// (StreamAsync is an iterator: its parameters are its state either way.)
/// The async parts are static lambdas and method groups, which the compiler caches: no delegate is allocated per call.
/// </remarks>
internal static class PgQueryCore
{
    #region Running a command

    /// <summary>Makes the command for a query method; a failure is handed back to become the faulted task.</summary>
    static bool TryCreateCommand(PgTarget target, in PgStatement statement, in PgQueryOptions options,
        out NpgsqlCommand command, [NotNullWhen(false)] out Exception? failure)
    {
        try
        {
            command = target.CreateCommand(statement);
            options.ApplyTo(command);
            failure = null;
            return true;
        }
        catch (Exception e)
        {
            command = null!;
            failure = e;
            return false;
        }
    }

    /// <summary>Makes the command and hands it to <paramref name="run"/>, which owns it (and prepares it when asked).</summary>
    static Task<TResult> Run<TResult>(PgTarget target, in PgStatement statement, in PgQueryOptions options,
        Func<NpgsqlCommand, bool, CancellationToken, Task<TResult>> run, CancellationToken cancellationToken)
        => Run(target, statement, options, run, static (command, prepare, run, ct) => run(command, prepare, ct), cancellationToken);

    /// <summary>
    /// Makes the command and hands it, with <paramref name="state"/>, to <paramref name="run"/>, which owns it
    /// (and prepares it when asked). The state lets a static <paramref name="run"/> see what it needs (a
    /// [PgQuery] method's statement, for its messages) without a closure per call.
    /// </summary>
    internal static Task<TResult> Run<TState, TResult>(PgTarget target, in PgStatement statement, in PgQueryOptions options,
        TState state, Func<NpgsqlCommand, bool, TState, CancellationToken, Task<TResult>> run, CancellationToken cancellationToken)
    {
        if (target.PreparesOnOwnConnection(options))
            return RunOnOwnConnectionAsync(target.DataSource!, statement, options, state, run, cancellationToken);
        return TryCreateCommand(target, statement, options, out var command, out var failure)
            ? run(command, options.Prepare, state, cancellationToken)
            : Task.FromException<TResult>(failure);
    }

    /// <summary>
    /// A data source's commands cannot be prepared (each may run on another pooled connection), so a statement
    /// to prepare runs on a pooled connection opened for it, where the prepared statement stays for later calls.
    /// </summary>
    static async Task<TResult> RunOnOwnConnectionAsync<TState, TResult>(NpgsqlDataSource dataSource, PgStatement statement, PgQueryOptions options,
        TState state, Func<NpgsqlCommand, bool, TState, CancellationToken, Task<TResult>> run, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await Run(PgTarget.Of(connection), statement, options, state, run, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs the command's reader, preparing the command first when asked (and only then paying for a state machine).</summary>
    internal static Task<NpgsqlDataReader> ExecuteReaderAsync(NpgsqlCommand command, bool prepare, CommandBehavior behavior, CancellationToken cancellationToken)
        => prepare ? PrepareAndExecuteReaderAsync(command, behavior, cancellationToken) : command.ExecuteReaderAsync(behavior, cancellationToken);

    static async Task<NpgsqlDataReader> PrepareAndExecuteReaderAsync(NpgsqlCommand command, CommandBehavior behavior, CancellationToken cancellationToken)
    {
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        return await command.ExecuteReaderAsync(behavior, cancellationToken).ConfigureAwait(false);
    }

    #endregion

    #region Query methods

    public static Task<List<T>> QueryAsync<T>(PgTarget target, PgStatement statement, PgQueryOptions options, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => Run(target, statement, options, QueryAsync<T>, cancellationToken);

    static async Task<List<T>> QueryAsync<T>(NpgsqlCommand command, bool prepare, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        await using (command.ConfigureAwait(false))
        {
            var reader = await ExecuteReaderAsync(command, prepare, CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await ReadAllAsync<T>(reader, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>QueryFirstAsync, QueryFirstOrDefaultAsync, QuerySingleAsync and QuerySingleOrDefaultAsync.</summary>
    public static Task<T?> QueryOneAsync<T>(PgTarget target, PgStatement statement, PgQueryOptions options, PgCardinality cardinality, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => cardinality switch
        {
            PgCardinality.First => Run(target, statement, options, static (command, prepare, ct) => QueryOneAsync<T>(command, prepare, PgCardinality.First, ct), cancellationToken),
            PgCardinality.FirstOrDefault => Run(target, statement, options, static (command, prepare, ct) => QueryOneAsync<T>(command, prepare, PgCardinality.FirstOrDefault, ct), cancellationToken),
            PgCardinality.Single => Run(target, statement, options, static (command, prepare, ct) => QueryOneAsync<T>(command, prepare, PgCardinality.Single, ct), cancellationToken),
            _ => Run(target, statement, options, static (command, prepare, ct) => QueryOneAsync<T>(command, prepare, PgCardinality.SingleOrDefault, ct), cancellationToken),
        };

    static async Task<T?> QueryOneAsync<T>(NpgsqlCommand command, bool prepare, PgCardinality cardinality, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        await using (command.ConfigureAwait(false))
        {
            // Single and SingleOrDefault do not use SingleRow: a second row must be seen to be reported.
            var behavior = cardinality is PgCardinality.First or PgCardinality.FirstOrDefault
                ? CommandBehavior.SingleResult | CommandBehavior.SingleRow
                : CommandBehavior.SingleResult;
            var reader = await ExecuteReaderAsync(command, prepare, behavior, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await ReadOneAsync<T>(reader, cardinality, result: 0, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public static IAsyncEnumerable<T> QueryStreamAsync<T>(PgTarget target, PgStatement statement, PgQueryOptions options, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => StreamAsync<T, PgRowReading<T>>(target, statement, options, default, cancellationToken);

    /// <summary>Streams the rows of the result, each read by <paramref name="reading"/> (a struct: its calls are not virtual).</summary>
    internal static async IAsyncEnumerable<T> StreamAsync<T, TReading>(
        PgTarget target, PgStatement statement, PgQueryOptions options, TReading reading, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TReading : struct, IPgResultReading<T>
    {
        var ownConnection = target.PreparesOnOwnConnection(options)
            ? await target.DataSource!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false)
            : null;
        try
        {
            var command = (ownConnection is null ? target : PgTarget.Of(ownConnection)).CreateCommand(statement);
            await using (command.ConfigureAwait(false))
            {
                options.ApplyTo(command);
                var reader = await ExecuteReaderAsync(command, options.Prepare, CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    reading.Start(reader);
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        yield return reading.Read(reader);
                }
            }
        }
        finally
        {
            if (ownConnection is not null)
                await ownConnection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public static Task<int> ExecuteAsync(PgTarget target, PgStatement statement, PgQueryOptions options, CancellationToken cancellationToken)
        => Run(target, statement, options, ExecuteNonQueryAsync, cancellationToken);

    static async Task<int> ExecuteNonQueryAsync(NpgsqlCommand command, bool prepare, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            if (prepare)
                await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static Task<T?> ExecuteScalarAsync<T>(PgTarget target, PgStatement statement, PgQueryOptions options, CancellationToken cancellationToken)
        => Run(target, statement, options, ExecuteScalarAsync<T>, cancellationToken);

    static async Task<T?> ExecuteScalarAsync<T>(NpgsqlCommand command, bool prepare, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            // A reader rather than ExecuteScalar, which boxes the value.
            var reader = await ExecuteReaderAsync(command, prepare, CommandBehavior.SingleResult | CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await ReadScalarAsync<T>(reader, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    #endregion

    #region Batches

    public static Task<PgBatchResults> QueryMultipleAsync(PgTarget target, PgBatch statements, PgQueryOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statements, "sql");
        statements.ThrowIfNotRunnable();
        if (target.PreparesOnOwnConnection(options))
            return QueryMultipleOnOwnConnectionAsync(target.DataSource!, statements, options, cancellationToken);

        NpgsqlBatch batch;
        try
        {
            batch = target.CreateBatch();
        }
        catch (Exception e)
        {
            return Task.FromException<PgBatchResults>(e);
        }
        statements.MoveTo(batch);
        options.ApplyTo(batch);
        return ExecuteBatchAsync(batch, options.Prepare, ownConnection: null, cancellationToken);
    }

    static async Task<PgBatchResults> QueryMultipleOnOwnConnectionAsync(NpgsqlDataSource dataSource, PgBatch statements, PgQueryOptions options, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        NpgsqlBatch batch;
        try
        {
            batch = PgTarget.Of(connection).CreateBatch();
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        statements.MoveTo(batch);
        options.ApplyTo(batch);
        return await ExecuteBatchAsync(batch, options.Prepare, connection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the batch; the results own it (and <paramref name="ownConnection"/>) from then on.</summary>
    static async Task<PgBatchResults> ExecuteBatchAsync(NpgsqlBatch batch, bool prepare, NpgsqlConnection? ownConnection, CancellationToken cancellationToken)
    {
        try
        {
            if (prepare)
                await batch.PrepareAsync(cancellationToken).ConfigureAwait(false);
            var reader = await batch.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            return new PgBatchResults(batch, reader, ownConnection);
        }
        catch
        {
            await batch.DisposeAsync().ConfigureAwait(false);
            if (ownConnection is not null)
                await ownConnection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    #endregion

    #region Reading a result (shared with PgBatchResults)

    /// <summary>Reads a [PgRow] type: the ordinals are looked up once per result.</summary>
    internal struct PgRowReading<T> : IPgResultReading<T>
        where T : IPgRow<T>
    {
        private PgOrdinals _ordinals;

        public void Start(NpgsqlDataReader reader) => _ordinals = T.GetOrdinals(reader);

        public readonly T Read(NpgsqlDataReader reader) => T.Read(reader, _ordinals);
    }

    /// <summary>Every row of the reader's current result.</summary>
    internal static async ValueTask<List<T>> ReadAllAsync<T>(NpgsqlDataReader reader, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        var ordinals = T.GetOrdinals(reader);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            rows.Add(T.Read(reader, ordinals));
        return rows;
    }

    /// <summary>
    /// One row of the reader's current result, as <paramref name="cardinality"/> says. <paramref name="result"/>
    /// is the result's number in a batch (from 1), or 0 for a single query: for the messages.
    /// </summary>
    internal static async ValueTask<T?> ReadOneAsync<T>(NpgsqlDataReader reader, PgCardinality cardinality, int result, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        var ordinals = T.GetOrdinals(reader);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return cardinality is PgCardinality.First or PgCardinality.Single
                ? throw WrongRowCount<T>(cardinality, result, none: true)
                : default;
        }
        var row = T.Read(reader, ordinals);
        if (cardinality is PgCardinality.Single or PgCardinality.SingleOrDefault && await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            throw WrongRowCount<T>(cardinality, result, none: false);
        return row;
    }

    /// <summary>The first column of the first row of the reader's current result, or default for no row or NULL.</summary>
    internal static async ValueTask<T?> ReadScalarAsync<T>(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        if (reader.FieldCount == 0 || !await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(0))
            return default;
        return reader.GetFieldValue<T>(0);
    }

    static InvalidOperationException WrongRowCount<T>(PgCardinality cardinality, int result, bool none)
    {
        var (method, expectation) = cardinality switch
        {
            PgCardinality.First => (result == 0 ? "QueryFirstAsync" : "ReadFirstAsync", "at least one row"),
            PgCardinality.Single => (result == 0 ? "QuerySingleAsync" : "ReadSingleAsync", "exactly one row"),
            _ => (result == 0 ? "QuerySingleOrDefaultAsync" : "ReadSingleOrDefaultAsync", "at most one row"),
        };
        var source = result == 0 ? "the query" : $"result {result} of the batch";
        return new InvalidOperationException(
            $"{method}<{typeof(T).Name}> expects {expectation}, but {source} returned {(none ? "none" : "more than one")}.");
    }

    #endregion
}
