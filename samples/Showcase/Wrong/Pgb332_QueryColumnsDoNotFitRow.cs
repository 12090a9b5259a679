using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB332 — Query columns do not fit the row.
//
// The bug: the audit row says every entry has an order status (a non-nullable string), but the
// column payment_audit.order_status allows NULL, and the payment service writes entries without one
// (see Pgb003: "INSERT INTO payment_audit (order_id, reference) ..."). The build knows: .pgborrow/
// holds what PostgreSQL said about this statement when 'pgborrow prepare' described it (order_status:
// text, nullable), and the analyzers compare that with the row type, without a database.
//
// What PostgreSQL does at run time: nothing wrong. It returns NULL for the entries without a status.
// The [PgRow] reader reads a non-nullable member without a null check, so Npgsql throws
// InvalidCastException (the column is null) on the first such entry, and the whole audit page fails
// for the one order that needed it.
//
// Fixed version: Right/Pgb332_QueryColumnsDoNotFitRow.cs
[PgRow]
public sealed partial record PaymentAuditEntry(int Id, string Reference, string OrderStatus); // BUG (PGB332): order_status may be NULL

public static partial class PaymentAuditQueries
{
    /// <summary>The audit entries of one order, oldest first.</summary>
    [PgQuery("SELECT id, reference, order_status FROM payment_audit WHERE order_id = @orderId ORDER BY id")]
    public static partial Task<List<PaymentAuditEntry>> AuditOfOrderAsync(this NpgsqlDataSource dataSource, int orderId, CancellationToken cancellationToken);
}
