using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ExternalServices;
using Npgsql;
using PgBorrow.Samples.Showcase.Rows;

namespace PgBorrow.Samples.Showcase.Right;

// PGB110, fixed: the pending orders are read into a list first (QueryAsync buffers them), so the
// statement, its snapshot and the connection are released before the first call to the provider.
// For more rows than fit in memory, read a page at a time (keyset pagination:
// WHERE id > {last} ORDER BY id LIMIT n) and call the provider between pages.
//
// The bug: Wrong/Pgb110_ReaderHeldAcrossAwait.cs
public sealed class PendingPaymentAudit
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IPaymentProvider _payments;

    public PendingPaymentAudit(NpgsqlDataSource dataSource, IPaymentProvider payments)
    {
        _dataSource = dataSource;
        _payments = payments;
    }

    /// <summary>The pending orders the provider reports as paid.</summary>
    public async Task<List<int>> FindPaidAsync(CancellationToken cancellationToken)
    {
        var pending = await _dataSource.QueryAsync<OrderRow>($"SELECT id, account_id, amount, status FROM orders WHERE status = 'pending' ORDER BY id", cancellationToken);
        var paid = new List<int>();
        foreach (var order in pending)
        {
            if (await _payments.GetPaymentStatusAsync(order.Id, cancellationToken) == "paid")
                paid.Add(order.Id);
        }
        return paid;
    }
}
