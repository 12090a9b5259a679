using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB104 — Connection used concurrently.
//
// The bug: to make the dashboard "faster", the three queries are started one after another without
// waiting, and awaited together with Task.WhenAll; but all three commands run on the one connection
// the method opened.
//
// What PostgreSQL does at run time: a connection is one backend process speaking one protocol
// stream, and it runs one query at a time. Npgsql sends the first SELECT and, while its answer is
// still on the way, the second ExecuteScalarAsync finds the connection busy and fails with
// NpgsqlOperationInProgressException "A command is already in progress: SELECT count(*) FROM
// accounts" (the third one too). Task.WhenAll waits for the first query, then rethrows, so the
// dashboard shows nothing at all. Worse, it is a race: on an idle server the first answer can come
// back before the second call starts, so the code passes its tests and fails in production as soon
// as the first query has to wait (load, a lock, a slow plan). And Npgsql connections are not
// thread-safe: used from several threads, the same mistake can corrupt the connection's state
// instead of failing cleanly.
//
// Fixed version: Right/Pgb104_ConnectionUsedConcurrently.cs
public sealed class AccountDashboard
{
    private readonly NpgsqlDataSource _dataSource;

    public AccountDashboard(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>How many accounts and orders there are, and the sum of all balances.</summary>
    public async Task<(long Accounts, long Orders, long TotalBalance)> LoadAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var accounts = new NpgsqlCommand("SELECT count(*) FROM accounts", connection);
        await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", connection);
        await using var total = new NpgsqlCommand("SELECT coalesce(sum(balance), 0) FROM accounts", connection);

        // Start all three, then wait for all three.
        var accountCount = accounts.ExecuteScalarAsync(cancellationToken);
        var orderCount = orders.ExecuteScalarAsync(cancellationToken); // BUG (PGB104): the first one is still running on this connection
        var totalBalance = total.ExecuteScalarAsync(cancellationToken);
        await Task.WhenAll(accountCount, orderCount, totalBalance);

        return ((long)(await accountCount)!, (long)(await orderCount)!, (long)(await totalBalance)!);
    }
}
