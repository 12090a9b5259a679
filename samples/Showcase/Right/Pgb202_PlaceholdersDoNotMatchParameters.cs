using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB202, fixed: one parameter per placeholder, added in placeholder order ($1 the id, $2 the new
// owner, $3 the owner the caller expects). The names are values, so quotes in them need no escaping.
// If someone renamed the account in the meantime, "owner = $3" matches no row and the method says so.
//
// The bug: Wrong/Pgb202_PlaceholdersDoNotMatchParameters.cs
public sealed class AccountOwnerService
{
    private readonly NpgsqlDataSource _dataSource;

    public AccountOwnerService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// Renames the owner of the account, unless someone renamed it since the caller read
    /// <paramref name="expectedOwner"/>. Returns true if the account was renamed.
    /// </summary>
    public async Task<bool> RenameOwnerAsync(int accountId, string expectedOwner, string newOwner, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var update = new NpgsqlCommand("UPDATE accounts SET owner = $2 WHERE id = $1 AND owner = $3", connection);
        update.Parameters.AddWithValue(accountId);
        update.Parameters.AddWithValue(newOwner);
        update.Parameters.AddWithValue(expectedOwner);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
