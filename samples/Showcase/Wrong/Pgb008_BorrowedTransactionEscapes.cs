using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB008 — Borrowed transaction handle escapes its scope.
//
// The bug: shipping an order also writes an audit row, and someone "made it faster" by moving the
// audit insert to the thread pool with a fire-and-forget Task.Run. The lambda captures the PgTx the
// scope lent to the body.
//
// What happens at run time: the body returns as soon as it has started the task, so the scope sends
// COMMIT and ends the loan while the audit insert is still on its way. Depending on timing, the insert
// either throws ObjectDisposedException ("This PgTx ... is no longer usable"), nobody observes it and
// the audit row is silently missing; or it races the COMMIT on the same connection, which runs one
// command at a time. If the scope retries after a serialization failure, the task from the failed
// attempt still holds the old PgTx. The shipment and its audit row were meant to be one transaction;
// they are not.
//
// Fixed version: Right/Pgb008_BorrowedTransactionEscapes.cs
public sealed class OrderShippingService
{
    private readonly NpgsqlDataSource _dataSource;

    public OrderShippingService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Marks the order shipped and records it in the audit table.</summary>
    public Task ShipAsync(int orderId, string reference, CancellationToken cancellationToken)
        => _dataSource.InTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync($"UPDATE orders SET status = 'shipped' WHERE id = {orderId}", ct);

            // BUG (PGB008): the task uses tx after the body has returned and the scope has committed
            _ = Task.Run(() => tx.ExecuteAsync(
                $"INSERT INTO payment_audit (order_id, reference, order_status) VALUES ({orderId}, {reference}, 'shipped')", ct), ct);
        }, cancellationToken);
}
