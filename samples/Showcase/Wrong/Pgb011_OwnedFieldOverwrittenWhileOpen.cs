using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB011 — Owned field overwritten while open.
//
// The bug: the batch writer commits its transaction without disposing it or clearing the field, and BeginAsync
// stores the next one over it. When a commit throws (a serialization failure, a dropped connection), the next
// BeginAsync replaces a transaction that is still open, and nothing ever disposes it.
//
// What PostgreSQL does at run time: the lost transaction's connection stays 'idle in transaction' (or the next
// BEGIN fails with "A transaction is already in progress"), holding its locks until the connection is closed.
//
// Fixed version: Right/Pgb011_OwnedFieldOverwrittenWhileOpen.cs
public sealed class BatchWriter : IAsyncDisposable
{
    readonly NpgsqlConnection _connection;
    NpgsqlTransaction? _transaction;

    public BatchWriter(NpgsqlConnection connection) => _connection = connection;

    /// <summary>Starts the next batch.</summary>
    public async Task BeginAsync(CancellationToken cancellationToken)
        => _transaction = await _connection.BeginTransactionAsync(cancellationToken); // BUG (PGB011): the previous one may still be there

    /// <summary>Ends the current batch.</summary>
    public Task CommitAsync(CancellationToken cancellationToken) => _transaction!.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_transaction is not null)
            await _transaction.DisposeAsync();
    }
}
