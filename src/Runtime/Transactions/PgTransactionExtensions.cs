using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Transaction scopes: <c>InTransactionAsync</c> begins a transaction, lends it to a body as a <see cref="PgTx"/>,
/// commits when the body returns and rolls back when it throws, retrying the whole body in a fresh
/// transaction on a serialization failure (40001) or a deadlock (40P01).
/// </summary>
/// <remarks>
/// <para>The body may run more than once, so it must be safe to re-run: it may change the database (through the
/// PgTx) and local state it resets, but must not send messages, call services or write files; do those after the
/// scope returns. <see cref="PgTx.Attempt"/> tells which run it is.</para>
/// <para>Per attempt: a new transaction with <see cref="PgTransactionOptions.IsolationLevel"/> (sent with BEGIN),
/// then <c>SET TRANSACTION READ ONLY [, DEFERRABLE]</c> when asked for (one extra round trip, which also carries
/// BEGIN; otherwise BEGIN goes out with the body's first statement). Only 40001 and 40P01 are retried, whether they come from the body's statements or from COMMIT,
/// up to <see cref="PgTransactionOptions.MaxAttempts"/> attempts, with jittered exponential backoff in between.
/// When every attempt fails, <see cref="PgRetriesExhaustedException"/> (an <see cref="NpgsqlException"/> with the
/// attempt count, the last SQLSTATE and the last <see cref="PostgresException"/> inside) is thrown.</para>
/// <para>A connection lost before COMMIT was sent (the backend terminated, the server restarting, the network
/// dropped) rolled the transaction back with its session: on a data source the body is retried on a new
/// connection, within the same <see cref="PgTransactionOptions.MaxAttempts"/> and backoff, and
/// <see cref="PgConnectionLostException"/> is thrown when the attempts run out. On a caller's connection it is
/// not retried (the caller's session state went with it): <see cref="PgConnectionLostException"/> at once.</para>
/// <para>Any other exception from the body rolls back and propagates unchanged (a failing ROLLBACK never hides it).
/// A COMMIT whose outcome is unknown throws <see cref="PgCommitOutcomeUnknownException"/> unless
/// <see cref="PgTransactionOptions.CommitCheck"/> says the commit did not happen (then it is retried) or did (then
/// the body's result is returned).</para>
/// <para>Cancellation: the token goes to the body, to BEGIN, and to the backoff between attempts (a cancelled wait
/// throws <see cref="OperationCanceledException"/>); COMMIT and ROLLBACK are not cancelled once started.</para>
/// </remarks>
public static class PgTransactionExtensions
{
    /// <summary>Runs <paramref name="body"/> in a transaction, passing it <paramref name="state"/> (no closure needed), and returns its result once committed.</summary>
    /// <param name="dataSource">The data source: each attempt opens a pooled connection and gives it back when the attempt ends.</param>
    /// <param name="options">How to begin and retry; null for <see cref="PgTransactionOptions.Default"/>.</param>
    /// <param name="state">Passed to every run of the body.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>The body's result from the attempt that committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task<TResult> InTransactionAsync<TState, TResult>(
        this NpgsqlDataSource dataSource, PgTransactionOptions? options, TState state,
        Func<PgTx, TState, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return PgTransactionRunner.RunAsync<TState, TResult>(dataSource, null, options, state, body, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction, passing it <paramref name="state"/> (no closure needed).</summary>
    /// <param name="dataSource">The data source: each attempt opens a pooled connection and gives it back when the attempt ends.</param>
    /// <param name="options">How to begin and retry; null for <see cref="PgTransactionOptions.Default"/>.</param>
    /// <param name="state">Passed to every run of the body.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>A task that completes once the transaction has committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task InTransactionAsync<TState>(
        this NpgsqlDataSource dataSource, PgTransactionOptions? options, TState state,
        Func<PgTx, TState, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(body);
        return PgTransactionRunner.RunAsync<(Func<PgTx, TState, CancellationToken, Task>, TState), VoidResult>(dataSource, null, options, (body, state), RunVoidWithState, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction and returns its result once committed.</summary>
    /// <param name="dataSource">The data source: each attempt opens a pooled connection and gives it back when the attempt ends.</param>
    /// <param name="options">How to begin and retry; null for <see cref="PgTransactionOptions.Default"/>.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>The body's result from the attempt that committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task<TResult> InTransactionAsync<TResult>(
        this NpgsqlDataSource dataSource, PgTransactionOptions? options,
        Func<PgTx, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(body);
        return PgTransactionRunner.RunAsync<Func<PgTx, CancellationToken, Task<TResult>>, TResult>(dataSource, null, options, body, RunWithResult, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction with <see cref="PgTransactionOptions.Default"/> (SERIALIZABLE, up to 5 attempts) and returns its result once committed.</summary>
    /// <param name="dataSource">The data source: each attempt opens a pooled connection and gives it back when the attempt ends.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>The body's result from the attempt that committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task<TResult> InTransactionAsync<TResult>(
        this NpgsqlDataSource dataSource, Func<PgTx, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
        => dataSource.InTransactionAsync(null, body, cancellationToken);

    /// <summary>Runs <paramref name="body"/> in a transaction.</summary>
    /// <param name="dataSource">The data source: each attempt opens a pooled connection and gives it back when the attempt ends.</param>
    /// <param name="options">How to begin and retry; null for <see cref="PgTransactionOptions.Default"/>.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>A task that completes once the transaction has committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task InTransactionAsync(
        this NpgsqlDataSource dataSource, PgTransactionOptions? options,
        Func<PgTx, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(body);
        return PgTransactionRunner.RunAsync<Func<PgTx, CancellationToken, Task>, VoidResult>(dataSource, null, options, body, RunVoid, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction with <see cref="PgTransactionOptions.Default"/> (SERIALIZABLE, up to 5 attempts).</summary>
    /// <param name="dataSource">The data source: each attempt opens a pooled connection and gives it back when the attempt ends.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>A task that completes once the transaction has committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task InTransactionAsync(
        this NpgsqlDataSource dataSource, Func<PgTx, CancellationToken, Task> body, CancellationToken cancellationToken = default)
        => dataSource.InTransactionAsync(null, body, cancellationToken);

    /// <summary>Runs <paramref name="body"/> in a transaction, passing it <paramref name="state"/> (no closure needed), and returns its result once committed.</summary>
    /// <param name="connection">An open connection with no transaction in progress. It stays open; if an attempt breaks it, the next attempt (or the commit check) reopens it.</param>
    /// <param name="options">How to begin and retry; null for <see cref="PgTransactionOptions.Default"/>.</param>
    /// <param name="state">Passed to every run of the body.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>The body's result from the attempt that committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection, or it is not open.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task<TResult> InTransactionAsync<TState, TResult>(
        this NpgsqlConnection connection, PgTransactionOptions? options, TState state,
        Func<PgTx, TState, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return PgTransactionRunner.RunAsync<TState, TResult>(null, connection, options, state, body, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction, passing it <paramref name="state"/> (no closure needed).</summary>
    /// <param name="connection">An open connection with no transaction in progress. It stays open; if an attempt breaks it, the next attempt (or the commit check) reopens it.</param>
    /// <param name="options">How to begin and retry; null for <see cref="PgTransactionOptions.Default"/>.</param>
    /// <param name="state">Passed to every run of the body.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>A task that completes once the transaction has committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection, or it is not open.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task InTransactionAsync<TState>(
        this NpgsqlConnection connection, PgTransactionOptions? options, TState state,
        Func<PgTx, TState, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(body);
        return PgTransactionRunner.RunAsync<(Func<PgTx, TState, CancellationToken, Task>, TState), VoidResult>(null, connection, options, (body, state), RunVoidWithState, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction and returns its result once committed.</summary>
    /// <param name="connection">An open connection with no transaction in progress. It stays open; if an attempt breaks it, the next attempt (or the commit check) reopens it.</param>
    /// <param name="options">How to begin and retry; null for <see cref="PgTransactionOptions.Default"/>.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>The body's result from the attempt that committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection, or it is not open.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task<TResult> InTransactionAsync<TResult>(
        this NpgsqlConnection connection, PgTransactionOptions? options,
        Func<PgTx, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(body);
        return PgTransactionRunner.RunAsync<Func<PgTx, CancellationToken, Task<TResult>>, TResult>(null, connection, options, body, RunWithResult, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction with <see cref="PgTransactionOptions.Default"/> (SERIALIZABLE, up to 5 attempts) and returns its result once committed.</summary>
    /// <param name="connection">An open connection with no transaction in progress. It stays open; if an attempt breaks it, the next attempt (or the commit check) reopens it.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>The body's result from the attempt that committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection, or it is not open.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task<TResult> InTransactionAsync<TResult>(
        this NpgsqlConnection connection, Func<PgTx, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
        => connection.InTransactionAsync(null, body, cancellationToken);

    /// <summary>Runs <paramref name="body"/> in a transaction.</summary>
    /// <param name="connection">An open connection with no transaction in progress. It stays open; if an attempt breaks it, the next attempt (or the commit check) reopens it.</param>
    /// <param name="options">How to begin and retry; null for <see cref="PgTransactionOptions.Default"/>.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>A task that completes once the transaction has committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection, or it is not open.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task InTransactionAsync(
        this NpgsqlConnection connection, PgTransactionOptions? options,
        Func<PgTx, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(body);
        return PgTransactionRunner.RunAsync<Func<PgTx, CancellationToken, Task>, VoidResult>(null, connection, options, body, RunVoid, cancellationToken);
    }

    /// <summary>Runs <paramref name="body"/> in a transaction with <see cref="PgTransactionOptions.Default"/> (SERIALIZABLE, up to 5 attempts).</summary>
    /// <param name="connection">An open connection with no transaction in progress. It stays open; if an attempt breaks it, the next attempt (or the commit check) reopens it.</param>
    /// <param name="body">The work; it may run more than once.</param>
    /// <param name="cancellationToken">Cancels BEGIN, the body's statements and the backoff between attempts.</param>
    /// <returns>A task that completes once the transaction has committed.</returns>
    /// <exception cref="InvalidOperationException">A transaction is already in progress on the connection, or it is not open.</exception>
    /// <exception cref="PgRetriesExhaustedException">Every attempt ended in 40001 or 40P01.</exception>
    /// <exception cref="PgCommitOutcomeUnknownException">COMMIT failed without a definite answer, and no commit check settled it.</exception>
    /// <exception cref="PgConnectionLostException">The connection was lost before COMMIT was sent in every attempt, or (on a caller's connection) once.</exception>
    public static Task InTransactionAsync(
        this NpgsqlConnection connection, Func<PgTx, CancellationToken, Task> body, CancellationToken cancellationToken = default)
        => connection.InTransactionAsync(null, body, cancellationToken);

    // Adapters from the public shapes to the runner's one shape: the user's delegate travels as the state,
    // so no closure is allocated. (A method group converted to a delegate allocates on older compilers; C# 11
    // caches static method group conversions.) None of them is async: the runner awaits the body's task
    // itself, and reads a result from it when it is a Task<TResult>, so a void body costs no second state
    // machine. Void scopes instantiate the runner with TResult = VoidResult, which no body's task can be.
    static Task RunWithResult<TResult>(PgTx tx, Func<PgTx, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken)
        => body(tx, cancellationToken);

    static Task RunVoid(PgTx tx, Func<PgTx, CancellationToken, Task> body, CancellationToken cancellationToken)
        => body(tx, cancellationToken);

    static Task RunVoidWithState<TState>(PgTx tx, (Func<PgTx, TState, CancellationToken, Task> Body, TState State) state, CancellationToken cancellationToken)
        => state.Body(tx, state.State, cancellationToken);

    /// <summary>The runner's TResult for a body without a result.</summary>
    internal readonly struct VoidResult
    {
    }
}
