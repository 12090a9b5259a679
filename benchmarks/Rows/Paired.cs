using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// <c>paired [rounds]</c>: a check of the BenchmarkDotNet numbers that holds up on a busy machine.
/// BenchmarkDotNet measures one benchmark after the other, so load that comes and goes lands on
/// whichever runs at the time. Here every round runs each contender once, in a rotating order,
/// right after one another, and the ratio to hand-written code is taken within the round; the
/// median of those ratios is reported. Besides wall time it reports the client's CPU time
/// (<see cref="Environment.CpuUsage"/>, all threads of this process: what the mapping costs this
/// process, not counting the server) and the bytes allocated per query.
/// </summary>
internal static class Paired
{
    private static readonly (int Rows, int QueriesPerSample)[] Sizes = [(1, 200), (1000, 20), (100_000, 1)];

    public static async Task<int> RunAsync(int rounds)
    {
        await using var dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await BenchDatabase.EnsureSeededAsync(connection);
        var contenders = Contenders.All;
        const int warmupRounds = 3;

        Console.WriteLine($"Paired rounds: {rounds} measured (+{warmupRounds} warm-up) per size, contenders in rotating order; forced GC before each sample.");
        Console.WriteLine();
        Console.WriteLine("| Rows | Contender | Wall per query, median | Wall ratio to hand-written, median [IQR] | Client CPU per query, median | CPU ratio, median [IQR] | Allocated per query |");
        Console.WriteLine("| ---: | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (rows, perSample) in Sizes)
        {
            var sql = BenchDatabase.SelectSql(rows);
            var wall = contenders.ToDictionary(c => c, _ => new List<double>());
            var cpu = contenders.ToDictionary(c => c, _ => new List<double>());
            var bytes = contenders.ToDictionary(c => c, _ => new List<double>());
            for (var round = 0; round < warmupRounds + rounds; round++)
            {
                for (var k = 0; k < contenders.Length; k++)
                {
                    var contender = contenders[(round + k) % contenders.Length];
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    GC.Collect();
                    var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
                    var cpuBefore = Environment.CpuUsage.TotalTime;
                    var stopwatch = Stopwatch.StartNew();
                    var count = 0;
                    for (var q = 0; q < perSample; q++)
                        count += (await Contenders.QueryAsync(contender, connection, sql)).Count;
                    var elapsed = stopwatch.Elapsed.TotalMicroseconds;
                    var cpuTime = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds;
                    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                    if (count != rows * perSample)
                        throw new InvalidOperationException($"{contender} read {count} rows, expected {rows * perSample}.");
                    if (round < warmupRounds)
                        continue;
                    wall[contender].Add(elapsed / perSample);
                    cpu[contender].Add(cpuTime / perSample);
                    bytes[contender].Add((double)allocated / perSample);
                }
            }

            var hand = Contenders.HandWritten;
            foreach (var contender in contenders)
            {
                var wallRatios = wall[contender].Zip(wall[hand], (a, b) => a / b).ToList();
                var cpuRatios = cpu[contender].Zip(cpu[hand], (a, b) => a / b).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {rows:N0} | {contender} | {Time(Stats.Median(wall[contender]))} | {Stats.Median(wallRatios):F3} [{Stats.Quantile(wallRatios, 0.25):F2}–{Stats.Quantile(wallRatios, 0.75):F2}] "
                    + $"| {Time(Stats.Median(cpu[contender]))} | {Stats.Median(cpuRatios):F3} [{Stats.Quantile(cpuRatios, 0.25):F2}–{Stats.Quantile(cpuRatios, 0.75):F2}] | {Bytes(Stats.Median(bytes[contender]))} |"));
            }
        }

        return 0;
    }

    private static string Time(double microseconds)
        => microseconds >= 10_000
            ? (microseconds / 1000).ToString("N1", CultureInfo.InvariantCulture) + " ms"
            : microseconds.ToString("N1", CultureInfo.InvariantCulture) + " µs";

    private static string Bytes(double bytes)
        => bytes >= 10_240
            ? (bytes / 1024).ToString("N1", CultureInfo.InvariantCulture) + " KB"
            : bytes.ToString("N0", CultureInfo.InvariantCulture) + " B";
}
