using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dapper;
using Npgsql;

// Dapper.AOT intercepts the Dapper calls of this whole module, except in code marked [DapperAot(false)].
[module: DapperAot]

// Not under namespace PgBorrow: there, PgBorrow's QueryAsync<T>(this NpgsqlConnection, PgSql, ...) is in
// scope too and, being more specific than Dapper's QueryAsync<T>(this IDbConnection, string, ...), wins
// overload resolution for a [PgRow] type, so "Dapper" would silently run PgBorrow.
namespace RowsBenchmarks.DapperContenders;

using BenchRow = PgBorrow.Benchmarks.Rows.BenchRow;

/// <summary>Plain Dapper: reflection-emitted materializer, cached per (SQL, type, connection string).</summary>
[DapperAot(false)]
public static class DapperReader
{
    static DapperReader() => DefaultTypeMap.MatchNamesWithUnderscores = true;

    public static async Task<List<BenchRow>> QueryAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        // Buffered (the default): Dapper fills a List<T> and returns it as IEnumerable<T>.
        _ = cancellationToken; // same call shape as the Dapper.AOT contender, which intercepts this overload
        var rows = await connection.QueryAsync<BenchRow>(sql);
        return (List<BenchRow>)rows;
    }

    /// <summary>The number of queries in Dapper's reflection cache: plain Dapper adds one per SQL text, an intercepted call none.</summary>
    public static int CachedQueries => SqlMapper.GetCachedSQLCount();
}

/// <summary>Dapper.AOT: the same Dapper call, intercepted at build time by generated code.</summary>
public static class DapperAotReader
{
    public static async Task<List<BenchRow>> QueryAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        _ = cancellationToken;
        var rows = await connection.QueryAsync<BenchRow>(sql);
        return rows as List<BenchRow> ?? rows.ToList();
    }
}

