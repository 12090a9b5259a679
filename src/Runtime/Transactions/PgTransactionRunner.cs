using System;
using System.Data;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>The retry loop behind every <c>InTransactionAsync</c> overload.</summary>
internal static class PgTransactionRunner
{
    internal const string Committed = "committed";
    internal const string RolledBack = "rolled_back";
    internal const string Failed = "failed";
    internal const string CommitUnknown = "commit_unknown";
    internal const string Retried = "retried";

    /// <summary>
    /// Runs <paramref name="body"/> in a transaction on a connection from <paramref name="dataSource"/> (one
    /// per attempt) or on <paramref name="connection"/>, committing on success and retrying 40001/40P01 and,
    /// on a data source, a connection lost before COMMIT was sent. The caller's connection is never reopened.
    /// </summary>
    /// <remarks>
    /// <paramref name="body"/> returns a plain <see cref="Task"/>: a body with a result passes its
    /// <c>Func&lt;..., Task&lt;TResult&gt;&gt;</c> as it is (delegate variance, no wrapper) and the result is read from the
    /// completed task; a void body needs no adapter state machine, TResult is then only a placeholder.
    /// The state machine of this method is allocated once per scope, so everything it keeps alive across an
    /// await costs bytes on every transaction: the rare paths (a failed body, a failed COMMIT, the commit
    /// check) keep their locals to themselves, and the unknown-commit resolution is a separate method.
    /// </remarks>
    public static async Task<TResult> RunAsync<TState, TResult>(
        NpgsqlDataSource? dataSource,
        NpgsqlConnection? connection,
        PgTransactionOptions? options,
        TState state,
        Func<PgTx, TState, CancellationToken, Task> body,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        options ??= PgTransactionOptions.Default;
        options.Validate();
        if (connection is not null && connection.State != ConnectionState.Open)
            throw new InvalidOperationException(
                $"InTransactionAsync needs an open NpgsqlConnection, but this one is {connection.State}. Open it first, or call InTransactionAsync on the NpgsqlDataSource.");

        // The isolation name is a constant per options (IsolationName is a switch), so it is read where it
        // is needed rather than kept alive across every await.
        var started = Stopwatch.GetTimestamp();
        var outcome = Failed;
        string? sqlState = null;
        var scopeActivity = StartActivity(PgBorrowTelemetry.TransactionActivity, options.IsolationName, attempt: 0);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                RecordAttempt(options.IsolationName);
                var attemptActivity = StartActivity(PgBorrowTelemetry.AttemptActivity, options.IsolationName, attempt);
                var attemptOutcome = Failed;
                Exception? retryCause = null;
                var connectionLost = false;
                var conn = connection;
                try
                {
                    // A caller's connection is never reopened (its session state is the caller's): an attempt
                    // that breaks it ends the scope, so every attempt on it starts with it open.
                    if (dataSource is not null)
                        conn = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

                    var transaction = await BeginAsync(conn!, options, cancellationToken).ConfigureAwait(false);
                    // Read now: a standby's refusal of BEGIN (SERIALIZABLE) breaks the connection, and with it this answer.
                    var onHotStandby = PgStandbyErrors.IsHotStandby(conn!);
                    var tx = new PgTx(conn!, transaction, attempt, options.IsolationLevel);
                    var result = default(TResult)!;
                    try
                    {
                        // Body phase: any exception rolls back; only 40001/40P01 are retried.
                        Exception? failure = null;
                        Task task;
                        try
                        {
                            if (options.SetTransactionSql is { } setTransaction)
                                await ExecuteAsync(conn!, transaction, setTransaction, cancellationToken).ConfigureAwait(false);
                            task = body(tx, state, cancellationToken);
                            await task.ConfigureAwait(false);
                            if (task is Task<TResult> withResult)
                                result = withResult.Result;
                        }
                        catch (Exception bodyFailure)
                        {
                            failure = bodyFailure;
                        }

                        if (failure is not null)
                        {
                            tx.End(PgTxState.RolledBack);
                            await RollbackQuietlyAsync(transaction).ConfigureAwait(false);
                            sqlState = SqlStateOf(failure);
                            if (!IsRetryable(failure))
                            {
                                if (onHotStandby && PgStandbyErrors.Explain(failure, conn!, options) is { } onStandby)
                                {
                                    attemptOutcome = outcome = RolledBack;
                                    throw onStandby;
                                }

                                // COMMIT was never sent, so a lost connection lost nothing: retried on a new one.
                                connectionLost = !cancellationToken.IsCancellationRequested && IsLostConnection(failure, IsBroken(conn!));
                                if (connectionLost && dataSource is null)
                                    throw new PgConnectionLostException(attempt, failure, onCallersConnection: true);
                                if (!connectionLost)
                                {
                                    attemptOutcome = outcome = RolledBack;
                                    ExceptionDispatchInfo.Throw(failure);
                                }
                            }

                            retryCause = failure;
                        }
                        else
                        {
                            // Commit phase. Not cancellable: the body has succeeded, and a cancelled COMMIT
                            // would only turn a known outcome into an unknown one.
                            tx.End(PgTxState.Committing);
                            try
                            {
                                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                            }
                            catch (Exception commitFailure)
                            {
                                failure = commitFailure;
                            }

                            if (failure is null)
                            {
                                tx.End(PgTxState.Committed);
                                attemptOutcome = outcome = Committed;
                                return result;
                            }

                            if (IsCommitOutcomeUnknown(failure, IsBroken(conn!)))
                            {
                                tx.End(PgTxState.CommitFailed);
                                sqlState = (failure as PostgresException)?.SqlState;
                                attemptOutcome = outcome = CommitUnknown;
                                if (options.CommitCheck is null)
                                    throw new PgCommitOutcomeUnknownException(attempt, failure);
                                // The check needs a connection: a new one from the data source, or the caller's if
                                // it survived. A broken caller's connection is not reopened, as for a loss mid-body.
                                if (dataSource is null && IsBroken(conn!))
                                    throw new PgCommitOutcomeUnknownException(attempt, failure, commitCheckSkipped: true);
                                // Awaited as a plain Task through the body's variable: no awaiter field of its own.
                                task = DidCommitAsync(dataSource, conn!, options.CommitCheck, attempt, failure, cancellationToken);
                                await task.ConfigureAwait(false);
                                if (((Task<bool>)task).Result)
                                {
                                    attemptOutcome = outcome = Committed;
                                    return result;
                                }
                            }
                            else
                            {
                                // The server answered: the transaction did not commit (a 40001 found at
                                // COMMIT, a deferred constraint).
                                tx.End(PgTxState.RolledBack);
                                sqlState = (failure as PostgresException)?.SqlState;
                                if (!IsRetryable(failure))
                                    ExceptionDispatchInfo.Throw(failure);
                            }

                            retryCause = failure;
                        }
                    }
                    finally
                    {
                        try
                        {
                            await transaction.DisposeAsync().ConfigureAwait(false);
                        }
                        catch (Exception) when (IsBroken(conn!))
                        {
                            // Nothing left to clean up on a broken connection.
                        }
                    }
                }
                catch (Exception openFailure) when (conn is null && !cancellationToken.IsCancellationRequested && openFailure is NpgsqlException { IsTransient: true })
                {
                    // The data source could not open a connection (the server is restarting, or out of
                    // connection slots): no transaction began, so trying again is safe.
                    connectionLost = true;
                    sqlState = SqlStateOf(openFailure);
                    retryCause = openFailure;
                }
                finally
                {
                    if (dataSource is not null && conn is not null)
                        await conn.DisposeAsync().ConfigureAwait(false);
                    if (retryCause is not null)
                        attemptOutcome = attempt < options.MaxAttempts ? Retried : Failed;
                    StopActivity(attemptActivity, attemptOutcome, sqlState);
                }

                // Only a retry gets here.
                if (retryCause is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected } serializationFailure)
                    RecordSerializationFailure(serializationFailure.SqlState, options.IsolationName);
                if (attempt >= options.MaxAttempts)
                {
                    outcome = Failed;
                    if (connectionLost)
                        throw new PgConnectionLostException(attempt, retryCause!, onCallersConnection: false);
                    if (retryCause is PostgresException last)
                        throw new PgRetriesExhaustedException(attempt, last);
                    ExceptionDispatchInfo.Throw(retryCause!); // a commit the check says did not happen
                }

