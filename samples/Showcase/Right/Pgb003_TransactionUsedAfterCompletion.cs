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
