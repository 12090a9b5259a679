using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB008, fixed: the audit insert is awaited inside the body, so it runs in the same transaction as
// the status change, before the scope commits. Both rows commit together or not at all, and a retry
// re-runs both with the new attempt's PgTx. The PgTx never leaves the body: what the caller needs
// (here, how many attempts it took) is returned as a value.
//
// The bug: Wrong/Pgb008_BorrowedTransactionEscapes.cs
public sealed class OrderShippingService
{
    private readonly NpgsqlDataSource _dataSource;

    public OrderShippingService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Marks the order shipped and records it in the audit table; returns the attempt that committed.</summary>
    public Task<int> ShipAsync(int orderId, string reference, CancellationToken cancellationToken)
        => _dataSource.InTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync($"UPDATE orders SET status = 'shipped' WHERE id = {orderId}", ct);
            await AuditAsync(tx, orderId, reference, ct); // a borrow: done before the body returns
            return tx.Attempt;
        }, cancellationToken);

    private static Task<int> AuditAsync(PgTx tx, int orderId, string reference, CancellationToken cancellationToken)
        => tx.ExecuteAsync(
            $"INSERT INTO payment_audit (order_id, reference, order_status) VALUES ({orderId}, {reference}, 'shipped')", cancellationToken);
}
