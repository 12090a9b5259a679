using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// An exported snapshot: a REPEATABLE READ READ ONLY transaction, kept open on a connection of its own, whose snapshot
/// (<c>pg_export_snapshot()</c>) other transactions import to see exactly the same data. Returned by
/// <see cref="PgSnapshotExtensions.ExportSnapshotAsync"/>; every <see cref="ReadAsync{TResult}(Func{PgTx, CancellationToken, Task{TResult}}, CancellationToken)"/>
/// runs in a new transaction on a connection of its own with that snapshot, so readers can run in parallel and all see
/// the database as of the export, whatever is committed meanwhile:
/// <code>
/// await using var snapshot = await dataSource.ExportSnapshotAsync(ct);
/// var totals = await Task.WhenAll(regions.Select(region => snapshot.ReadAsync(
///     (tx, ct) => tx.ExecuteScalarAsync&lt;long&gt;($"SELECT sum(amount) FROM orders WHERE region = {region}", ct), ct)));
/// </code>
/// </summary>
/// <remarks>
/// <para>The snapshot is the shared borrow of the ownership model (an <c>Arc&lt;Snapshot&gt;</c>): many readers, no
/// writer. Disposing ends the exporting transaction; readers already running keep their snapshot, new reads throw
/// <see cref="ObjectDisposedException"/>.</para>
/// <para>While it lives, the exporting transaction pins the xmin horizon: VACUUM cannot remove rows deleted after the
/// export, anywhere in the database. Keep it for the duration of one job, not longer. A server with
/// <c>idle_in_transaction_session_timeout</c> ends the exporting session when it stays idle that long; reads started
/// after that fail with <see cref="InvalidOperationException"/>.</para>
/// <para>Thread-safe: ReadAsync may be called from many tasks at once, and DisposeAsync once any time.</para>
/// </remarks>
public sealed class PgSnapshot : IAsyncDisposable
{
    #region Fields and properties

    readonly NpgsqlDataSource _dataSource;
    readonly NpgsqlConnection _connection;
    readonly NpgsqlTransaction _transaction;
    int _disposed;

    internal PgSnapshot(NpgsqlDataSource dataSource, NpgsqlConnection connection, NpgsqlTransaction transaction, string id)
    {
        _dataSource = dataSource;
        _connection = connection;
        _transaction = transaction;
        Id = id;
    }

    /// <summary>
    /// The snapshot's identifier, as <c>pg_export_snapshot()</c> returned it (e.g. <c>00000003-0000001B-1</c>). Another
    /// process can import it with <see cref="PgSnapshotExtensions.InSnapshotAsync{TResult}(NpgsqlDataSource, string, Func{PgTx, CancellationToken, Task{TResult}}, CancellationToken)"/>
    /// while this PgSnapshot is alive.
    /// </summary>
    public string Id { get; }

    /// <summary>The process ID of the backend holding the exporting transaction.</summary>
    public int ProcessId => _connection.ProcessID;

    /// <summary>True until the snapshot is disposed (and its exporting transaction ended).</summary>
    public bool IsActive => Volatile.Read(ref _disposed) == 0;

    #endregion

    #region Reads

    /// <summary>
    /// Runs <paramref name="body"/> in a new REPEATABLE READ READ ONLY transaction that imports this snapshot, on a pooled
    /// connection of its own, and returns its result. The transaction commits when the body returns and rolls back when it
    /// throws; a read-only REPEATABLE READ transaction never fails to serialize, so there is no retry.
    /// </summary>
    /// <param name="body">The reads. The <see cref="PgTx"/> it gets has the query methods; writes fail with SQLSTATE 25006 (read_only_sql_transaction). It must not be used after the body returns.</param>
    /// <param name="cancellationToken">Cancels opening the connection, the import and the body's statements.</param>
    /// <returns>The body's result.</returns>
    /// <exception cref="ObjectDisposedException">This PgSnapshot has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The snapshot could not be imported: its exporting session has ended (SQLSTATE 22023 or 55000 inside).</exception>
    public Task<TResult> ReadAsync<TResult>(Func<PgTx, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ThrowIfDisposed();
        return PgSnapshotReader.ReadAsync(_dataSource, Id, this, body, PgSnapshotReader.RunWithResult, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a new REPEATABLE READ READ ONLY transaction that imports this snapshot, on a pooled
    /// connection of its own. The transaction commits when the body returns and rolls back when it throws.
    /// </summary>
    /// <param name="body">The reads. The <see cref="PgTx"/> it gets has the query methods; writes fail with SQLSTATE 25006 (read_only_sql_transaction). It must not be used after the body returns.</param>
    /// <param name="cancellationToken">Cancels opening the connection, the import and the body's statements.</param>
    /// <returns>A task that completes when the body has returned and the transaction has ended.</returns>
    /// <exception cref="ObjectDisposedException">This PgSnapshot has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The snapshot could not be imported: its exporting session has ended (SQLSTATE 22023 or 55000 inside).</exception>
    public Task ReadAsync(Func<PgTx, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ThrowIfDisposed();
        return PgSnapshotReader.ReadAsync(_dataSource, Id, this, body, PgSnapshotReader.RunVoid, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a new REPEATABLE READ READ ONLY transaction that imports this snapshot, passing it
    /// <paramref name="state"/> (no closure needed), and returns its result.
    /// </summary>
    /// <param name="state">Passed to the body: the part of the work this reader does (a shard, a range of ids).</param>
    /// <param name="body">The reads. The <see cref="PgTx"/> it gets has the query methods; writes fail with SQLSTATE 25006 (read_only_sql_transaction). It must not be used after the body returns.</param>
    /// <param name="cancellationToken">Cancels opening the connection, the import and the body's statements.</param>
    /// <returns>The body's result.</returns>
    /// <exception cref="ObjectDisposedException">This PgSnapshot has been disposed.</exception>
    /// <exception cref="InvalidOperationException">The snapshot could not be imported: its exporting session has ended (SQLSTATE 22023 or 55000 inside).</exception>
    public Task<TResult> ReadAsync<TState, TResult>(TState state, Func<PgTx, TState, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ThrowIfDisposed();
        return PgSnapshotReader.ReadAsync(_dataSource, Id, this, state, body, cancellationToken);
    }

    #endregion

    #region Dispose

    /// <summary>
    /// Ends the exporting transaction (ROLLBACK; it wrote nothing) and gives its connection back. From then on the
    /// snapshot cannot be imported; reads already past their import finish normally. Calling it again does nothing.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        try
        {
            // Disposing, so no cancellation token.
            await _transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The exporting session is already gone (terminated, idle timeout): there is nothing left to end.
        }
        finally
        {
            try
            {
                await _transaction.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // As above.
            }

            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    #endregion

    #region Checks

    void ThrowIfDisposed()
    {
        if (Volatile.Read(ref _disposed) != 0)
            throw DisposedException(null);
    }

    internal ObjectDisposedException DisposedException(Exception? inner)
    {
        var message = $"This PgSnapshot ('{Id}') has been disposed: its exporting transaction has ended, so the snapshot can no longer be imported. "
            + "Keep the PgSnapshot alive (await using) until every read has started.";
        return inner is null ? new ObjectDisposedException(nameof(PgSnapshot), message) : new ObjectDisposedException(message, inner);
    }

    #endregion
}