                if (connectionLost)
                    RecordConnectionRetry(sqlState, options.IsolationName);
                var delay = Backoff(options, attempt);
                if (delay > TimeSpan.Zero)
                {
                    outcome = RolledBack; // if cancelled while waiting
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    outcome = Failed;
                }
            }
        }
        finally
        {
            RecordScope(started, outcome, options.IsolationName);
            StopActivity(scopeActivity, outcome, sqlState);
        }
    }

    #region Classification

    /// <summary>
    /// 40001 (serialization_failure) and 40P01 (deadlock_detected): the only errors a scope retries. On a hot standby
    /// they are also how a recovery conflict cancels a query ("canceling statement due to conflict with recovery") or
    /// ends an idle transaction's session: retried the same way, on a new connection.
    /// </summary>
    internal static bool IsRetryable(Exception exception)
        => exception is PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected };

    /// <summary>
    /// Whether a failure before COMMIT was sent means the scope's connection was lost: the session, and the
    /// transaction with it, are gone and nothing was committed. True when the failure broke the connection
    /// (an I/O error, a FATAL error that ended the session), or the server reported a connection exception
    /// (class 08) or its own shutdown (57P01 admin_shutdown when the backend was terminated, 57P02
    /// crash_shutdown, 57P03 cannot_connect_now). An error on a healthy connection is the body's own.
    /// </summary>
    internal static bool IsLostConnection(Exception failure, bool connectionBroken) => failure switch
    {
        OperationCanceledException => false,
        // A nested scope's verdict about its own connection, not this one's.
        PgCommitOutcomeUnknownException or PgRetriesExhaustedException or PgConnectionLostException => false,
        PostgresException postgres => connectionBroken || IsConnectionFailureState(postgres.SqlState),
        NpgsqlException => connectionBroken || failure.InnerException is IOException or SocketException,
        IOException or SocketException => true,
        _ => false,
    };

    static bool IsConnectionFailureState(string sqlState)
        => sqlState.StartsWith("08", StringComparison.Ordinal)
           || sqlState is PostgresErrorCodes.AdminShutdown or PostgresErrorCodes.CrashShutdown or PostgresErrorCodes.CannotConnectNow;

    static string? SqlStateOf(Exception failure) => (failure as NpgsqlException)?.SqlState;

    /// <summary>
    /// Whether a failure of COMMIT leaves its outcome unknown. A PostgreSQL error on a healthy connection is a
    /// definite answer (the transaction did not commit), except class 08 (connection exceptions, including
    /// 08007 transaction_resolution_unknown). Anything else (a broken connection, an I/O error, a timeout, a
    /// FATAL error that closed the session) means the answer never arrived.
    /// </summary>
    internal static bool IsCommitOutcomeUnknown(Exception exception, bool connectionBroken)
    {
        if (exception is PostgresException postgres)
            return connectionBroken || postgres.SqlState.StartsWith("08", StringComparison.Ordinal);
        if (exception is OperationCanceledException && !connectionBroken)
            return false;
        return connectionBroken
            || exception is NpgsqlException or IOException or SocketException or TimeoutException
            || exception.InnerException is IOException or SocketException or TimeoutException;
    }

    static bool IsBroken(NpgsqlConnection connection)
        => connection.FullState.HasFlag(ConnectionState.Broken) || connection.State != ConnectionState.Open;

    #endregion

    #region Steps

    // A ValueTask: Npgsql defers BEGIN to the first statement, so this usually completes at once and
    // then allocates nothing.
    static async ValueTask<NpgsqlTransaction> BeginAsync(NpgsqlConnection connection, PgTransactionOptions options, CancellationToken cancellationToken)
    {
        try
        {
            return await connection.BeginTransactionAsync(options.IsolationLevel, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException(
                "InTransactionAsync cannot start: this NpgsqlConnection already has a transaction in progress (or a command still running). "
                + "Nested transaction scopes are not supported; inside a scope, use PgTx.SavepointAsync. Npgsql said: " + e.Message, e);
        }
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using (command.ConfigureAwait(false))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rolls back after the body failed. A failure here must not hide the body's exception.</summary>
    static async Task RollbackQuietlyAsync(NpgsqlTransaction transaction)
    {
        try
        {
            // Cleaning up, so no cancellation token.
            await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The connection broke or is busy; the server rolls back when the session ends or the pool resets it.
        }
    }

    /// <summary>
    /// Asks the commit check whether a COMMIT whose answer was lost took effect. Its own method (and state
    /// machine), so the runner does not carry its locals on every transaction.
    /// </summary>
    static async Task<bool> DidCommitAsync(
        NpgsqlDataSource? dataSource,
        NpgsqlConnection connection,
        Func<NpgsqlConnection, CancellationToken, Task<bool>> check,
        int attempt,
        Exception commitFailure,
        CancellationToken cancellationToken)
    {
        try
        {
            return await CheckCommitAsync(dataSource, connection, check, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception checkFailure)
        {
            throw new PgCommitOutcomeUnknownException(attempt, commitFailure, checkFailure);
        }
    }

    static async Task<bool> CheckCommitAsync(
        NpgsqlDataSource? dataSource,
        NpgsqlConnection connection,
        Func<NpgsqlConnection, CancellationToken, Task<bool>> check,
        CancellationToken cancellationToken)
    {
        if (dataSource is null)
            return await check(connection, cancellationToken).ConfigureAwait(false); // the caller's, still open

        var checkConnection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (checkConnection.ConfigureAwait(false))
            return await check(checkConnection, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Exponential from BaseDelay, capped at MaxDelay, jittered to between half and all of it.</summary>
    internal static TimeSpan Backoff(PgTransactionOptions options, int failedAttempt)
    {
        var exponential = Math.Min(options.MaxDelay.Ticks, options.BaseDelay.Ticks * Math.Pow(2, Math.Min(failedAttempt - 1, 62)));
        return TimeSpan.FromTicks((long)(exponential * (0.5 + Random.Shared.NextDouble() * 0.5)));
    }

    #endregion

    #region Telemetry

    static Activity? StartActivity(string name, string isolation, int attempt)
    {
        var activity = PgBorrowTelemetry.Source.StartActivity(name, ActivityKind.Internal);
        if (activity is null)
            return null;
        activity.SetTag(PgBorrowTelemetry.DbSystemTag, "postgresql");
        activity.SetTag(PgBorrowTelemetry.IsolationTag, isolation);
        if (attempt > 0)
            activity.SetTag(PgBorrowTelemetry.AttemptTag, attempt);
        return activity;
    }

    static void StopActivity(Activity? activity, string outcome, string? sqlState)
    {
        if (activity is null)
            return;
        activity.SetTag(PgBorrowTelemetry.OutcomeTag, outcome);
        if (outcome != Committed && sqlState is not null)
            activity.SetTag(PgBorrowTelemetry.SqlStateTag, sqlState);
        if (outcome is not (Committed or Retried))
            activity.SetStatus(ActivityStatusCode.Error, outcome);
        activity.Dispose();
    }

    static void RecordAttempt(string isolation)
    {
        if (PgBorrowTelemetry.Attempts.Enabled)
            PgBorrowTelemetry.Attempts.Add(1, new TagList { { PgBorrowTelemetry.IsolationTag, isolation } });
    }

    static void RecordSerializationFailure(string sqlState, string isolation)
    {
        if (PgBorrowTelemetry.Failures.Enabled)
            PgBorrowTelemetry.Failures.Add(1, new TagList { { PgBorrowTelemetry.SqlStateTag, sqlState }, { PgBorrowTelemetry.IsolationTag, isolation } });
    }

    static void RecordConnectionRetry(string? sqlState, string isolation)
    {
        if (!PgBorrowTelemetry.ConnectionRetryCounter.Enabled)
            return;
        var tags = new TagList { { PgBorrowTelemetry.IsolationTag, isolation } };
        if (sqlState is not null)
            tags.Add(PgBorrowTelemetry.SqlStateTag, sqlState);
        PgBorrowTelemetry.ConnectionRetryCounter.Add(1, tags);
    }

    static void RecordScope(long started, string outcome, string isolation)
    {
        var tags = new TagList { { PgBorrowTelemetry.OutcomeTag, outcome }, { PgBorrowTelemetry.IsolationTag, isolation } };
        if (PgBorrowTelemetry.Duration.Enabled)
            PgBorrowTelemetry.Duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
        if (PgBorrowTelemetry.Outcomes.Enabled)
            PgBorrowTelemetry.Outcomes.Add(1, tags);
    }

    #endregion
}
