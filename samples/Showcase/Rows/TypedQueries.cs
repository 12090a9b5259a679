using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Rows;

// A typed query, beside the typed rows it reads (Right/ and Wrong/ hold one file per analyzer rule).
// The [PgQuery] generator writes the body at build time: '@minimum' becomes '$1', sent as an
// NpgsqlParameter<int>, and the rows are read by the [PgRow] reader. A misspelt placeholder, an unused
// parameter or a return type it cannot read into is a build error or warning (PGB311-PGB316), not a
// surprise at run time. The generated file is in obj/<configuration>/net10.0/generated/PgBorrow.Generators/.
//
// The build also checks each statement against the schema without a database: .pgborrow/ holds what
// 'pgborrow prepare' learned from the tables in ShowcaseDatabase.cs (the result columns, their types and
// whether they can be NULL), and a column that no longer fits a member is a warning (PGB332). After a
// change to a query or to the schema, run it again and commit the folder:
//   pgborrow prepare --connection "<a database with the Showcase tables>" samples/Showcase
public static partial class AccountQueries
{
    /// <summary>The accounts holding at least <paramref name="minimum"/>, by id.</summary>
    [PgQuery("SELECT id, owner, balance FROM accounts WHERE balance >= @minimum ORDER BY id")]
    public static partial Task<List<AccountRow>> AccountsHoldingAtLeastAsync(this NpgsqlDataSource dataSource, int minimum, CancellationToken cancellationToken);

    /// <summary>The orders in one status with their account's owner, by order id.</summary>
    [PgQuery("""
        SELECT o.id, a.owner, o.amount, o.status
        FROM orders o JOIN accounts a ON a.id = o.account_id
        WHERE o.status = @status
        ORDER BY o.id
        """)]
    public static partial Task<List<OrderWithOwner>> OrdersInStatusAsync(this NpgsqlDataSource dataSource, string status, CancellationToken cancellationToken);

    /// <summary>The owner of one account (exactly one row, or the call throws).</summary>
    [PgQuery("SELECT owner FROM accounts WHERE id = @accountId")]
    public static partial Task<string> OwnerOfAsync(this NpgsqlDataSource dataSource, int accountId, CancellationToken cancellationToken);
}

/// <summary>An order beside the owner of its account, read through a join.</summary>
[PgRow]
public sealed partial record OrderWithOwner(int Id, string Owner, int Amount, string Status);
