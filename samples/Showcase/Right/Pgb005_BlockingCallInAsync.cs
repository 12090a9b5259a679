using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB005, fixed: every call that waits for PostgreSQL is the async overload, awaited, with the
// caller's CancellationToken. While the UPDATE travels to the server (or waits for a row lock), no
// thread is blocked; cancelling the token makes Npgsql ask the server to cancel the statement.
//
// The bug: Wrong/Pgb005_BlockingCallInAsync.cs
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
        await update.ExecuteNonQueryAsync(cancellationToken);
    }
}
