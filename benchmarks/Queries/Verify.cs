using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Queries;

/// <summary><c>verify</c>: for each call shape, [PgQuery] and the hand-written code read exactly the same values.</summary>
internal static class Verify
{
    public static async Task<int> RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(QueryDatabase.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await QueryDatabase.EnsureSeededAsync(connection);
        var failures = 0;

        var expected = await HandWrittenCalls.ListAsync(connection, 1000, CancellationToken.None);
        var actual = await connection.ListOrdersAsync(1000, CancellationToken.None);
        var same = expected.Count == 1000 && actual.Count == 1000;
        for (var i = 0; same && i < expected.Count; i++)
            same = expected[i].SameAs(actual[i]);
        failures += Report("list of 1,000 rows", same);
        failures += Report("a NULL note is read as null", actual.Exists(row => row.Note is null) && actual.Exists(row => row.Note is not null));

        var id = CallCase.RowId(1);
        failures += Report("single row", (await HandWrittenCalls.SingleAsync(connection, id, CancellationToken.None)).SameAs(await connection.OrderAsync(id, CancellationToken.None)));
        failures += Report("scalar", await HandWrittenCalls.ScalarAsync(connection, id, CancellationToken.None) == await connection.OrderTotalAsync(id, CancellationToken.None));

        var placedAt = CallCase.PlacedAt(42);
        var updated = await connection.SetPlacedAtAsync(id, placedAt, CancellationToken.None);
        failures += Report("execute updates one row", updated == 1 && (await HandWrittenCalls.SingleAsync(connection, id, CancellationToken.None)).PlacedAt == placedAt);
        failures += Report("hand-written execute updates one row", await HandWrittenCalls.ExecuteAsync(connection, id, placedAt.AddDays(1), CancellationToken.None) == 1
            && (await connection.OrderAsync(id, CancellationToken.None)).PlacedAt == placedAt.AddDays(1));
        return failures == 0 ? 0 : 1;
    }

    private static int Report(string what, bool ok)
    {
        Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
        return ok ? 0 : 1;
    }
}
