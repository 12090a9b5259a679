using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB108, fixed: the body only does database work, so running it again after a serialization failure
// is harmless. The body returns whether it changed the order; the pick request goes out once, after the
// scope has committed, and only when the order really became paid. (If the process can die between the
// commit and the request, use an outbox table written in the same transaction instead.)
//
// The bug: Wrong/Pgb108_SideEffectInRetriedBody.cs
public sealed class OrderConfirmationService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly HttpClient _warehouse;

    public OrderConfirmationService(NpgsqlDataSource dataSource, HttpClient warehouse)
    {
        _dataSource = dataSource;
        _warehouse = warehouse;
    }

    /// <summary>Marks the order paid and, once committed, asks the warehouse to pick it. True if the order changed.</summary>
    public async Task<bool> ConfirmAsync(int orderId, CancellationToken cancellationToken)
    {
        var confirmed = await _dataSource.InTransactionAsync(async (tx, ct) =>
        {
            var changed = await tx.ExecuteAsync($"UPDATE orders SET status = 'paid' WHERE id = {orderId} AND status = 'pending'", ct);
            return changed == 1;
        }, cancellationToken);

        if (confirmed)
        {
            using var response = await _warehouse.PostAsync($"picks/{orderId}", content: null, cancellationToken);
            response.EnsureSuccessStatusCode();
        }
        return confirmed;
    }
}
