using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB107, fixed: the server computes the new balance from the current row, under the UPDATE's own
// row lock, and the WHERE clause refuses an overdraft. Concurrent withdrawals queue on the row lock
// and each one sees the balance the previous one committed: nothing is lost, and no separate read
// is needed at all.
//
// The bug: Wrong/Pgb107_ReadModifyWriteWithoutLock.cs
public sealed class CashWithdrawalService
{
    private readonly NpgsqlDataSource _dataSource;

    public CashWithdrawalService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Takes <paramref name="amount"/> from the account; false when the balance is too low.</summary>
    public async Task<bool> WithdrawAsync(int accountId, int amount, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var write = new NpgsqlCommand(
            "UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND balance >= $2", connection, transaction);
        write.Parameters.AddWithValue(accountId);
        write.Parameters.AddWithValue(amount);
        var withdrawn = await write.ExecuteNonQueryAsync(cancellationToken) == 1;
        await transaction.CommitAsync(cancellationToken);
        return withdrawn;
    }
}
