using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// A savepoint made by <see cref="PgTx.SavepointAsync"/>. <see cref="ReleaseAsync"/> keeps the work done
/// since it; disposing it without releasing rolls back to it (<c>ROLLBACK TO SAVEPOINT</c>), which also
/// clears an error raised after it, so the transaction can go on.
/// </summary>
public sealed class PgSavepoint : IAsyncDisposable
{
    readonly PgTx _tx;
    PgSavepointState _state;

    internal PgSavepoint(PgTx tx, string name)
    {
        _tx = tx;
        Name = name;
    }

    /// <summary>The savepoint's name.</summary>
    public string Name { get; }

    /// <summary>True until it is released or rolled back to.</summary>
    public bool IsPending => _state == PgSavepointState.Pending;

    /// <summary>Keeps the work done since the savepoint (<c>RELEASE SAVEPOINT</c>). The savepoint is gone afterwards.</summary>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <exception cref="InvalidOperationException">The savepoint was already released or rolled back to.</exception>
    /// <exception cref="ObjectDisposedException">The scope that lent the <see cref="PgTx"/> has ended.</exception>
    public async Task ReleaseAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotPending(nameof(ReleaseAsync));
        await _tx.Transaction.ReleaseAsync(Name, cancellationToken).ConfigureAwait(false);
        _state = PgSavepointState.Released;
    }

    /// <summary>Undoes the work done since the savepoint (<c>ROLLBACK TO SAVEPOINT</c>) and ends it.</summary>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <exception cref="InvalidOperationException">The savepoint was already released or rolled back to.</exception>
    /// <exception cref="ObjectDisposedException">The scope that lent the <see cref="PgTx"/> has ended.</exception>
    public async Task RollbackAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfNotPending(nameof(RollbackAsync));
        await _tx.Transaction.RollbackAsync(Name, cancellationToken).ConfigureAwait(false);
        _state = PgSavepointState.RolledBack;
    }

    /// <summary>
    /// Rolls back to the savepoint unless it was released. Does nothing once the scope has ended (the whole
    /// transaction is over by then) or when the connection is broken (the transaction is lost anyway).
    /// </summary>
    public ValueTask DisposeAsync()
    {
        if (_state != PgSavepointState.Pending || !_tx.IsActive)
            return default;
        return RollbackOnDispose();

        async ValueTask RollbackOnDispose()
        {
            _state = PgSavepointState.RolledBack;
            try
            {
                // Disposing, so no cancellation token.
                await _tx.Transaction.RollbackAsync(Name, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception) when (_tx.Connection.FullState.HasFlag(System.Data.ConnectionState.Broken) || _tx.Connection.State != System.Data.ConnectionState.Open)
            {
                // The connection is gone and the transaction with it; the body's own error says so.
            }
        }
    }

    void ThrowIfNotPending(string operation)
    {
        if (_state != PgSavepointState.Pending)
            throw new InvalidOperationException(
                $"PgSavepoint '{Name}' cannot {operation}: it was already {(_state == PgSavepointState.Released ? "released" : "rolled back to")}.");
    }

    internal static void ValidateName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var valid = name.Length is > 0 and <= 63 && (char.IsAsciiLetter(name[0]) || name[0] == '_');
        for (var i = 1; valid && i < name.Length; i++)
            valid = char.IsAsciiLetterOrDigit(name[i]) || name[i] == '_';
        if (!valid)
            throw new ArgumentException(
                $"'{name}' is not a valid savepoint name: use an SQL identifier of 1 to 63 ASCII letters, digits and underscores, not starting with a digit.",
                nameof(name));
    }

    enum PgSavepointState
    {
        Pending,
        Released,
        RolledBack,
    }
}
