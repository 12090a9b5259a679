using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB007 — Data reader left open.
//
// The bug: while the reader still streams the pending orders, the loop runs an UPDATE on the same
// connection.
//
// What PostgreSQL does at run time: the wire protocol runs one query at a time per connection, and
// the SELECT is not finished until its reader is consumed and disposed. Npgsql therefore refuses the
// UPDATE with NpgsqlOperationInProgressException "A command is already in progress: SELECT ...".
// The exception leaves the loop, the transaction is rolled back by its using declaration, and no
// order is charged.
//
// Fixed version: Right/Pgb007_DataReaderLeftOpen.cs
public sealed class OrderChargingService
{
    private const string ChargeSql = """
        WITH charged AS (
            UPDATE orders SET status = 'charged' WHERE id = $1 AND status = 'pending'
            RETURNING account_id, amount)
        UPDATE accounts SET balance = accounts.balance - charged.amount
        FROM charged WHERE accounts.id = charged.account_id
        """;

    private readonly NpgsqlDataSource _dataSource;

    public OrderChargingService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Charges every pending order of the account to its balance; returns how many were charged.</summary>
    public int ChargePendingOrders(int accountId)
    {
        using var connection = _dataSource.OpenConnection();
        using var transaction = connection.BeginTransaction();
        using var select = new NpgsqlCommand("SELECT id FROM orders WHERE account_id = $1 AND status = 'pending' ORDER BY id", connection, transaction);
        select.Parameters.AddWithValue(accountId);

        var charged = 0;
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
            {
                using var charge = new NpgsqlCommand(ChargeSql, connection, transaction);
                charge.Parameters.AddWithValue(reader.GetInt32(0));
                charged += charge.ExecuteNonQuery(); // BUG (PGB007): 'reader' is still open on this connection
            }
        }

        transaction.Commit();
        return charged;
    }
}
