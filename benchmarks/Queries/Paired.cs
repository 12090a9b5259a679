using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Queries;

/// <summary>
/// <c>paired [rounds]</c>: [PgQuery] against hand-written ADO.NET, measured so that a busy machine's changing load
/// hits both alike. Every round runs both contenders on the same calls right after each other (which goes
/// first alternates), and the ratio generated / hand-written is taken within the round; the median ratio of the
/// rounds is reported with its interquartile range, beside wall time, the client's CPU time
/// (<see cref="Environment.CpuUsage"/>, this process only) and bytes allocated per call.
/// </summary>
internal static class Paired
{
    private const int WarmupRounds = 3;

    public static async Task<int> RunAsync(int rounds)
    {
        await using var dataSource = NpgsqlDataSource.Create(QueryDatabase.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        await QueryDatabase.EnsureSeededAsync(connection);

        Console.WriteLine($"Paired rounds: {rounds} measured (+{WarmupRounds} warm-up) per call shape, the two contenders alternating which goes first; forced GC before each sample. Load average at start: {Stats.LoadAverage()}.");
        Console.WriteLine();
        Console.WriteLine("| Call | Calls per sample | Hand-written, wall per call | [PgQuery], wall per call | Wall ratio [PgQuery] / hand-written, median [IQR] | CPU ratio, median [IQR] | Allocated per call, hand-written / [PgQuery] |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var call in CallCase.All)
        {
            var generated = new Samples();
            var hand = new Samples();
            for (var round = 0; round < WarmupRounds + rounds; round++)
            {
                var firstCall = round * call.CallsPerSample;
                var generatedFirst = round % 2 == 0;
                var (a, b) = generatedFirst ? (call.Generated, call.HandWritten) : (call.HandWritten, call.Generated);
                var (first, firstSum) = await MeasureAsync(a, connection, firstCall, call.CallsPerSample);
                var (second, secondSum) = await MeasureAsync(b, connection, firstCall, call.CallsPerSample);
                if (firstSum != secondSum)
                    throw new InvalidOperationException($"{call.Name}: the contenders read different results ({firstSum} and {secondSum}).");
                if (round < WarmupRounds)
                    continue;
                (generatedFirst ? generated : hand).Add(first);
                (generatedFirst ? hand : generated).Add(second);
            }

            var wallRatios = generated.Wall.Zip(hand.Wall, (g, h) => g / h).ToList();
            var cpuRatios = generated.Cpu.Zip(hand.Cpu, (g, h) => g / h).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {call.Name} | {call.CallsPerSample} | {Stats.Time(Stats.Median(hand.Wall))} | {Stats.Time(Stats.Median(generated.Wall))} "
                + $"| {Stats.Median(wallRatios):F3} [{Stats.Quantile(wallRatios, 0.25):F3}–{Stats.Quantile(wallRatios, 0.75):F3}] "
                + $"| {Stats.Median(cpuRatios):F3} [{Stats.Quantile(cpuRatios, 0.25):F3}–{Stats.Quantile(cpuRatios, 0.75):F3}] "
                + $"| {Stats.Bytes(Stats.Median(hand.Allocated))} / {Stats.Bytes(Stats.Median(generated.Allocated))} |"));
        }
        Console.WriteLine();
        Console.WriteLine($"Load average at end: {Stats.LoadAverage()}.");
        return 0;
    }

    /// <summary>Runs <paramref name="calls"/> calls and returns the per-call figures and the sum of what they read.</summary>
    private static async Task<(Sample Sample, long Sum)> MeasureAsync(Func<NpgsqlConnection, int, Task<long>> run, NpgsqlConnection connection, int firstCall, int calls)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var stopwatch = Stopwatch.StartNew();
        long sum = 0;
        for (var i = 0; i < calls; i++)
            sum += await run(connection, firstCall + i);
        var wall = stopwatch.Elapsed.TotalMicroseconds / calls;
        var cpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMicroseconds / calls;
        var allocated = (double)(GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / calls;
        return (new Sample(wall, cpu, allocated), sum);
    }

    private readonly record struct Sample(double Wall, double Cpu, double Allocated);

    private sealed class Samples
    {
        public List<double> Wall { get; } = [];
        public List<double> Cpu { get; } = [];
        public List<double> Allocated { get; } = [];

        public void Add(Sample sample)
        {
            Wall.Add(sample.Wall);
            Cpu.Add(sample.Cpu);
            Allocated.Add(sample.Allocated);
        }
    }
}
