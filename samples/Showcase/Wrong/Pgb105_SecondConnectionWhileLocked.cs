using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB105 — Second connection used while a transaction holds locks.
//
// The bug: the payment provider confirmed a payment, so the order is marked paid in a transaction,
// and an audit row is written to record it. But the audit row goes through
// NpgsqlDataSource.CreateCommand, which runs on a connection of its own from the pool: a second
// PostgreSQL session, outside the transaction, while the transaction still holds the order's row lock.
//
// What PostgreSQL does at run time:
// - The second session reads with its own snapshot, which cannot see the transaction's uncommitted
//   UPDATE: the audit row records the order as still 'pending'.
// - The audit row is committed on its own at once. Had the transaction rolled back afterwards, the
//   audit row would stay, recording a confirmation that never happened.
// - Had the second statement needed the locked row (an UPDATE of the same order, a SELECT ... FOR
//   UPDATE of it), it would wait for the transaction, while the transaction waits for this method,
//   which waits for the second statement. PostgreSQL's deadlock detector cannot see that cycle, since
//   one side waits in the client, so nothing breaks it but lock_timeout, statement_timeout or the
//   command timeout. The integration tests show that wait ending in 55P03 under lock_timeout.
//
// Fixed version: Right/Pgb105_SecondConnectionWhileLocked.cs
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
        await using (var audit = _dataSource.CreateCommand("""
            INSERT INTO payment_audit (order_id, reference, order_status)
            SELECT id, $2, status FROM orders WHERE id = $1
            RETURNING order_status
            """))
        {
            audit.Parameters.AddWithValue(orderId);
            audit.Parameters.AddWithValue(reference);
            recorded = (string?)await audit.ExecuteScalarAsync(cancellationToken); // BUG (PGB105): another session, outside the transaction
        }

        await transaction.CommitAsync(cancellationToken);
        return recorded;
    }
}
