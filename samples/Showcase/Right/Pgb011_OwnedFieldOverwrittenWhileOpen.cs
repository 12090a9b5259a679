using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB011, fixed: the batch writer disposes each transaction and clears the field when it completes, and refuses
// to begin while one is still there.
//
// The bug: Wrong/Pgb011_OwnedFieldOverwrittenWhileOpen.cs
public sealed class BatchWriter : IAsyncDisposable
{
    readonly NpgsqlConnection _connection;
    NpgsqlTransaction? _transaction;

    public BatchWriter(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Starts the next batch.</summary>
    public async Task BeginAsync(CancellationToken cancellationToken)
    {
        if (_transaction is not null)
            throw new InvalidOperationException("The previous batch is still open.");
        _transaction = await _connection.BeginTransactionAsync(cancellationToken);
    }

    /// <summary>Ends the current batch.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _transaction!.CommitAsync(cancellationToken);
        }
        finally
        {
            await ReleaseAsync();
        }
    }

    public ValueTask DisposeAsync() => new(ReleaseAsync());

    async Task ReleaseAsync()
    {
        if (_transaction is not null)
            await _transaction.DisposeAsync();
        _transaction = null;
    }
}
