using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB106, fixed: the whole transaction runs in a retry loop. An attempt that fails with 40001
// (serialization_failure) or 40P01 (deadlock_detected) has changed nothing: its transaction is
// rolled back and its connection returned by the using declarations before the catch runs. The
// loop then waits a short, random, growing time and starts again from the top, with a new
// connection and a new transaction that reads the balances afresh. Attempts are bounded: the last
// failure goes to the caller. Any other error (an overdraft, a lost connection) is not retried.
//
// Everything inside the loop runs again on a retry, so it must only touch the database: send the
// e-mail or the message after the commit, not inside the attempt.
//
// The bug: Wrong/Pgb106_SerializableWithoutRetry.cs
public sealed class SerializableTransferService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly int _maxAttempts;

    public SerializableTransferService(NpgsqlDataSource dataSource, int maxAttempts = 10)
    {
        if (maxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(maxAttempts), maxAttempts, "At least one attempt is needed.");
        _dataSource = dataSource;
        _maxAttempts = maxAttempts;
    }

    /// <summary>
    /// Moves <paramref name="amount"/> from one account to another, refusing overdrafts. Returns the
    /// number of attempts it took (1 when no concurrent transaction got in the way).
    /// </summary>
    public async Task<int> TransferAsync(int fromAccountId, int toAccountId, int amount, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
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
                    throw new InsufficientFundsException(fromAccountId, balance, amount); // rolled back, not retried

                await using (var move = new NpgsqlCommand(
                    "UPDATE accounts SET balance = balance + CASE WHEN id = $1 THEN -$3::int ELSE $3::int END WHERE id IN ($1, $2)", connection, transaction))
                {
                    move.Parameters.AddWithValue(fromAccountId);
                    move.Parameters.AddWithValue(toAccountId);
                    move.Parameters.AddWithValue(amount);
                    await move.ExecuteNonQueryAsync(cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken); // a 40001 can also come from here: retried too
                return attempt;
            }
            catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected
                                              && attempt < _maxAttempts)
            {
                // This attempt is gone without a trace; try again below.
            }

            // Jittered exponential backoff (a random wait below 10, 20, 40 ... 640 ms), so that the
            // transactions that just collided do not all start again at the same moment.
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 << Math.Min(attempt - 1, 6))), cancellationToken);
        }
    }
}
