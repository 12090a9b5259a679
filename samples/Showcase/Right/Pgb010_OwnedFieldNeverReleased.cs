using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB010, fixed: the audit log owns the connection it creates, so it is disposable and releases it; its users
// declare it with 'await using'. (Taking connections from the data source per call is simpler still.)
//
// The bug: Wrong/Pgb010_OwnedFieldNeverReleased.cs
public sealed class AuditLog : IAsyncDisposable
{
    readonly NpgsqlConnection _connection;

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

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
