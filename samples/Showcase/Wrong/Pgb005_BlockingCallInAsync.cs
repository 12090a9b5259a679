using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB005 — Blocking Npgsql call in async code.
//
// The bug: an async method runs its UPDATE with the synchronous ExecuteNonQuery.
//
// What PostgreSQL does at run time: exactly the same UPDATE; the difference is all on the client.
// The calling thread-pool thread is blocked for the whole network round trip, and for as long as the
// UPDATE waits for a row lock held by another transaction (which can be seconds). Under load the
// thread pool runs out of threads and the whole service stalls, and the CancellationToken the caller
// passed in is ignored while the thread waits.
//
// Fixed version: Right/Pgb005_BlockingCallInAsync.cs
public sealed class DepositService
{
    private readonly NpgsqlDataSource _dataSource;

    public DepositService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Adds <paramref name="amount"/> to the account's balance.</summary>
    public async Task DepositAsync(int accountId, int amount, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var update = new NpgsqlCommand("UPDATE accounts SET balance = balance + $2 WHERE id = $1", connection);
        update.Parameters.AddWithValue(accountId);
        update.Parameters.AddWithValue(amount);
        update.ExecuteNonQuery(); // BUG (PGB005): blocks a thread-pool thread; use ExecuteNonQueryAsync
    }
}
