using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB003 — Transaction used after it completed.
//
// The bug: the overdraft check runs after Commit, and "undoes" the transfer with Rollback on a
// transaction that Commit has already consumed (use after move).
//
// What PostgreSQL does at run time: COMMIT has already made the transfer durable and visible to
// everyone, overdraft included; there is nothing left to roll back. Npgsql never even sends the
// ROLLBACK: it throws InvalidOperationException "This NpgsqlTransaction has completed; it is no
// longer usable." So the account stays overdrawn and the caller gets an InvalidOperationException
// instead of the insufficient-funds error it expected.
//
// Fixed version: Right/Pgb003_TransactionUsedAfterCompletion.cs
public sealed class TransferService
{
    private readonly NpgsqlDataSource _dataSource;

    public TransferService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Moves <paramref name="amount"/> from one account to another.</summary>
    public void Transfer(int fromAccountId, int toAccountId, int amount)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();

        int newBalance;
        using (var debit = new NpgsqlCommand("UPDATE accounts SET balance = balance - $2 WHERE id = $1 RETURNING balance", connection, transaction))
        {
            debit.Parameters.AddWithValue(fromAccountId);
            debit.Parameters.AddWithValue(amount);
            newBalance = (int)debit.ExecuteScalar()!;
        }

        using (var credit = new NpgsqlCommand("UPDATE accounts SET balance = balance + $2 WHERE id = $1", connection, transaction))
        {
            credit.Parameters.AddWithValue(toAccountId);
            credit.Parameters.AddWithValue(amount);
            credit.ExecuteNonQuery();
        }

        transaction.Commit();

        if (newBalance < 0)
        {
            transaction.Rollback(); // BUG (PGB003): the transaction was committed above
            throw new InsufficientFundsException(fromAccountId, newBalance + amount, amount);
        }
    }
}
