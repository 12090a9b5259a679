using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>
/// <c>interleaved [rounds]</c>: the finest-grained comparison. Every round runs ONE transaction per contender
/// (order rotating), each timed on its own with <see cref="Stopwatch.GetTimestamp"/>, so the contenders see the
/// same moment of the machine's load within a few milliseconds. Per contender it reports the median latency
/// (insensitive to the preemptions that blow up block means on a busy machine), the ratio of medians to
/// hand-written, the median of per-round ratios, and the ratio of medians in each tenth of the run (min–max),
/// which shows how stable the ratio is.
/// </summary>
internal static class Interleaved
{
    public static async Task<int> RunAsync(int rounds)
    {
        await using var dataSource = TxDatabase.CreateDataSource();
        await using var connection = await dataSource.OpenConnectionAsync();
        await TxDatabase.EnsureCountersAsync(connection);
        var contenders = Scopes.All;
        const int warmupRounds = 300;

        Console.WriteLine($"Interleaved: {rounds} measured rounds (+{warmupRounds} warm-up) per target, one transaction per contender per round, rotating order. Load at start: {Stats.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| Target | Contender | Median | p25 | p75 | Ratio of medians | Median of per-round ratios | Ratio of medians per tenth of the run, min–max |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var onDataSource in new[] { false, true })
        {
            var samples = contenders.ToDictionary(c => c, _ => new List<double>(rounds));
            var id = 0;
            for (var round = 0; round < warmupRounds + rounds; round++)
            {
                for (var k = 0; k < contenders.Length; k++)
                {
                    var contender = contenders[(round + k) % contenders.Length];
                    id = id % TxDatabase.Counters + 1;
                    var started = Stopwatch.GetTimestamp();
                    await Scopes.RunAsync(contender, onDataSource ? null : connection, dataSource, id);
                    var elapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                    if (round >= warmupRounds)
                        samples[contender].Add(elapsed);
                }
            }

            var hand = samples[Contender.HandWritten];
            var handMedian = Stats.Median(hand);
            foreach (var contender in contenders)
            {
                var mine = samples[contender];
                var perRound = mine.Zip(hand, (a, b) => a / b).ToList();
                var tenth = rounds / 10;
                var chunkRatios = Enumerable.Range(0, 10)
                    .Select(c => Stats.Median(mine.GetRange(c * tenth, tenth)) / Stats.Median(hand.GetRange(c * tenth, tenth)))
                    .ToList();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(onDataSource ? "data source" : "connection")} | {Scopes.Label(contender)} | {Stats.Time(Stats.Median(mine))} | {Stats.Time(Stats.Quantile(mine, 0.25))} | {Stats.Time(Stats.Quantile(mine, 0.75))} "
                    + $"| {Stats.Median(mine) / handMedian:F3} | {Stats.Median(perRound):F3} | {chunkRatios.Min():F3}–{chunkRatios.Max():F3} |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Load at end: {Stats.LoadAverage()}");
        return 0;
    }
}
