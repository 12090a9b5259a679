using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB108 — Side effect inside a retried transaction body.
//
// The bug: confirming an order marks it paid and tells the warehouse to pick it, over HTTP, from inside
// the transaction body: "it is all one unit of work".
//
// What happens at run time: InTransactionAsync runs SERIALIZABLE by default. When two confirmations touch
// the same account at the same time, PostgreSQL aborts one of them with 40001 (serialization_failure)
// and the scope rolls it back and runs the whole body again. ROLLBACK undoes the UPDATE; it cannot undo
// the HTTP request. The warehouse gets one pick request per attempt, and if every attempt fails it has
// picked an order that was never confirmed.
//
// Fixed version: Right/Pgb108_SideEffectInRetriedBody.cs
public sealed class OrderConfirmationService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly HttpClient _warehouse;

    public OrderConfirmationService(NpgsqlDataSource dataSource, HttpClient warehouse)
    {
        _dataSource = dataSource;
        _warehouse = warehouse;
    }

    /// <summary>Marks the order paid and asks the warehouse to pick it.</summary>
    public Task ConfirmAsync(int orderId, CancellationToken cancellationToken)
        => _dataSource.InTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync($"UPDATE orders SET status = 'paid' WHERE id = {orderId} AND status = 'pending'", ct);

            // BUG (PGB108): a retry after 40001/40P01 sends this request again
            // (and PGB101: the order row the UPDATE locked stays locked while the warehouse answers)
            using var response = await _warehouse.PostAsync($"picks/{orderId}", content: null, ct);
            response.EnsureSuccessStatusCode();
        }, cancellationToken);
}
