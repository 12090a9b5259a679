using System.Threading;
using System.Threading.Tasks;
using ExternalServices;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB101 — Locks held across an unrelated await.
//
// The bug: the order's row is locked with SELECT ... FOR UPDATE, and then, before the commit, the
// method awaits the payment provider's HTTP API.
//
// What PostgreSQL does at run time: the row lock is held until the transaction ends, and the
// transaction cannot end before the provider answers. While the code waits, the session is
// "idle in transaction" (pg_stat_activity.state) and every other session that wants to update,
// delete or lock that order (the charging job, a customer cancelling) waits as well: its statement
// sits in pg_stat_activity with wait_event_type 'Lock', its request in pg_locks with granted =
// false. Its wait lasts as long as the provider's answer: 100 ms on a good day, the HTTP client's
// timeout on a bad one. Meanwhile each waiting request holds a pooled connection of its own, so one
// slow provider can exhaust the pool. tests/PgBorrow.IntegrationTests/LockProofTests.cs measures it:
// with a provider that answers after 1.5 s, another session's SELECT ... FOR UPDATE of the order
// waits 1.5 s.
//
// Fixed version: Right/Pgb101_LocksHeldAcrossAwait.cs
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
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        string? status;
        await using (var select = new NpgsqlCommand("SELECT status FROM orders WHERE id = $1 FOR UPDATE", connection, transaction))
        {
            select.Parameters.AddWithValue(orderId);
            status = (string?)await select.ExecuteScalarAsync(cancellationToken);
        }
        if (status is null)
            return false;

        // BUG (PGB101): the FOR UPDATE lock on the order is held while this HTTP call runs
        var providerStatus = await _payments.GetPaymentStatusAsync(orderId, cancellationToken);
        if (providerStatus == status)
            return false;

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
