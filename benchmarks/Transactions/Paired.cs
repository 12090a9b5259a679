using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>
/// <c>paired [rounds] [transactions]</c>: the scope benchmarks, contenders interleaved. Every round runs each
/// contender for a block of transactions, in a rotating order, right after one another, and the ratio to
/// hand-written is taken within the round; the median of those ratios (with its interquartile range) is
/// reported, so load that comes and goes hits every contender alike. Besides wall time: the process's CPU time
/// (<see cref="Environment.CpuUsage"/>, all threads: the client's cost, not the server's) and bytes allocated
/// per transaction.
/// </summary>
internal static class Paired
{
    public static async Task<int> RunAsync(int rounds, int perSample)
    {
        await using var dataSource = TxDatabase.CreateDataSource();
        await using var connection = await dataSource.OpenConnectionAsync();
        await TxDatabase.EnsureCountersAsync(connection);
        var contenders = Scopes.All;
        const int warmupRounds = 3;

        Console.WriteLine($"Paired rounds: {rounds} measured (+{warmupRounds} warm-up) per target, {perSample} transactions per contender per round, rotating order; forced GC before each block. Load at start: {Stats.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| Target | Contender | Wall per tx, median | Wall ratio, median [IQR] | Client CPU per tx, median | CPU ratio, median [IQR] | Allocated per tx |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var onDataSource in new[] { false, true })
        {
            var target = onDataSource ? "data source" : "connection";
            var wall = contenders.ToDictionary(c => c, _ => new List<double>());
            var cpu = contenders.ToDictionary(c => c, _ => new List<double>());
            var bytes = contenders.ToDictionary(c => c, _ => new List<double>());
            var id = 0;
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
                    var started = Stopwatch.GetTimestamp();
                    for (var i = 0; i < perSample; i++)
                    {
                        id = id % TxDatabase.Counters + 1;
                        await Scopes.RunAsync(contender, onDataSource ? null : connection, dataSource, id);
                    }

                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                    var cpuTime = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds;
                    var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
                    if (round < warmupRounds)
                        continue;
                    wall[contender].Add(elapsed / perSample);
                    cpu[contender].Add(cpuTime / perSample);
                    bytes[contender].Add((double)allocated / perSample);
                }
            }

            var hand = Contender.HandWritten;
            foreach (var contender in contenders)
            {
                var wallRatios = wall[contender].Zip(wall[hand], (a, b) => a / b).ToList();
                var cpuRatios = cpu[contender].Zip(cpu[hand], (a, b) => a / b).ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {target} | {Scopes.Label(contender)} | {Stats.Time(Stats.Median(wall[contender]))} | {Stats.Median(wallRatios):F3} [{Stats.Quantile(wallRatios, 0.25):F3}–{Stats.Quantile(wallRatios, 0.75):F3}] "
                    + $"| {Stats.Time(Stats.Median(cpu[contender]))} | {Stats.Median(cpuRatios):F3} [{Stats.Quantile(cpuRatios, 0.25):F3}–{Stats.Quantile(cpuRatios, 0.75):F3}] | {Stats.Bytes(Stats.Median(bytes[contender]))} |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Load at end: {Stats.LoadAverage()}");
        return 0;
    }
}
