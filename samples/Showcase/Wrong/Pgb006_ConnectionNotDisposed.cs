using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB006 — Connection not disposed.
//
// The bug: the connection opened for the query is never disposed, so it never goes back to the pool.
//
// What PostgreSQL does at run time: every call holds on to one more physical connection, that is one
// more backend process on the server, sitting "idle" in pg_stat_activity and counting against
// max_connections. Once the pool has handed out Max Pool Size connections (100 by default), the
// next Open waits for the pool's Timeout (15 s by default) and fails with NpgsqlException
// "The connection pool has been exhausted, either raise 'Max Pool Size' ... or 'Timeout' ...".
//
// Fixed version: Right/Pgb006_ConnectionNotDisposed.cs
public sealed class BalanceQueries
{
    private readonly NpgsqlDataSource _dataSource;

    public BalanceQueries(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Returns the account's balance.</summary>
    public int GetBalance(int accountId)
    {
        var connection = _dataSource.OpenConnection(); // BUG (PGB006): never disposed, never returned to the pool
        using var select = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = $1", connection);
        select.Parameters.AddWithValue(accountId);
        return (int)select.ExecuteScalar()!;
    }
}
