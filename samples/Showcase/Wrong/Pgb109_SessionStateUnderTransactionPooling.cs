using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB109 — Session state under transaction pooling.
//
// The bug: the service reaches PostgreSQL through PgBouncer in transaction mode (the Showcase's .editorconfig
// declares it for this file: pgborrow.connection_pooling = transaction). To work on a tenant's orders it points
// the session's search_path at the tenant's schema with a plain SET, then updates them.
//
// What happens at run time: PgBouncer lends a server connection per transaction. The SET runs in one
// (autocommit) transaction, the update in the next, which may get another server connection where search_path
// is still the default or another tenant's. And the connection that got the SET keeps it: the next client
// PgBouncer hands it to works on this tenant's orders.
//
// Fixed version: Right/Pgb109_SessionStateUnderTransactionPooling.cs
public sealed class TenantOrders
{
    public async Task<int> MarkPendingSeenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("SET search_path = public", cancellationToken); // BUG (PGB109)
        return await connection.ExecuteAsync("UPDATE orders SET status = 'seen' WHERE status = 'pending'", cancellationToken);
    }
}
