using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB010 — Owned field never released.
//
// The bug: the audit log opens a connection of its own and keeps it in a field, and nothing ever disposes it:
// the type is not disposable, so its users cannot release it either.
//
// What PostgreSQL does at run time: every AuditLog made keeps a backend process and a pool slot until the
// garbage collector finalizes the connection; a service that makes one per request runs the pool dry.
//
// Fixed version: Right/Pgb010_OwnedFieldNeverReleased.cs
public sealed class AuditLog
{
    readonly NpgsqlConnection _connection; // BUG (PGB010): created here, never disposed

    public AuditLog(NpgsqlDataSource dataSource) => _connection = dataSource.CreateConnection();

    /// <summary>How many orders the account has.</summary>
    public async Task<long> CountOrdersAsync(int accountId, CancellationToken cancellationToken)
    {
        if (_connection.State != System.Data.ConnectionState.Open)
            await _connection.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM orders WHERE account_id = $1", _connection);
        count.Parameters.AddWithValue(accountId);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }
}
