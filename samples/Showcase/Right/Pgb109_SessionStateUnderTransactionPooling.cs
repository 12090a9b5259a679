using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB109, fixed: the setting and the update run in one transaction, and SET LOCAL ends with it. PgBouncer keeps
// the server connection for the whole transaction, and gives it back with search_path as it found it.
//
// The bug: Wrong/Pgb109_SessionStateUnderTransactionPooling.cs
public sealed class TenantOrders
{
    public Task<int> MarkPendingSeenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
        => dataSource.InTransactionAsync(async (tx, token) =>
        {
            await tx.ExecuteAsync("SET LOCAL search_path = public", token);
            return await tx.ExecuteAsync("UPDATE orders SET status = 'seen' WHERE status = 'pending'", token);
        }, cancellationToken);
}
