using System.Data;
using System.Threading;
using System.Threading.Tasks;
using ExternalServices;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB102 — Transaction held open across an unrelated await (info; samples/Showcase/.editorconfig
// raises it to a warning so that the build shows it).
//
// The bug: a read-only REPEATABLE READ report reads the total of the balances, then awaits the
// currency-rate service, then reads the total of the pending orders, all in one transaction.
//
// What PostgreSQL does at run time: REPEATABLE READ gives both reads one snapshot, which is the
// point: the two totals are consistent. But the snapshot is held while the rate service answers,
// and during that time the session is "idle in transaction" with a backend_xmin
// (pg_stat_activity). No row lock is held, so no writer waits; the cost is elsewhere. VACUUM, in
// every table of the database, cannot remove row versions that died after that snapshot was taken,
// so busy tables and their indexes bloat for as long as the report waits. The table-level ACCESS
// SHARE locks of the two SELECTs stay held too, so a migration's ALTER TABLE on accounts or orders
// waits, and every query queued behind it. With idle_in_transaction_session_timeout set, the server
// ends the session instead, and the second SELECT fails.
//
// Fixed version: Right/Pgb102_TransactionHeldAcrossAwait.cs
public sealed class BalanceReportService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IExchangeRates _rates;

    public BalanceReportService(NpgsqlDataSource dataSource, IExchangeRates rates)
    {
        _dataSource = dataSource;
        _rates = rates;
    }

    /// <summary>Total balances and total pending orders, from one snapshot, in <paramref name="currency"/>.</summary>
    public async Task<BalanceReport> GetReportAsync(string currency, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
            await readOnly.ExecuteNonQueryAsync(cancellationToken);

        long totalBalances;
        await using (var balances = new NpgsqlCommand("SELECT coalesce(sum(balance), 0) FROM accounts", connection, transaction))
            totalBalances = (long)(await balances.ExecuteScalarAsync(cancellationToken))!;

        // BUG (PGB102): the transaction, and its snapshot, stay open while this HTTP call runs
        var rate = await _rates.GetRateAsync(currency, cancellationToken);

        long pendingOrders;
        await using (var orders = new NpgsqlCommand("SELECT coalesce(sum(amount), 0) FROM orders WHERE status = 'pending'", connection, transaction))
            pendingOrders = (long)(await orders.ExecuteScalarAsync(cancellationToken))!;

        await transaction.CommitAsync(cancellationToken);
        return new BalanceReport(currency, rate, totalBalances * rate, pendingOrders * rate);
    }
}
