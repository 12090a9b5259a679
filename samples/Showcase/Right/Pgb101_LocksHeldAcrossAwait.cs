using System.Threading;
using System.Threading.Tasks;
using ExternalServices;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB101, fixed: the payment provider is asked first, before any transaction exists. Only then does
// the method open a short transaction: lock the order, compare, update, commit. The row lock now
// lasts two statements on the server, not a network call to another company, and a slow provider
// slows down this one request instead of every session that needs the order.
//
// The status read inside the transaction is the current one (FOR UPDATE waits for, and then
// reads, the latest committed version of the row), so the comparison is still exact.
//
// The bug: Wrong/Pgb101_LocksHeldAcrossAwait.cs
public sealed class PaymentSyncService
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly IPaymentProvider _payments;

    public PaymentSyncService(NpgsqlDataSource dataSource, IPaymentProvider payments)
    {
        _dataSource = dataSource;
        _payments = payments;
    }

    /// <summary>
    /// Copies the provider's payment status onto the order. Returns true if the order's status
    /// changed, false if it already matched (or the order does not exist).
    /// </summary>
    public async Task<bool> SyncPaymentStatusAsync(int orderId, CancellationToken cancellationToken)
    {
        // The HTTP call first: no transaction is open, no lock is held.
        var providerStatus = await _payments.GetPaymentStatusAsync(orderId, cancellationToken);

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        string? status;
        await using (var select = new NpgsqlCommand("SELECT status FROM orders WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue(orderId);
            status = (string?)await select.ExecuteScalarAsync(cancellationToken);
        }
        if (status is null || status == providerStatus)
            return false; // 'await using' rolls back and releases the lock

        await using (var update = new NpgsqlCommand("UPDATE orders SET status = $2 WHERE id = $1", connection, transaction))
        {
            update.Parameters.AddWithValue(orderId);
            update.Parameters.AddWithValue(providerStatus);
            await update.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
