using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB106 — Serializable or repeatable-read transaction without retry.
//
// The bug: the transfer runs SERIALIZABLE, as the team's rules for moving money say, but nothing
// retries it. The code is written as if PostgreSQL would make concurrent transfers wait their turn.
//
// What PostgreSQL does at run time: it keeps SERIALIZABLE (and REPEATABLE READ) honest by aborting
// a transaction that could no longer be serialized. When two transfers touch the same account at
// the same time, the second one waits for the first one's row lock; when the first commits, the
// second fails with SQLSTATE 40001, "could not serialize access due to concurrent update" (and a
// lock cycle fails with 40P01, deadlock_detected). Nothing is wrong with the data, the transfer was
// simply not done: it should have been run again from BEGIN. Here the PostgresException goes
// straight to the caller, so an ordinary burst of payments turns into user-visible errors.
//
// Fixed version: Right/Pgb106_SerializableWithoutRetry.cs
public sealed class SerializableTransferService
{
    private readonly NpgsqlDataSource _dataSource;

    public SerializableTransferService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Moves <paramref name="amount"/> from one account to another, refusing overdrafts.</summary>
    public async Task TransferAsync(int fromAccountId, int toAccountId, int amount, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        // BUG (PGB106): a serialization failure or deadlock of this transaction is never retried
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.Serializable, cancellationToken);

        // Both rows are locked in account-id order, so opposite transfers queue instead of deadlocking.
        var balance = 0;
        await using (var select = new NpgsqlCommand(
            "SELECT id, balance FROM accounts WHERE id IN ($1, $2) ORDER BY id FOR NO KEY UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue(fromAccountId);
            select.Parameters.AddWithValue(toAccountId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                if (reader.GetInt32(0) == fromAccountId)
                    balance = reader.GetInt32(1);
            }
        }

        if (balance < amount)
            throw new InsufficientFundsException(fromAccountId, balance, amount); // still open: rolled back

        await using (var move = new NpgsqlCommand(
            "UPDATE accounts SET balance = balance + CASE WHEN id = $1 THEN -$3::int ELSE $3::int END WHERE id IN ($1, $2)", connection, transaction))
        {
            move.Parameters.AddWithValue(fromAccountId);
            move.Parameters.AddWithValue(toAccountId);
            move.Parameters.AddWithValue(amount);
            await move.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}
