using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB201 — SQL built from non-constant text.
//
// The bug: the owner name typed into the support tool's search box is pasted into the SELECT,
// between quotes, instead of being sent as a parameter.
//
// What PostgreSQL does at run time: it parses the text it receives, and the name is now part of that
// text. "Conor O'Brien" ends the string constant after "O", and the statement fails with 42601
// (syntax error at or near "Brien"): a real customer cannot be found. "x' OR '1'='1" closes the
// string and adds a condition that is always true; the statement is valid, and it returns every
// account in the table to someone who knew no owner name at all. Npgsql also splits command text on
// semicolons and runs every statement, so "x'; UPDATE accounts SET balance = 0; --" runs an UPDATE.
//
// Fixed version: Right/Pgb201_SqlBuiltFromNonConstantText.cs
public sealed class AccountSearch
{
    private readonly NpgsqlDataSource _dataSource;

    public AccountSearch(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>The ids of the accounts whose owner has exactly this name, in id order.</summary>
    public async Task<List<int>> FindAccountsByOwnerAsync(string owner, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var select = new NpgsqlCommand(
            $"SELECT id FROM accounts WHERE owner = '{owner}' ORDER BY id", connection); // BUG (PGB201): the name becomes SQL

        var ids = new List<int>();
        await using var reader = await select.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(reader.GetInt32(0));
        return ids;
    }
}
