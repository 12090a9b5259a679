using System.Collections.Generic;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB004 — Nested transaction on one connection.
//
// The bug: to keep one bad line from sinking the whole import, each line gets its own "inner"
// transaction, begun while the batch transaction on the same connection is still open.
//
// What PostgreSQL does at run time: a session has exactly one transaction; there is no nesting.
// Npgsql knows this and throws InvalidOperationException "A transaction is already in progress;
// nested/concurrent transactions aren't supported." on the first line, so the import fails and the
// batch is rolled back: nothing is imported. (Sent as raw SQL, the inner BEGIN would only get the
// warning "there is already a transaction in progress", and the inner COMMIT would commit the whole
// batch so far.) What was meant is a savepoint: SAVEPOINT / ROLLBACK TO SAVEPOINT / RELEASE.
//
// Fixed version: Right/Pgb004_NestedTransaction.cs
public sealed class OrderImportService
{
    private readonly NpgsqlDataSource _dataSource;

    public OrderImportService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Imports the lines as pending orders, skipping lines PostgreSQL rejects; returns how many were imported.</summary>
    public int ImportOrders(IReadOnlyList<OrderLine> lines)
    {
        using var connection = _dataSource.OpenConnection();
        using var batch = connection.BeginTransaction();

        var imported = 0;
        foreach (var line in lines)
        {
            using var lineTransaction = connection.BeginTransaction(); // BUG (PGB004): 'batch' is still open on this connection
            try
            {
                using var insert = new NpgsqlCommand("INSERT INTO orders (account_id, amount) VALUES ($1, $2)", connection, lineTransaction);
                insert.Parameters.AddWithValue(line.AccountId);
                insert.Parameters.AddWithValue(line.Amount);
                insert.ExecuteNonQuery();
                lineTransaction.Commit();
                imported++;
            }
            catch (PostgresException)
            {
                lineTransaction.Rollback(); // skip the bad line, keep the rest
            }
        }

        batch.Commit();
        return imported;
    }
}
