using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB006, fixed: the connection is declared with 'await using', so it goes back to the pool when the
// method returns, on every path. The pooled backend process is reused by the next call, and a pool
// of even two connections serves any number of sequential calls.
//
// The bug: Wrong/Pgb006_ConnectionNotDisposed.cs
public sealed class BalanceQueries
{
    private readonly NpgsqlDataSource _dataSource;

    public BalanceQueries(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Returns the account's balance.</summary>
    public async Task<int> GetBalanceAsync(int accountId, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = $1", connection);
        select.Parameters.AddWithValue(accountId);
        return (int)(await select.ExecuteScalarAsync(cancellationToken))!;
    }
}
