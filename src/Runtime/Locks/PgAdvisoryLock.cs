using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// A held session-level advisory lock: the RAII guard returned by
/// <see cref="PgAdvisoryLockExtensions.AdvisoryLockAsync"/>. Disposing it releases the lock
/// (<c>pg_advisory_unlock</c>), on every path, exceptions included:
/// <code>
/// await using (var guard = await connection.AdvisoryLockAsync(orderId, ct))
/// {
///     // only one session at a time gets here for this key
/// }
/// </code>
/// </summary>
/// <remarks>
/// <para>Session-level locks belong to the connection's session, not to a transaction: a rollback does not
/// release them, and they stay held until released or until the session ends. Take the guard before beginning
/// a transaction on the same connection and dispose it after the transaction ends: an unlock sent while that
/// transaction is failed (SQLSTATE 25P02) cannot run.</para>
/// <para>Release is immediate (one round trip). If the connection broke or was closed, the session, and so
/// the lock, is already gone (a connection closed back to the pool is reset before it is reused), and disposing
/// does nothing.</para>
/// </remarks>
public sealed class PgAdvisoryLock : IAsyncDisposable
{
    readonly NpgsqlConnection _connection;
    bool _held = true;

    internal PgAdvisoryLock(NpgsqlConnection connection, long key)
    {
        _connection = connection;
        Key = key;
    }

    /// <summary>The lock's key.</summary>
    public long Key { get; }

    /// <summary>True until released.</summary>
    public bool IsHeld => _held;

    /// <summary>Releases the lock now (<c>pg_advisory_unlock</c>). Disposing afterwards does nothing.</summary>
    /// <param name="cancellationToken">Cancels the round trip; if it is cancelled the lock may still be held, and disposing tries again.</param>
    /// <exception cref="InvalidOperationException">The server says this session did not hold the lock (it was released behind the guard's back, e.g. with <c>pg_advisory_unlock_all</c>).</exception>
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (!_held)
            return;
        if (_connection.State != ConnectionState.Open)
        {
            _held = false; // the session, and its locks, are gone
            return;
        }

        var command = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", _connection);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = Key });
            var released = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
            _held = false;
            if (!released)
                throw new InvalidOperationException(
                    $"PgAdvisoryLock (key {Key}) was not held by this session when it was released: something else released it.");
        }
    }

    /// <summary>
    /// Releases the lock if it is still held. Does nothing on a closed or broken connection, whose session took
    /// the lock with it.
    /// </summary>
    public ValueTask DisposeAsync()
        => _held ? new ValueTask(ReleaseOnDispose()) : default;

    async Task ReleaseOnDispose()
    {
        try
        {
            // Disposing, so no cancellation token.
            await ReleaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception) when (_connection.State != ConnectionState.Open || _connection.FullState.HasFlag(ConnectionState.Broken))
        {
            _held = false; // the connection broke while releasing: the session is gone, and the lock with it
        }
    }
}
