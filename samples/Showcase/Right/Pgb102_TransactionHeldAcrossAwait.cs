using System.Data;
using System.Threading;
using System.Threading.Tasks;
using ExternalServices;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB102, fixed: both totals are still read from one REPEATABLE READ snapshot, but the transaction
// holds only the two SELECTs and ends at once. The rate service is called after the commit, when
// the session is back to "idle" and its snapshot no longer holds back VACUUM. (Calling it before
// BeginTransaction works as well.)
//
// The bug: Wrong/Pgb102_TransactionHeldAcrossAwait.cs
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
        long totalBalances;
        long pendingOrders;
        await using (var connection = await _dataSource.OpenConnectionAsync(cancellationToken))
        await using (var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken))
        {
            await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, transaction))
                await readOnly.ExecuteNonQueryAsync(cancellationToken);

            await using (var balances = new NpgsqlCommand("SELECT coalesce(sum(balance), 0) FROM accounts", connection, transaction))
                totalBalances = (long)(await balances.ExecuteScalarAsync(cancellationToken))!;

            await using (var orders = new NpgsqlCommand("SELECT coalesce(sum(amount), 0) FROM orders WHERE status = 'pending'", connection, transaction))
                pendingOrders = (long)(await orders.ExecuteScalarAsync(cancellationToken))!;

            await transaction.CommitAsync(cancellationToken);
        } // the connection goes back to the pool before the HTTP call, too

        var rate = await _rates.GetRateAsync(currency, cancellationToken);
        return new BalanceReport(currency, rate, totalBalances * rate, pendingOrders * rate);
    }
}
