using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB003, fixed: every decision is made before Commit, and Commit is the last use of the
// transaction. An overdraft throws while the transaction is still open, so 'await using' rolls the
// transfer back: neither balance changes, and the caller gets the insufficient-funds error.
//
// The bug: Wrong/Pgb003_TransactionUsedAfterCompletion.cs
public sealed class TransferService
{
    private readonly NpgsqlDataSource _dataSource;

    public TransferService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Moves <paramref name="amount"/> from one account to another.</summary>
    public async Task TransferAsync(int fromAccountId, int toAccountId, int amount, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        int newBalance;
        await using (var debit = new NpgsqlCommand("UPDATE accounts SET balance = balance - $2 WHERE id = $1 RETURNING balance", connection, transaction))
        {
            debit.Parameters.AddWithValue(fromAccountId);
            debit.Parameters.AddWithValue(amount);
            newBalance = (int)(await debit.ExecuteScalarAsync(cancellationToken))!;
        }

        if (newBalance < 0)
            throw new InsufficientFundsException(fromAccountId, newBalance + amount, amount); // still open: rolled back

        await using (var credit = new NpgsqlCommand("UPDATE accounts SET balance = balance + $2 WHERE id = $1", connection, transaction))
        {
            credit.Parameters.AddWithValue(toAccountId);
            credit.Parameters.AddWithValue(amount);
            await credit.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

// PGB003 across time, fixed: the audit row is written inside the order's transaction, before the
// commit, so the order and its audit row commit together or not at all. Nothing that needs the
// transaction is left for later.
//
// The bug: Wrong/Pgb003_TransactionUsedAfterCompletion.cs (OrderPlacer)
public sealed class OrderPlacer
{
    public async Task<int> PlaceOrderAsync(NpgsqlConnection connection, int accountId, int amount, string reference, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        int orderId;
        await using (var insert = new NpgsqlCommand("INSERT INTO orders (account_id, amount) VALUES ($1, $2) RETURNING id", connection, transaction))
        {
            insert.Parameters.AddWithValue(accountId);
            insert.Parameters.AddWithValue(amount);
            orderId = (int)(await insert.ExecuteScalarAsync(cancellationToken))!;
        }

        await using (var audit = new NpgsqlCommand("INSERT INTO payment_audit (order_id, reference) VALUES ($1, $2)", connection, transaction))
        {
            audit.Parameters.AddWithValue(orderId);
            audit.Parameters.AddWithValue(reference);
            await audit.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return orderId;
    }
}
