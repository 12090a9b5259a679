using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB201, fixed: the SQL text is a constant with the placeholder $1, and the owner name travels as a
// parameter. PostgreSQL parses the statement without the name, and receives the name later, in the
// Bind message, as a text value it never parses as SQL: "Conor O'Brien" finds account 2, and
// "x' OR '1'='1" finds nothing, because no owner is called that.
//
// The bug: Wrong/Pgb201_SqlBuiltFromNonConstantText.cs
public sealed class AccountSearch
{
    private readonly NpgsqlDataSource _dataSource;

    public AccountSearch(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The ids of the accounts whose owner has exactly this name, in id order.</summary>
    public async Task<List<int>> FindAccountsByOwnerAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = new NpgsqlCommand("SELECT id FROM accounts WHERE owner = $1 ORDER BY id", connection);
        select.Parameters.AddWithValue(owner);

        var ids = new List<int>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(reader.GetInt32(0));
        return ids;
    }
}
