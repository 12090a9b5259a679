using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Exported snapshots for consistent parallel reads: <see cref="ExportSnapshotAsync"/> holds a snapshot open, and
/// <c>InSnapshotAsync</c> (or <see cref="PgSnapshot.ReadAsync{TResult}(Func{PgTx, CancellationToken, Task{TResult}}, CancellationToken)"/>)
/// runs reads in transactions that import it, each on its own connection, all seeing the same data.
/// </summary>
public static class PgSnapshotExtensions
{
    /// <summary>
    /// Opens a connection, begins a REPEATABLE READ READ ONLY transaction and exports its snapshot
    /// (<c>pg_export_snapshot()</c>). The transaction stays open, holding the connection, until the returned
    /// <see cref="PgSnapshot"/> is disposed: only while it is open can the snapshot be imported.
    /// </summary>
    /// <remarks>Two round trips (BEGIN with SET TRANSACTION READ ONLY, then the export). Dispose it promptly: it pins the xmin horizon, holding back VACUUM.</remarks>
    /// <param name="dataSource">The data source: the snapshot holds one of its connections, and each read takes another.</param>
    /// <param name="cancellationToken">Cancels opening the connection and the export.</param>
    /// <returns>The snapshot; <c>await using</c> it.</returns>
    public static Task<PgSnapshot> ExportSnapshotAsync(this NpgsqlDataSource dataSource, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return PgSnapshotReader.ExportAsync(dataSource, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a new REPEATABLE READ READ ONLY transaction, on a pooled connection of its own, that
    /// imports the snapshot <paramref name="snapshotId"/> (<c>SET TRANSACTION SNAPSHOT</c>), and returns its result. The
    /// transaction commits when the body returns and rolls back when it throws. For an identifier received from another
    /// process; within one process, <see cref="PgSnapshot.ReadAsync{TResult}(Func{PgTx, CancellationToken, Task{TResult}}, CancellationToken)"/>
    /// does the same.
    /// </summary>
    /// <param name="dataSource">The data source: the read opens one of its connections and gives it back when done.</param>
    /// <param name="snapshotId">The identifier <c>pg_export_snapshot()</c> returned (<see cref="PgSnapshot.Id"/>). SET TRANSACTION SNAPSHOT takes no parameter, so it is checked to be hexadecimal groups separated by dashes before it is put in the SQL.</param>
    /// <param name="body">The reads. The <see cref="PgTx"/> it gets has the query methods; writes fail with SQLSTATE 25006 (read_only_sql_transaction). It must not be used after the body returns.</param>
    /// <param name="cancellationToken">Cancels opening the connection, the import and the body's statements.</param>
    /// <returns>The body's result.</returns>
    /// <exception cref="ArgumentException"><paramref name="snapshotId"/> does not look like a snapshot identifier (nothing is sent).</exception>
    /// <exception cref="InvalidOperationException">The snapshot could not be imported: no such snapshot, or its exporting transaction has ended (SQLSTATE 22023 or 55000 inside).</exception>
    public static Task<TResult> InSnapshotAsync<TResult>(
        this NpgsqlDataSource dataSource, string snapshotId, Func<PgTx, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PgSnapshotReader.ValidateId(snapshotId, nameof(snapshotId));
        ArgumentNullException.ThrowIfNull(body);
        return PgSnapshotReader.ReadAsync(dataSource, snapshotId, null, body, PgSnapshotReader.RunWithResult, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/> in a new REPEATABLE READ READ ONLY transaction, on a pooled connection of its own, that
    /// imports the snapshot <paramref name="snapshotId"/>. The transaction commits when the body returns and rolls back when
    /// it throws.
    /// </summary>
    /// <param name="dataSource">The data source: the read opens one of its connections and gives it back when done.</param>
    /// <param name="snapshotId">The identifier <c>pg_export_snapshot()</c> returned (<see cref="PgSnapshot.Id"/>), checked before it is put in the SQL.</param>
    /// <param name="body">The reads; writes fail with SQLSTATE 25006. The <see cref="PgTx"/> must not be used after the body returns.</param>
    /// <param name="cancellationToken">Cancels opening the connection, the import and the body's statements.</param>
    /// <returns>A task that completes when the body has returned and the transaction has ended.</returns>
    /// <exception cref="ArgumentException"><paramref name="snapshotId"/> does not look like a snapshot identifier (nothing is sent).</exception>
    /// <exception cref="InvalidOperationException">The snapshot could not be imported: no such snapshot, or its exporting transaction has ended (SQLSTATE 22023 or 55000 inside).</exception>
    public static Task InSnapshotAsync(
        this NpgsqlDataSource dataSource, string snapshotId, Func<PgTx, CancellationToken, Task> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PgSnapshotReader.ValidateId(snapshotId, nameof(snapshotId));
        ArgumentNullException.ThrowIfNull(body);
        return PgSnapshotReader.ReadAsync(dataSource, snapshotId, null, body, PgSnapshotReader.RunVoid, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="body"/>, passing it <paramref name="state"/> (no closure needed), in a new REPEATABLE READ READ
    /// ONLY transaction that imports the snapshot <paramref name="snapshotId"/>, and returns its result.
    /// </summary>
    /// <param name="dataSource">The data source: the read opens one of its connections and gives it back when done.</param>
    /// <param name="snapshotId">The identifier <c>pg_export_snapshot()</c> returned (<see cref="PgSnapshot.Id"/>), checked before it is put in the SQL.</param>
    /// <param name="state">Passed to the body.</param>
    /// <param name="body">The reads; writes fail with SQLSTATE 25006. The <see cref="PgTx"/> must not be used after the body returns.</param>
    /// <param name="cancellationToken">Cancels opening the connection, the import and the body's statements.</param>
    /// <returns>The body's result.</returns>
    /// <exception cref="ArgumentException"><paramref name="snapshotId"/> does not look like a snapshot identifier (nothing is sent).</exception>
    /// <exception cref="InvalidOperationException">The snapshot could not be imported: no such snapshot, or its exporting transaction has ended (SQLSTATE 22023 or 55000 inside).</exception>
    public static Task<TResult> InSnapshotAsync<TState, TResult>(
        this NpgsqlDataSource dataSource, string snapshotId, TState state, Func<PgTx, TState, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        PgSnapshotReader.ValidateId(snapshotId, nameof(snapshotId));
        ArgumentNullException.ThrowIfNull(body);
        return PgSnapshotReader.ReadAsync(dataSource, snapshotId, null, state, body, cancellationToken);
    }
}
