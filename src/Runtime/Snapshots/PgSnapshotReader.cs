using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>Exporting and importing snapshots: the bodies behind <see cref="PgSnapshot"/> and <see cref="PgSnapshotExtensions"/>.</summary>
internal static class PgSnapshotReader
{
    /// <summary>The longest identifier accepted; PostgreSQL's are about 20 characters.</summary>
    const int MaxIdLength = 64;

    /// <summary>
    /// Opens a connection, begins REPEATABLE READ READ ONLY, exports its snapshot, and returns it held open.
    /// </summary>
    public static async Task<PgSnapshot> ExportAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            try
            {
                // BEGIN travels with this first statement.
                await ExecuteAsync(connection, transaction, "SET TRANSACTION READ ONLY", cancellationToken).ConfigureAwait(false);
                var command = new NpgsqlCommand("SELECT pg_export_snapshot()", connection, transaction);
                string id;
                await using (command.ConfigureAwait(false))
                    id = (string)(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
                ValidateId(id, "snapshotId"); // it comes from the server, but it will be spliced into SQL: check anyway
                return new PgSnapshot(dataSource, connection, transaction, id);
            }
            catch (Exception)
            {
                await transaction.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
        catch (Exception)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Runs the body in a new REPEATABLE READ READ ONLY transaction on a connection of its own that imports the
    /// snapshot; commits when it returns, rolls back when it throws.
    /// </summary>
    public static async Task<TResult> ReadAsync<TState, TResult>(
        NpgsqlDataSource dataSource, string snapshotId, PgSnapshot? owner, TState state,
        Func<PgTx, TState, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await ImportAsync(connection, transaction, snapshotId, owner, cancellationToken).ConfigureAwait(false);
                var tx = new PgTx(connection, transaction, attempt: 1, IsolationLevel.RepeatableRead);
                TResult result;
                try
                {
                    result = await body(tx, state, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception)
                {
                    tx.End(PgTxState.RolledBack);
                    try
                    {
                        // Cleaning up after the body's failure, which must not be hidden; no cancellation token.
                        await transaction.RollbackAsync(CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (Exception)
                    {
                        // The connection is broken or busy; the pool resets or discards it.
                    }

                    throw;
                }

                // Read only: COMMIT and ROLLBACK are the same here, and COMMIT tells the reads were all fine.
                tx.End(PgTxState.Committing);
                await transaction.CommitAsync(CancellationToken.None).ConfigureAwait(false);
                tx.End(PgTxState.Committed);
                return result;
            }
        }
    }

    /// <summary>
    /// SET TRANSACTION SNAPSHOT (which takes no parameter: the id has been validated) and READ ONLY, in the round trip
    /// that also carries BEGIN, before any query of the transaction, as PostgreSQL requires.
    /// </summary>
    static async Task ImportAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string snapshotId, PgSnapshot? owner, CancellationToken cancellationToken)
    {
        try
        {
            await ExecuteAsync(connection, transaction, "SET TRANSACTION SNAPSHOT '" + snapshotId + "';SET TRANSACTION READ ONLY", cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.InvalidParameterValue or PostgresErrorCodes.ObjectNotInPrerequisiteState)
        {
            if (owner is not null && !owner.IsActive)
                throw owner.DisposedException(e);
            throw new InvalidOperationException(
                $"Snapshot '{snapshotId}' cannot be imported (SQLSTATE {e.SqlState}: {e.MessageText}). A snapshot can be imported only while the transaction "
                + "that exported it is still open: is its PgSnapshot disposed, or its session ended (idle_in_transaction_session_timeout, pg_terminate_backend)?",
                e);
        }
    }

    /// <summary>
    /// Checks that <paramref name="snapshotId"/> has the shape of a PostgreSQL snapshot identifier (hexadecimal groups
    /// separated by dashes, e.g. <c>00000003-0000001B-1</c>), so it can be put between quotes in SET TRANSACTION SNAPSHOT.
    /// </summary>
    /// <exception cref="ArgumentException">Anything else; the text is not sent.</exception>
    public static void ValidateId(string snapshotId, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(snapshotId, parameterName);
        var valid = snapshotId.Length is > 0 and <= MaxIdLength && snapshotId[0] != '-' && snapshotId[^1] != '-';
        var dashes = 0;
        for (var i = 0; valid && i < snapshotId.Length; i++)
        {
            var c = snapshotId[i];
            if (c == '-')
            {
                dashes++;
                valid = snapshotId[i - 1] != '-';
            }
            else
            {
                valid = char.IsAsciiHexDigit(c);
            }
        }

        if (!valid || dashes == 0)
            throw new ArgumentException(
                $"'{snapshotId}' is not a snapshot identifier. Pass the text pg_export_snapshot() returned (PgSnapshot.Id), e.g. 00000003-0000001B-1: hexadecimal groups separated by dashes.",
                parameterName);
    }

    static async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using (command.ConfigureAwait(false))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    // Adapters from the public shapes to the one shape above: the user's delegate travels as the state, so no closure
    // is allocated.
    internal static Task<TResult> RunWithResult<TResult>(PgTx tx, Func<PgTx, CancellationToken, Task<TResult>> body, CancellationToken cancellationToken)
        => body(tx, cancellationToken);

    internal static async Task<bool> RunVoid(PgTx tx, Func<PgTx, CancellationToken, Task> body, CancellationToken cancellationToken)
    {
        await body(tx, cancellationToken).ConfigureAwait(false);
        return true;
    }
}
