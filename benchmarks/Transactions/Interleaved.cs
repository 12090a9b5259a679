using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>
/// <c>interleaved [rounds]</c>: the finest-grained comparison. Every round runs ONE transaction per contender
/// (order rotating), each timed on its own with <see cref="Stopwatch.GetTimestamp"/>, so the contenders see the
/// same moment of the machine's load within a few milliseconds. Per contender it reports the median latency
/// (insensitive to the preemptions that blow up block means on a busy machine), the ratio of medians to
/// hand-written, the median of per-round ratios, and the ratio of medians in each tenth of the run (min–max),
/// which shows how stable the ratio is.
/// <c>interleaved-pooler [rounds]</c> does the same on two data sources in the same rounds: straight to PostgreSQL
/// and through PgBouncer (<c>PG_PGBOUNCER_CONNECTION_STRING</c>), each target's contenders against its own
/// hand-written transaction, and PgBouncer's hand-written against the direct one.
/// </summary>
internal static class Interleaved
{
    private const int WarmupRounds = 300;

    /// <summary>One contender on one target: what a round times once.</summary>
    private sealed record Lane(string Target, Contender Contender, NpgsqlConnection? Connection, NpgsqlDataSource DataSource)
    {
        public List<double> Samples { get; } = [];
    }

    public static async Task<int> RunAsync(int rounds)
    {
        await using var dataSource = TxDatabase.CreateDataSource();
        await using var connection = await dataSource.OpenConnectionAsync();
        await TxDatabase.EnsureCountersAsync(connection);

        PrintHeader($"{rounds} measured rounds (+{WarmupRounds} warm-up) per target");
        // One target after the other: a connection's transactions and a data source's never share a round.
        foreach (var (target, onConnection) in new[] { ("connection", connection), ("data source", (NpgsqlConnection?)null) })
        {
            var lanes = Scopes.All.Select(c => new Lane(target, c, onConnection, dataSource)).ToList();
            await MeasureAsync(lanes, rounds);
            PrintRows(lanes, rounds);
        }

        Console.WriteLine();
        Console.WriteLine($"Load at end: {Stats.LoadAverage()}");
        return 0;
    }

    public static async Task<int> RunPoolerAsync(int rounds)
    {
        await using var direct = TxDatabase.CreateDataSource();
        await using var pooled = TxDatabase.CreatePgBouncerDataSource();
        await using (var connection = await direct.OpenConnectionAsync())
            await TxDatabase.EnsureCountersAsync(connection);

        PrintHeader($"{rounds} measured rounds (+{WarmupRounds} warm-up), both targets in every round");
        var lanes = Scopes.All.Select(c => new Lane("data source, direct", c, null, direct))
            .Concat(Scopes.All.Select(c => new Lane("data source, PgBouncer", c, null, pooled)))
            .ToList();
        await MeasureAsync(lanes, rounds);
        PrintRows(lanes, rounds);

        var directHand = lanes.First(l => l.DataSource == direct && l.Contender == Contender.HandWritten);
        var pooledHand = lanes.First(l => l.DataSource == pooled && l.Contender == Contender.HandWritten);
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"PgBouncer's hand-written transaction over the direct one: ratio of medians {Stats.Median(pooledHand.Samples) / Stats.Median(directHand.Samples):F3}, "
            + $"median per-round ratio {Stats.Median(pooledHand.Samples.Zip(directHand.Samples, (a, b) => a / b).ToList()):F3}"));
        Console.WriteLine();
        Console.WriteLine($"Load at end: {Stats.LoadAverage()}");
        return 0;
    }

    private static void PrintHeader(string what)
    {
        Console.WriteLine($"Interleaved: {what}, one transaction per contender per round, rotating order. Load at start: {Stats.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("| Target | Contender | Median | p25 | p75 | Ratio of medians | Median of per-round ratios | Ratio of medians per tenth of the run, min–max |");
        Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |");
    }

    private static async Task MeasureAsync(List<Lane> lanes, int rounds)
    {
        var id = 0;
        for (var round = 0; round < WarmupRounds + rounds; round++)
        {
            for (var k = 0; k < lanes.Count; k++)
            {
                var lane = lanes[(round + k) % lanes.Count];
                id = id % TxDatabase.Counters + 1;
                var started = Stopwatch.GetTimestamp();
                await Scopes.RunAsync(lane.Contender, lane.Connection, lane.DataSource, id);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMicroseconds;
                if (round >= WarmupRounds)
                    lane.Samples.Add(elapsed);
            }
        }
    }

    /// <summary>Each lane against the hand-written lane of its own target.</summary>
    private static void PrintRows(List<Lane> lanes, int rounds)
    {
        foreach (var lane in lanes)
        {
            var hand = lanes.First(l => l.Target == lane.Target && l.Contender == Contender.HandWritten).Samples;
            var mine = lane.Samples;
            var perRound = mine.Zip(hand, (a, b) => a / b).ToList();
            var tenth = rounds / 10;
            var chunkRatios = Enumerable.Range(0, 10)
                .Select(c => Stats.Median(mine.GetRange(c * tenth, tenth)) / Stats.Median(hand.GetRange(c * tenth, tenth)))
                .ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {lane.Target} | {Scopes.Label(lane.Contender)} | {Stats.Time(Stats.Median(mine))} | {Stats.Time(Stats.Quantile(mine, 0.25))} | {Stats.Time(Stats.Quantile(mine, 0.75))} "
                + $"| {Stats.Median(mine) / Stats.Median(hand):F3} | {Stats.Median(perRound):F3} | {chunkRatios.Min():F3}–{chunkRatios.Max():F3} |"));
        }
    }
}
