using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB007, fixed: the pending order ids are read to the end and the reader is disposed (closing the
// SELECT on the wire) before the first UPDATE runs on the same connection. All charges share one
// transaction and commit together at the end.
//
// The bug: Wrong/Pgb007_DataReaderLeftOpen.cs
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
    public async Task<int> ChargePendingOrdersAsync(int accountId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        var pending = new List<int>();
        await using (var select = new NpgsqlCommand("SELECT id FROM orders WHERE account_id = $1 AND status = 'pending' ORDER BY id", connection, transaction))
        {
            select.Parameters.AddWithValue(accountId);
            await using var reader = await select.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
                pending.Add(reader.GetInt32(0));
        } // the reader is disposed here, before the next command

        var charged = 0;
        foreach (var orderId in pending)
        {
            await using var charge = new NpgsqlCommand(ChargeSql, connection, transaction);
            charge.Parameters.AddWithValue(orderId);
            charged += await charge.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return charged;
    }
}
