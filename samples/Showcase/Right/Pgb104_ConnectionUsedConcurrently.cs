using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB104, fixed, in the two ways that work:
//
// - LoadAsync keeps the counts concurrent, but gives each one its own connection: a command from
//   NpgsqlDataSource.CreateCommand takes a connection from the pool when it executes and returns it
//   when it is done. Three queries, three backend processes, running at the same time.
// - LoadOnConnectionAsync uses the caller's one connection, and awaits each command before starting
//   the next. Nothing overlaps, so the connection is never asked to do two things at once.
//
// Note that the concurrent version reads from three different snapshots: if the counts must agree
// with each other, run them one after another in a single REPEATABLE READ transaction instead.
//
// The bug: Wrong/Pgb104_ConnectionUsedConcurrently.cs
public sealed class AccountDashboard
{
    private readonly NpgsqlDataSource _dataSource;

    public AccountDashboard(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>How many accounts and orders there are, and the sum of all balances: one connection per query.</summary>
    public async Task<(long Accounts, long Orders, long TotalBalance)> LoadAsync(CancellationToken cancellationToken)
    {
        await using var accounts = _dataSource.CreateCommand("SELECT count(*) FROM accounts");
        await using var orders = _dataSource.CreateCommand("SELECT count(*) FROM orders");
        await using var total = _dataSource.CreateCommand("SELECT coalesce(sum(balance), 0) FROM accounts");

        var results = await Task.WhenAll(
            accounts.ExecuteScalarAsync(cancellationToken),
            orders.ExecuteScalarAsync(cancellationToken),
            total.ExecuteScalarAsync(cancellationToken));

        return ((long)results[0]!, (long)results[1]!, (long)results[2]!);
    }

    /// <summary>The same figures on the caller's connection: one command at a time.</summary>
    public static async Task<(long Accounts, long Orders, long TotalBalance)> LoadOnConnectionAsync(
        NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var accounts = new NpgsqlCommand("SELECT count(*) FROM accounts", connection);
        await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", connection);
        await using var total = new NpgsqlCommand("SELECT coalesce(sum(balance), 0) FROM accounts", connection);

        var accountCount = (long)(await accounts.ExecuteScalarAsync(cancellationToken))!;
        var orderCount = (long)(await orders.ExecuteScalarAsync(cancellationToken))!;
        var totalBalance = (long)(await total.ExecuteScalarAsync(cancellationToken))!;
        return (accountCount, orderCount, totalBalance);
    }
}
