using System;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// <c>alloc-probe</c>: the bytes the generated reader allocates, measured on one thread around
/// synchronous calls (no async machinery in between): <c>GetOrdinals</c> once per result set, and
/// <c>Read</c> per row, next to the same rows mapped by hand.
/// </summary>
internal static class AllocationProbe
{
    public static async Task<int> RunAsync()
    {
        await using var dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await BenchDatabase.EnsureSeededAsync(connection);
        const int rows = 1000;

        // Warm up both paths (JIT, Npgsql's type resolution), then measure.
        for (var pass = 0; pass < 3; pass++)
        {
            var (ordinalsBytes, generatedBytes) = Measure<BenchRow>(connection, rows);
            var handBytes = MeasureHand(connection, rows);
            if (pass < 2)
                continue;
            Console.WriteLine($"GetOrdinals (once per result set): {ordinalsBytes} B");
            Console.WriteLine($"Generated Read, per row:            {generatedBytes / (double)rows:F1} B");
            Console.WriteLine($"Hand-written mapping, per row:      {handBytes / (double)rows:F1} B");
            Console.WriteLine($"BenchRow instance size:             {RowSize()} B (the rest is the strings name and note)");
        }

        return 0;
    }

    private static (long Ordinals, long Rows) Measure<T>(NpgsqlConnection connection, int rows)
        where T : IPgRow<T>
    {
        using var command = new NpgsqlCommand(BenchDatabase.SelectSql(rows), connection);
        using var reader = command.ExecuteReader();
        var before = GC.GetAllocatedBytesForCurrentThread();
        var ordinals = T.GetOrdinals(reader);
        var ordinalsBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        long readBytes = 0;
        while (reader.Read())
        {
            before = GC.GetAllocatedBytesForCurrentThread();
            var row = T.Read(reader, ordinals);
            readBytes += GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(row);
        }

        return (ordinalsBytes, readBytes);
    }

    private static long MeasureHand(NpgsqlConnection connection, int rows)
    {
        using var command = new NpgsqlCommand(BenchDatabase.SelectSql(rows), connection);
        using var reader = command.ExecuteReader();
        long readBytes = 0;
        while (reader.Read())
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var row = new BenchRow
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
                DueDate = reader.GetFieldValue<DateOnly>(9),
            };
            readBytes += GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(row);
        }

        return readBytes;
    }

    private static long RowSize()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var row = new BenchRow();
        var size = GC.GetAllocatedBytesForCurrentThread() - before;
        GC.KeepAlive(row);
        return size;
    }
}
