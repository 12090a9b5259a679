using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB002, fixed: 'await using' covers every point between BeginTransaction and Commit. When the
// insufficient-funds exception (or any other) leaves the method, the transaction is disposed, which
// rolls back the debit and releases the row lock before the caller even sees the exception. The
// caller's connection is "idle" again and can run its next transaction.
//
// The bug: Wrong/Pgb002_TransactionNotRolledBackOnException.cs
public sealed class OrderPlacementService
{
    /// <summary>Pays for an order: debits the account and records the paid order; returns the order id. The caller owns the connection.</summary>
    public async Task<int> PlaceOrderAsync(NpgsqlConnection connection, int accountId, int amount, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        int newBalance;
        await using (var debit = new NpgsqlCommand("UPDATE accounts SET balance = balance - $2 WHERE id = $1 RETURNING balance", connection, transaction))
        {
            debit.Parameters.AddWithValue(accountId);
            debit.Parameters.AddWithValue(amount);
            newBalance = (int)(await debit.ExecuteScalarAsync(cancellationToken))!;
        }

        if (newBalance < 0)
            throw new InsufficientFundsException(accountId, newBalance + amount, amount); // rolled back by 'await using'

        int orderId;
        await using (var insert = new NpgsqlCommand("INSERT INTO orders (account_id, amount, status) VALUES ($1, $2, 'paid') RETURNING id", connection, transaction))
        {
            insert.Parameters.AddWithValue(accountId);
            insert.Parameters.AddWithValue(amount);
            orderId = (int)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        await transaction.CommitAsync(cancellationToken);
        return orderId;
    }
}
