using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Session-level advisory locks on a connection, held by a <see cref="PgAdvisoryLock"/> guard. For locks that end
/// with a transaction, see <see cref="PgTx.AdvisoryXactLockAsync"/>.
/// </summary>
public static class PgAdvisoryLockExtensions
{
    /// <summary>
    /// Takes a session-level exclusive advisory lock (<c>pg_advisory_lock</c>), waiting while another session
    /// holds it, and returns the guard that releases it when disposed.
    /// </summary>
    /// <param name="connection">An open connection; the lock belongs to its session.</param>
    /// <param name="key">The lock's key, shared by every session that locks the same thing.</param>
    /// <param name="cancellationToken">
    /// Cancels the wait. Npgsql asks the server to cancel the statement and this method throws
    /// <see cref="OperationCanceledException"/>; the lock is then not held. One narrow race remains, as with any
    /// cancelled statement: if the lock is granted at the very moment the cancel request arrives, the statement may
    /// still fail while the session holds the lock. It is released when the session ends or when the connection goes
    /// back to the pool and is reset; if that matters, do not cancel, use <see cref="TryAdvisoryLockAsync"/> in a
    /// loop, or use a transaction-level lock (<see cref="PgTx.AdvisoryXactLockAsync"/>), which a rollback always releases.
    /// </param>
    /// <returns>The guard; dispose it to release the lock.</returns>
    /// <exception cref="InvalidOperationException">The connection is not open.</exception>
    public static async Task<PgAdvisoryLock> AdvisoryLockAsync(this NpgsqlConnection connection, long key, CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen(connection, nameof(AdvisoryLockAsync));
        var command = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return new PgAdvisoryLock(connection, key);
    }

    /// <summary>
    /// Tries to take a session-level exclusive advisory lock (<c>pg_try_advisory_lock</c>) without waiting.
    /// </summary>
    /// <param name="connection">An open connection; the lock belongs to its session.</param>
    /// <param name="key">The lock's key.</param>
    /// <param name="cancellationToken">
    /// Cancels the round trip (the statement does not wait, so there is little to cancel). The same narrow race as
    /// <see cref="AdvisoryLockAsync"/> applies if it is cancelled just as the server answers.
    /// </param>
    /// <returns>The guard, or null when another session holds the lock.</returns>
    /// <exception cref="InvalidOperationException">The connection is not open.</exception>
    public static async Task<PgAdvisoryLock?> TryAdvisoryLockAsync(this NpgsqlConnection connection, long key, CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen(connection, nameof(TryAdvisoryLockAsync));
        var command = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true
                ? new PgAdvisoryLock(connection, key)
                : null;
        }
    }

    static void ThrowIfNotOpen(NpgsqlConnection connection, string method)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.State != ConnectionState.Open)
            throw new InvalidOperationException($"{method} needs an open NpgsqlConnection, but this one is {connection.State}.");
    }
}
