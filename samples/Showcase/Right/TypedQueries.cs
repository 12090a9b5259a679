using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Samples.Showcase.Rows;

namespace PgBorrow.Samples.Showcase.Right;

// A typed query: the [PgQuery] generator writes the body at build time. '@minimum' becomes '$1', sent as
// an NpgsqlParameter<int>; the rows are read by the [PgRow] reader; a misspelt placeholder, an unused
// parameter or a return type it cannot read into is a build error or warning (PGB311-PGB316), not a
// surprise at run time. The generated file is obj/<configuration>/net10.0/generated/PgBorrow.Generators/.
public static partial class AccountQueries
{
    /// <summary>The accounts holding at least <paramref name="minimum"/>, by id.</summary>
    [PgQuery("SELECT id, owner, balance FROM accounts WHERE balance >= @minimum ORDER BY id")]
    public static partial Task<List<AccountRow>> AccountsHoldingAtLeastAsync(this NpgsqlDataSource dataSource, int minimum, CancellationToken cancellationToken);
}
