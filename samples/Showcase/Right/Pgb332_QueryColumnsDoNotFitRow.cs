using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB332, fixed: the member is as nullable as the column (string?), so an entry without a status
// reads as null and the caller decides what to show for it. The other way out, when NULL really
// cannot happen, is to make the column NOT NULL and run 'pgborrow prepare' again.
//
// The bug: Wrong/Pgb332_QueryColumnsDoNotFitRow.cs
[PgRow]
public sealed partial record PaymentAuditEntry(int Id, string Reference, string? OrderStatus);

public static partial class PaymentAuditQueries
{
    /// <summary>The audit entries of one order, oldest first.</summary>
    [PgQuery("SELECT id, reference, order_status FROM payment_audit WHERE order_id = @orderId ORDER BY id")]
    public static partial Task<List<PaymentAuditEntry>> AuditOfOrderAsync(this NpgsqlDataSource dataSource, int orderId, CancellationToken cancellationToken);
}
