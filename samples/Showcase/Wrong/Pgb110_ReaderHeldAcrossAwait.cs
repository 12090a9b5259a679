using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ExternalServices;
using Npgsql;
using PgBorrow.Samples.Showcase.Rows;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB110 — Open reader held across an unrelated await.
//
// The bug: a reconciliation job streams the pending orders and asks the payment provider about each
// one while the query is still being read. There is no transaction, and it still holds on: the
// statement keeps its snapshot until its last row is read, so VACUUM cannot remove any row version
// that died after the query started, in any table, for as long as the provider takes for all the
// orders; and the connection is out of the pool for the whole loop.
//
// What PostgreSQL does at run time: once the network buffers are full the backend waits for the
// client to read (pg_stat_activity: state 'active', wait_event 'ClientWrite'), with its backend_xmin
// set.
//
// Fixed version: Right/Pgb110_ReaderHeldAcrossAwait.cs
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
        var paid = new List<int>();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await foreach (var order in connection.QueryStreamAsync<OrderRow>($"SELECT id, account_id, amount, status FROM orders WHERE status = 'pending' ORDER BY id", cancellationToken))
        {
            // BUG (PGB110): the query, its snapshot and the connection wait for every call.
            if (await _payments.GetPaymentStatusAsync(order.Id, cancellationToken) == "paid")
                paid.Add(order.Id);
        }
        return paid;
    }
}
