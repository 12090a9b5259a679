using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB001, fixed: the transaction is declared with 'await using', so every path that does not commit
// (here the early "insufficient funds" return) disposes it, and disposing an uncommitted transaction
// rolls it back. The FOR UPDATE row lock is released the moment the method returns, and the
// caller's connection is back to "idle", outside any transaction.
//
// The bug: Wrong/Pgb001_TransactionMayBeLeftOpen.cs
public sealed class WithdrawalService
{
    /// <summary>Withdraws <paramref name="amount"/> if the balance covers it. The caller owns the connection.</summary>
    public async Task<bool> TryWithdrawAsync(NpgsqlConnection connection, int accountId, int amount, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        int balance;
        await using (var select = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue(accountId);
            balance = (int)(await select.ExecuteScalarAsync(cancellationToken))!;
        }

        if (balance < amount)
            return false; // 'await using' rolls the transaction back here

        await using (var update = new NpgsqlCommand("UPDATE accounts SET balance = balance - $2 WHERE id = $1", connection, transaction))
        {
            update.Parameters.AddWithValue(accountId);
            update.Parameters.AddWithValue(amount);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
