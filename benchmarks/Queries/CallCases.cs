using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Queries;

/// <summary>
/// One call shape, run by both contenders with the same arguments. Each run returns a number derived from
/// what it read (a row count, an id, a total or the affected rows; both sides wrapped alike), so neither side's work can be skipped and the two can be compared.
/// </summary>
internal sealed record CallCase(
    string Name,
    int CallsPerSample,
    Func<NpgsqlConnection, int, Task<long>> Generated,
    Func<NpgsqlConnection, int, Task<long>> HandWritten)
{
    /// <summary>The shapes: lists of 10 and 1,000 rows, one row, one scalar, one UPDATE. The int is the call's index.</summary>
    public static readonly CallCase[] All =
    [
        new("list of 10 rows", 200,
            async (c, _) => (await c.ListOrdersAsync(10, CancellationToken.None)).Count,
            async (c, _) => (await HandWrittenCalls.ListAsync(c, 10, CancellationToken.None)).Count),
        new("list of 1,000 rows", 20,
            async (c, _) => (await c.ListOrdersAsync(1000, CancellationToken.None)).Count,
            async (c, _) => (await HandWrittenCalls.ListAsync(c, 1000, CancellationToken.None)).Count),
        new("single row", 200,
            async (c, i) => (await c.OrderAsync(RowId(i), CancellationToken.None)).Id,
            async (c, i) => (await HandWrittenCalls.SingleAsync(c, RowId(i), CancellationToken.None)).Id),
        new("scalar", 200,
            async (c, i) => (long)(await c.OrderTotalAsync(RowId(i), CancellationToken.None) * 100),
            async (c, i) => (long)(await HandWrittenCalls.ScalarAsync(c, RowId(i), CancellationToken.None) * 100)),
        new("execute (UPDATE one row)", 200,
            async (c, i) => await c.SetPlacedAtAsync(RowId(i), PlacedAt(i), CancellationToken.None),
            async (c, i) => await HandWrittenCalls.ExecuteAsync(c, RowId(i), PlacedAt(i), CancellationToken.None)),
    ];

    /// <summary>Ids 1 to the seeded count, spread so consecutive calls read different pages.</summary>
    public static long RowId(int call) => (long)call * 7919 % QueryDatabase.SeededRows + 1;

    public static DateTime PlacedAt(int call) => new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc).AddSeconds(call);
}
