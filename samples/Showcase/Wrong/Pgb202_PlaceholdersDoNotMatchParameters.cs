using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB202 — Placeholders do not match parameters.
//
// The bug: the rename got an optimistic check ("only if the owner is still the one the clerk saw"),
// so the SQL gained "AND owner = $3", but the value for $3 was never added: three placeholders, two
// parameters.
//
// What PostgreSQL does at run time: Npgsql sends the statement in a Parse message with types for the
// two values it has; PostgreSQL infers a type for $3 from "owner = $3", so the statement needs three
// values. The Bind message brings two, and PostgreSQL rejects it with 08P01 (protocol_violation)
// "bind message supplies 2 parameters, but prepared statement "" requires 3". Npgsql treats a
// protocol violation as fatal and closes the physical connection. Nothing is renamed, on every call.
// (psql, which sends plain text, would report 42P02 "there is no parameter $3" instead.)
//
// Fixed version: Right/Pgb202_PlaceholdersDoNotMatchParameters.cs
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
        await using var update = new NpgsqlCommand(
            "UPDATE accounts SET owner = $2 WHERE id = $1 AND owner = $3", connection); // BUG (PGB202): nothing is added for $3
        update.Parameters.AddWithValue(accountId);
        update.Parameters.AddWithValue(newOwner);
        return await update.ExecuteNonQueryAsync(cancellationToken) == 1;
    }
}
