using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB107 — Read-modify-write without a row lock (Info; raised to a warning in this showcase's
// .editorconfig so that it prints).
//
// The bug: the withdrawal reads the balance with a plain SELECT, computes the new balance in C#
// and writes it back. Under READ COMMITTED two withdrawals running at the same time both read 100,
// both write 100 - amount, and one withdrawal is lost: the money left the account twice but the
// balance went down once.
//
// What PostgreSQL does at run time: nothing stops it. The second UPDATE waits for the first one's
// row lock, then overwrites the row with the value it computed from the stale read.
//
// Fixed version: Right/Pgb107_ReadModifyWriteWithoutLock.cs
public sealed class CashWithdrawalService
{
    private readonly NpgsqlDataSource _dataSource;

    public CashWithdrawalService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Takes <paramref name="amount"/> from the account; false when the balance is too low.</summary>
    public async Task<bool> WithdrawAsync(int accountId, int amount, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using var read = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = $1", connection, transaction);
        read.Parameters.AddWithValue(accountId);
        var balance = (int)(await read.ExecuteScalarAsync(cancellationToken))!;
        if (balance < amount)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await using var write = new NpgsqlCommand("UPDATE accounts SET balance = $2 WHERE id = $1", connection, transaction);
        write.Parameters.AddWithValue(accountId);
        write.Parameters.AddWithValue(balance - amount);
        await write.ExecuteNonQueryAsync(cancellationToken); // BUG (PGB107): computed from a read that took no lock
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
