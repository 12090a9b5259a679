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
public static partial class AccountQueries
{
    /// <summary>The accounts holding at least <paramref name="minimum"/>, by id.</summary>
    [PgQuery("SELECT id, owner, balance FROM accounts WHERE balance >= @minimum ORDER BY id")]
    public static partial Task<List<AccountRow>> AccountsHoldingAtLeastAsync(this NpgsqlDataSource dataSource, int minimum, CancellationToken cancellationToken);
}
