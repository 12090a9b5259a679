using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB105, fixed: the audit row is written on the transaction's own connection and in the
// transaction. It sees the transaction's own UPDATE (it records 'paid'), it commits or rolls back
// together with the payment, and it can never wait for a lock its own transaction holds.
//
// The bug: Wrong/Pgb105_SecondConnectionWhileLocked.cs
public sealed class PaymentConfirmationService
{
    private readonly NpgsqlDataSource _dataSource;

    public PaymentConfirmationService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// Marks the order paid and writes an audit row for the provider's <paramref name="reference"/>.
    /// Returns the order status the audit row recorded, or null when there is no such order.
    /// </summary>
    public async Task<string?> ConfirmAsync(int orderId, string reference, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        await using (var markPaid = new NpgsqlCommand("UPDATE orders SET status = 'paid' WHERE id = $1", connection, transaction))
        {
            markPaid.Parameters.AddWithValue(orderId);
            if (await markPaid.ExecuteNonQueryAsync(cancellationToken) == 0)
                return null; // no such order: 'await using' rolls back
        }

        string? recorded;
        await using (var audit = new NpgsqlCommand("""
            INSERT INTO payment_audit (order_id, reference, order_status)
            SELECT id, $2, status FROM orders WHERE id = $1
            RETURNING order_status
            """, connection, transaction))
        {
            audit.Parameters.AddWithValue(orderId);
            audit.Parameters.AddWithValue(reference);
            recorded = (string?)await audit.ExecuteScalarAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return recorded;
    }
}
