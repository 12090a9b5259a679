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
    /// <exception cref="InvalidOperationException">The connection is not open, or it goes through a connection pooler such as
    /// PgBouncer (its server process is not the one Npgsql connected to): a session lock needs a direct connection. Nothing is locked then.</exception>
    public static async Task<PgAdvisoryLock> AdvisoryLockAsync(this NpgsqlConnection connection, long key, CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen(connection, nameof(AdvisoryLockAsync));
        await LockAsync(connection, key, "(SELECT true FROM pg_advisory_lock($1))", nameof(AdvisoryLockAsync), cancellationToken).ConfigureAwait(false);
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
    /// <exception cref="InvalidOperationException">The connection is not open, or it goes through a connection pooler such as
    /// PgBouncer (its server process is not the one Npgsql connected to): a session lock needs a direct connection. Nothing is locked then.</exception>
    public static async Task<PgAdvisoryLock?> TryAdvisoryLockAsync(this NpgsqlConnection connection, long key, CancellationToken cancellationToken = default)
    {
        ThrowIfNotOpen(connection, nameof(TryAdvisoryLockAsync));
        return await LockAsync(connection, key, "pg_try_advisory_lock($1)", nameof(TryAdvisoryLockAsync), cancellationToken).ConfigureAwait(false)
            ? new PgAdvisoryLock(connection, key)
            : null;
    }

    /// <summary>
    /// Runs <paramref name="lockCall"/> (a boolean expression of the key, <c>$1</c>) and returns its value. The same
    /// statement compares the server's process id with Npgsql's and locks only when they match: through a pooler
    /// (<see cref="PgSessionCheck"/>) nothing is locked and the call throws, at no extra round trip.
    /// </summary>
    static async Task<bool> LockAsync(NpgsqlConnection connection, long key, string lockCall, string feature, CancellationToken cancellationToken)
    {
        var checkSession = PgSessionCheck.Enabled;
        var command = new NpgsqlCommand(
            checkSession ? $"SELECT pg_backend_pid(), CASE WHEN pg_backend_pid() = $2 THEN {lockCall} END" : $"SELECT 0, {lockCall}",
            connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            if (checkSession)
                command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = connection.ProcessID });
            int serverProcessId;
            bool locked;
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                serverProcessId = reader.GetInt32(0);
                locked = !reader.IsDBNull(1) && reader.GetBoolean(1);
            }

            if (checkSession && serverProcessId != connection.ProcessID)
                throw PgSessionCheck.ThroughPooler(feature, connection.ProcessID, serverProcessId);
            return locked;
        }
    }

    static void ThrowIfNotOpen(NpgsqlConnection connection, string method)
    {
        ArgumentNullException.ThrowIfNull(connection);
        if (connection.State != ConnectionState.Open)
            throw new InvalidOperationException($"{method} needs an open NpgsqlConnection, but this one is {connection.State}.");
    }
}
