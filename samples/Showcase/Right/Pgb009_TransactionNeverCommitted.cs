using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB009, fixed: the batch is committed once the writer returns. 'await using' still rolls it back
// when the writer throws, so a failed batch leaves nothing half-imported.
//
// The bug: Wrong/Pgb009_TransactionNeverCommitted.cs
public sealed class OrderImport
{
    /// <summary>Imports one batch of orders for an account. The caller owns the connection.</summary>
    public async Task ImportAsync(NpgsqlConnection connection, int accountId, int[] amounts,
        Func<NpgsqlConnection, NpgsqlTransaction, int, int[], CancellationToken, Task> writeBatch, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await writeBatch(connection, transaction, accountId, amounts, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
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
