using System;
using System.Threading.Tasks;
using Dapper;
using Npgsql;
using PgBorrow;
using RowsBenchmarks.DapperContenders;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// <c>verify</c>: every contender reads exactly the rows hand-written code reads, and Dapper.AOT really
/// intercepts its call (plain Dapper fills its reflection query cache; an intercepted call does not).
/// </summary>
internal static class Verify
{
    public static async Task<int> RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await BenchDatabase.EnsureSeededAsync(connection);
        var failures = 0;

        foreach (var size in new[] { 1, 1000, 100_000 })
        {
            var sql = BenchDatabase.SelectSql(size);
            var expected = await HandWrittenReader.QueryAsync(connection, sql, default);
            if (expected.Count != size)
            {
                Console.WriteLine($"FAIL hand-written read {expected.Count} rows, not {size}");
                failures++;
            }

            for (var i = 0; i < expected.Count; i++)
            {
                if (!expected[i].SameAs(BenchRow.Make(i + 1)))
                {
                    Console.WriteLine($"FAIL hand-written row {i + 1} differs from the seed");
                    failures++;
                    break;
                }
            }

            foreach (var contender in Contenders.All)
            {
                var rows = await Contenders.QueryAsync(contender, connection, sql);
                var same = rows.Count == expected.Count;
                for (var i = 0; same && i < rows.Count; i++)
                    same = rows[i].SameAs(expected[i]);
                Console.WriteLine($"{(same ? "ok  " : "FAIL")} {contender,-10} {size,7} rows");
                if (!same)
                    failures++;
            }

            long expectedSum = 0;
            foreach (var row in expected)
                expectedSum += row.Id;
            var streamed = await PgBorrowReader.StreamSumAsync(connection, sql, default);
            Console.WriteLine($"{(streamed == expectedSum ? "ok  " : "FAIL")} {"pgb-stream",-10} {size,7} rows");
            if (streamed != expectedSum)
                failures++;
        }

        // PgBorrow's COPY writes exactly the rows the seed holds.
        await using (var truncate = new NpgsqlCommand("TRUNCATE " + BenchDatabase.InsertTable, connection))
            await truncate.ExecuteNonQueryAsync();
        var copied = await connection.CopyInAsync(BenchDatabase.InsertTable, BenchDatabase.MakeRows(1000));
        await using (var compare = new NpgsqlCommand(
            "SELECT count(*) FROM " + BenchDatabase.InsertTable + " i JOIN " + BenchDatabase.ReadTable + " r ON r.id = i.id "
            + "AND (i.quantity, i.name, i.note, i.amount, i.created_at, i.is_active, i.external_id, i.score, i.due_date) "
            + "IS NOT DISTINCT FROM (r.quantity, r.name, r.note, r.amount, r.created_at, r.is_active, r.external_id, r.score, r.due_date)",
            connection))
        {
            var same = (long)(await compare.ExecuteScalarAsync())!;
            var ok = copied == 1000 && same == 1000;
            Console.WriteLine($"{(ok ? "ok  " : "FAIL")} PgBorrow CopyInAsync: {copied} copied, {same} equal to the seed (expected 1000 and 1000)");
            if (!ok)
                failures++;
        }

        // Interception: an intercepted Dapper.AOT call never reaches Dapper's reflection path.
        SqlMapper.PurgeQueryCache();
        await DapperAotReader.QueryAsync(connection, BenchDatabase.Select1000, default);
        var afterAot = DapperReader.CachedQueries;
        await DapperReader.QueryAsync(connection, BenchDatabase.Select1000, default);
        var afterDapper = DapperReader.CachedQueries;
        var intercepted = afterAot == 0 && afterDapper == 1;
        Console.WriteLine($"{(intercepted ? "ok  " : "FAIL")} Dapper query cache: {afterAot} after Dapper.AOT, {afterDapper} after plain Dapper (expected 0 and 1)");
        if (!intercepted)
            failures++;

        Console.WriteLine(failures == 0 ? "verify: all ok" : $"verify: {failures} failure(s)");
        return failures == 0 ? 0 : 1;
    }
}
