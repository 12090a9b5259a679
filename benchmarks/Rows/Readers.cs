using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Dapper;
using RowsBenchmarks.DapperContenders;
using Npgsql;
using PgBorrow;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>The contenders, by name (the cold-start mode takes one of these on its command line).</summary>
internal static class Contenders
{
    public const string HandWritten = "hand";
    public const string Dapper = "dapper";
    public const string DapperAot = "dapperaot";
    public const string PgBorrow = "pgborrow";

    public static readonly string[] All = [HandWritten, Dapper, DapperAot, PgBorrow];

    /// <summary>Runs <paramref name="sql"/> with the named contender and returns the rows it read.</summary>
    public static async Task<List<BenchRow>> QueryAsync(string contender, NpgsqlConnection connection, string sql, CancellationToken cancellationToken = default)
        => contender switch
        {
            HandWritten => await HandWrittenReader.QueryAsync(connection, sql, cancellationToken),
            Dapper => await DapperReader.QueryAsync(connection, sql, cancellationToken),
            DapperAot => await DapperAotReader.QueryAsync(connection, sql, cancellationToken),
            PgBorrow => await PgBorrowReader.QueryAsync(connection, sql, cancellationToken),
            _ => throw new System.ArgumentException($"Unknown contender '{contender}'; expected one of: {string.Join(", ", All)}."),
        };
}

/// <summary>The baseline: ordinal ADO.NET, typed getters, IsDBNull only for the nullable column.</summary>
internal static class HandWrittenReader
{
    public static async Task<List<BenchRow>> QueryAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<BenchRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new BenchRow
            {
                Id = reader.GetInt64(0),
                Quantity = reader.GetInt32(1),
                Name = reader.GetString(2),
                Note = reader.IsDBNull(3) ? null : reader.GetString(3),
                Amount = reader.GetDecimal(4),
                CreatedAt = reader.GetDateTime(5),
                IsActive = reader.GetBoolean(6),
                ExternalId = reader.GetGuid(7),
                Score = reader.GetDouble(8),
                DueDate = reader.GetFieldValue<System.DateOnly>(9),
            });
        }

        return rows;
    }
}

/// <summary>PgBorrow: the [PgRow] generator's reader, through the query API.</summary>
/// <remarks>
/// [DapperAot(false)]: with [module: DapperAot], Dapper.AOT 1.1.0 also claims these calls (evidently
/// by the method's name and receiver, although they are not Dapper's) and emits interceptors whose
/// signatures do not match, which fails the build with CS9144.
/// </remarks>
[DapperAot(false)]
internal static class PgBorrowReader
{
    public static Task<List<BenchRow>> QueryAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
        => connection.QueryAsync<BenchRow>(sql, cancellationToken);

    /// <summary>The streaming form: rows are read as they are enumerated (no list).</summary>
    public static async Task<long> StreamSumAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        long sum = 0;
        await foreach (var row in connection.QueryStreamAsync<BenchRow>(sql, cancellationToken))
            sum += row.Id;
        return sum;
    }
}
