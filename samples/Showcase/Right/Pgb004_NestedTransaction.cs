using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB004, fixed: one transaction for the batch, and a savepoint per line. A line that PostgreSQL
// rejects (here: an unknown account, a foreign-key violation, SQLSTATE 23503) puts the transaction
// in the aborted state; ROLLBACK TO SAVEPOINT undoes just that line and makes the transaction usable
// again, and RELEASE SAVEPOINT keeps a good line. The batch commits once, at the end.
//
// The bug: Wrong/Pgb004_NestedTransaction.cs
public sealed class OrderImportService
{
    private const string LineSavepoint = "order_line";

    private readonly NpgsqlDataSource _dataSource;

    public OrderImportService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Imports the lines as pending orders, skipping lines PostgreSQL rejects; returns how many were imported.</summary>
    public async Task<int> ImportOrdersAsync(IReadOnlyList<OrderLine> lines, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var batch = await connection.BeginTransactionAsync(cancellationToken);

        var imported = 0;
        foreach (var line in lines)
        {
            await batch.SaveAsync(LineSavepoint, cancellationToken);
            try
            {
                await using var insert = new NpgsqlCommand("INSERT INTO orders (account_id, amount) VALUES ($1, $2)", connection, batch);
                insert.Parameters.AddWithValue(line.AccountId);
                insert.Parameters.AddWithValue(line.Amount);
                await insert.ExecuteNonQueryAsync(cancellationToken);
                await batch.ReleaseAsync(LineSavepoint, cancellationToken);
                imported++;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ForeignKeyViolation)
            {
                await batch.RollbackAsync(LineSavepoint, cancellationToken); // skip the bad line, keep the rest
            }
        }

        await batch.CommitAsync(cancellationToken);
        return imported;
    }
}
