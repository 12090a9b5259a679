using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB009 — Transaction is never committed.
//
// The bug: the import runs every batch inside a transaction (so that a failed batch leaves nothing
// half-imported), hands the transaction to the batch writer, and then lets 'await using' dispose it.
// No path commits it.
//
// What PostgreSQL does at run time: disposing a transaction that was not committed sends ROLLBACK.
// Every order the batch wrote is discarded, without an error: the method returns normally, the log
// says the batch was imported, and the table is empty. (NServiceBus.Persistence.Sql shipped exactly
// this in its script installer and fixed it with one line, ceea8c5c: "Commit the installer transaction".)
//
// Fixed version: Right/Pgb009_TransactionNeverCommitted.cs
public sealed class OrderImport
{
    /// <summary>Imports one batch of orders for an account. The caller owns the connection.</summary>
    public async Task ImportAsync(NpgsqlConnection connection, int accountId, int[] amounts,
        Func<NpgsqlConnection, NpgsqlTransaction, int, int[], CancellationToken, Task> writeBatch, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken); // BUG (PGB009): never committed
        await writeBatch(connection, transaction, accountId, amounts, cancellationToken);
    }

    /// <summary>The batch writer: inserts the orders in the transaction it is given.</summary>
    public static async Task WriteOrdersAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, int accountId, int[] amounts, CancellationToken cancellationToken)
    {
        foreach (var amount in amounts)
        {
            await using var insert = new NpgsqlCommand("INSERT INTO orders (account_id, amount) VALUES ($1, $2)", connection, transaction);
            insert.Parameters.AddWithValue(accountId);
            insert.Parameters.AddWithValue(amount);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
