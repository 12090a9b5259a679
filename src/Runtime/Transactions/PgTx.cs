using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// A transaction lent to the body of <c>InTransactionAsync</c> (or of a snapshot read,
/// <see cref="PgSnapshot.ReadAsync{TResult}(System.Func{PgTx, CancellationToken, Task{TResult}}, CancellationToken)"/>): it runs SQL (the query methods of
/// <see cref="PgQueryExtensions"/>, <see cref="CreateCommand"/>), makes savepoints and takes
/// transaction-level advisory locks, but cannot commit, roll back or be disposed: the scope that lent it
/// does that when the body returns or throws. It is good for one attempt only; once the body has
/// returned, every use throws <see cref="ObjectDisposedException"/>.
/// </summary>
/// <remarks>
/// Like the connection under it, a PgTx is not thread-safe: run one command at a time.
/// </remarks>
public sealed class PgTx
{
    #region Fields and properties

    readonly NpgsqlConnection _connection;
    readonly NpgsqlTransaction _transaction;
    PgTxState _state;

    internal PgTx(NpgsqlConnection connection, NpgsqlTransaction transaction, int attempt, IsolationLevel isolationLevel)
    {
        _connection = connection;
        _transaction = transaction;
        Attempt = attempt;
        IsolationLevel = isolationLevel;
    }

    /// <summary>Which attempt of the scope this is, from 1. A value above 1 means the body is being re-run after a serialization failure or deadlock.</summary>
    public int Attempt { get; }

    /// <summary>The isolation level the scope asked for.</summary>
    public IsolationLevel IsolationLevel { get; }

    /// <summary>True while the body that received this PgTx is running.</summary>
    public bool IsActive => _state == PgTxState.Active;

    /// <summary>The transaction, checked to be still lent.</summary>
    internal NpgsqlTransaction Transaction
    {
        get
        {
            ThrowIfNotActive();
            return _transaction;
        }
    }

    internal NpgsqlConnection Connection => _connection;

    #endregion

    #region Commands

    /// <summary>
    /// A command in this transaction, with <paramref name="sql"/> and its parameters, for when the query
    /// methods do not fit (a reader you drive yourself, <c>Prepare</c>). The caller disposes it, before the
    /// body returns.
    /// </summary>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <exception cref="ObjectDisposedException">The scope that lent this PgTx has ended.</exception>
    public NpgsqlCommand CreateCommand(PgSql sql)
    {
        ThrowIfNotActive();
        return sql.Take().CreateCommand(_connection, _transaction);
    }

    internal NpgsqlCommand CreateCommandFor(in PgStatement statement)
    {
        ThrowIfNotActive();
        return statement.CreateOwnedCommand(_connection, _transaction);
    }

    internal NpgsqlBatch CreateBatchFor()
    {
        ThrowIfNotActive();
        var batch = _connection.CreateBatch();
        batch.Transaction = _transaction;
        return batch;
    }

    #endregion

    #region Savepoints

    /// <summary>
    /// Makes a savepoint (<c>SAVEPOINT name</c>). Dispose the returned <see cref="PgSavepoint"/> to roll back
    /// to it, unless <see cref="PgSavepoint.ReleaseAsync"/> was called first:
    /// <code>
    /// await using (var savepoint = await tx.SavepointAsync("optional_part", ct))
    /// {
    ///     await tx.ExecuteAsync($"...", ct);
    ///     await savepoint.ReleaseAsync(ct);
    /// } // an exception before ReleaseAsync rolls back to the savepoint; the transaction goes on
    /// </code>
    /// </summary>
    /// <param name="name">An SQL identifier: a letter or underscore, then letters, digits or underscores; at most 63 characters.</param>
    /// <param name="cancellationToken">Cancels the command. Cancelling it aborts the transaction (SQLSTATE 57014), so the body fails.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not a plain identifier.</exception>
    /// <exception cref="ObjectDisposedException">The scope that lent this PgTx has ended.</exception>
    public async Task<PgSavepoint> SavepointAsync(string name, CancellationToken cancellationToken = default)
    {
        PgSavepoint.ValidateName(name);
        await Transaction.SaveAsync(name, cancellationToken).ConfigureAwait(false);
        return new PgSavepoint(this, name);
    }

    #endregion

    #region Advisory locks

    /// <summary>
    /// Takes a transaction-level exclusive advisory lock (<c>pg_advisory_xact_lock</c>), waiting while another
    /// session holds it. It is released when the scope commits or rolls back; there is nothing to dispose and
    /// no way to release it earlier.
    /// </summary>
    /// <param name="key">The lock's key, shared by every session that locks the same thing.</param>
    /// <param name="cancellationToken">
    /// Cancels the wait: the server cancels the statement (SQLSTATE 57014), which aborts the transaction, so the
    /// body fails and the scope rolls back. Safe: the lock is never left held.
    /// </param>
    /// <exception cref="ObjectDisposedException">The scope that lent this PgTx has ended.</exception>
    public async Task AdvisoryXactLockAsync(long key, CancellationToken cancellationToken = default)
    {
        var command = new NpgsqlCommand("SELECT pg_advisory_xact_lock($1)", _connection, Transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Tries to take a transaction-level exclusive advisory lock (<c>pg_try_advisory_xact_lock</c>) without
    /// waiting. When it returns true the lock is held until the scope commits or rolls back.
    /// </summary>
    /// <param name="key">The lock's key.</param>
    /// <param name="cancellationToken">Cancels the round trip; as with any statement, a cancellation the server acts on aborts the transaction.</param>
    /// <returns>True when the lock was taken, false when another session holds it.</returns>
    /// <exception cref="ObjectDisposedException">The scope that lent this PgTx has ended.</exception>
    public async Task<bool> TryAdvisoryXactLockAsync(long key, CancellationToken cancellationToken = default)
    {
        var command = new NpgsqlCommand("SELECT pg_try_advisory_xact_lock($1)", _connection, Transaction);
        await using (command.ConfigureAwait(false))
        {
            command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = key });
            return await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
        }
    }

    #endregion

    #region State

    /// <summary>Ends the loan: the body has returned or thrown.</summary>
    internal void End(PgTxState state) => _state = state;

    internal void ThrowIfNotActive()
    {
        if (_state != PgTxState.Active)
            ThrowNotActive();
    }

    void ThrowNotActive()
        => throw new ObjectDisposedException(nameof(PgTx), _state switch
        {
            PgTxState.Committing => $"This PgTx (attempt {Attempt}) is no longer usable: its body has returned and the scope is committing it. A PgTx is lent to the body of its scope (InTransactionAsync, or a snapshot read) and must not be used after the body returns.",
            PgTxState.Committed => $"This PgTx (attempt {Attempt}) is no longer usable: its transaction has committed. A PgTx is lent to the body of its scope (InTransactionAsync, or a snapshot read) and must not be used after the body returns.",
            PgTxState.RolledBack => $"This PgTx (attempt {Attempt}) is no longer usable: its transaction was rolled back. A PgTx is lent to the body of its scope (InTransactionAsync, or a snapshot read) and must not be used after the body returns.",
            _ => $"This PgTx (attempt {Attempt}) is no longer usable: its COMMIT failed and the scope has ended. A PgTx is lent to the body of its scope (InTransactionAsync, or a snapshot read) and must not be used after the body returns.",
        });

    #endregion
}

/// <summary>Where a <see cref="PgTx"/> is in its loan.</summary>
internal enum PgTxState
{
    Active,
    Committing,
    Committed,
    RolledBack,
    CommitFailed,
}
