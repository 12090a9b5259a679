using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>
/// <c>alloc-probe [transactions]</c>: where the bytes go. First the exact bytes allocated per transaction by
/// each contender (<see cref="GC.GetTotalAllocatedBytes(bool)"/> around a sequential block), then a sampled
/// breakdown by type: the runtime's GC AllocationTick event fires about every 100 KB allocated and names the
/// type of the object that crossed the mark, so over many transactions the bytes per type are estimated as
/// (samples of that type x bytes per sample) / transactions. The table lists, per contender, the types whose
/// estimate differs from hand-written code by more than the sampling noise.
/// </summary>
internal static class AllocationProbe
{
    private sealed class TickListener : EventListener
    {
        public readonly ConcurrentQueue<(DateTime At, string Type, long Bytes)> Ticks = new();

        protected override void OnEventSourceCreated(EventSource eventSource)
        {
            if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(eventSource, EventLevel.Verbose, (EventKeywords)0x1); // GC keyword: AllocationTick is verbose
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.PayloadNames is null)
                return;
            var type = e.PayloadNames.IndexOf("TypeName") is var t and >= 0 ? e.Payload![t] as string ?? "?" : "?";
            var amount = e.PayloadNames.IndexOf("AllocationAmount64") is var a and >= 0 ? Convert.ToInt64(e.Payload![a], CultureInfo.InvariantCulture) : 100_000;
            Ticks.Enqueue((e.TimeStamp.ToUniversalTime(), type, amount));
        }
    }

    public static async Task<int> RunAsync(int transactions)
    {
        await using var dataSource = TxDatabase.CreateDataSource();
        await using var connection = await dataSource.OpenConnectionAsync();
        await TxDatabase.EnsureCountersAsync(connection);
        var contenders = Scopes.All;
        var id = 0;

        async Task RunBlockAsync(Contender contender, bool onDataSource, int count)
        {
            for (var i = 0; i < count; i++)
            {
                id = id % TxDatabase.Counters + 1;
                await Scopes.RunAsync(contender, onDataSource ? null : connection, dataSource, id);
            }
        }

        Console.WriteLine($"Load at start: {Stats.LoadAverage()}");
        Console.WriteLine();
        Console.WriteLine("Exact bytes allocated per transaction (median of 5 blocks of 1,000 after 500 warm-up):");
        Console.WriteLine();
        Console.WriteLine("| Target | Contender | Allocated per tx | Over hand-written |");
        Console.WriteLine("| --- | --- | ---: | ---: |");
        foreach (var onDataSource in new[] { false, true })
        {
            var perTx = new Dictionary<Contender, double>();
            foreach (var contender in contenders)
            {
                await RunBlockAsync(contender, onDataSource, 500);
                var blocks = new List<double>();
                for (var b = 0; b < 5; b++)
                {
                    var before = GC.GetTotalAllocatedBytes(precise: true);
                    await RunBlockAsync(contender, onDataSource, 1000);
                    blocks.Add((GC.GetTotalAllocatedBytes(precise: true) - before) / 1000.0);
                }

                perTx[contender] = Stats.Median(blocks);
            }

            foreach (var contender in contenders)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {(onDataSource ? "data source" : "connection")} | {Scopes.Label(contender)} | {perTx[contender]:N0} B | {perTx[contender] - perTx[Contender.HandWritten]:+#,0;-#,0;0} B |"));
        }

        // Sampled breakdown by type.
        using var listener = new TickListener();
        await Task.Delay(500);
        foreach (var onDataSource in new[] { false, true })
        {
            var windows = new Dictionary<Contender, (DateTime From, DateTime To)>();
            foreach (var contender in contenders)
            {
                var from = DateTime.UtcNow;
                await RunBlockAsync(contender, onDataSource, transactions);
                windows[contender] = (from, DateTime.UtcNow);
                await Task.Delay(200);
            }

            await Task.Delay(1500); // the listener receives the events asynchronously
            var ticks = listener.Ticks.ToArray();
            var perType = contenders.ToDictionary(c => c, c => ticks
                .Where(t => t.At >= windows[c].From && t.At <= windows[c].To)
                .GroupBy(t => t.Type)
                .ToDictionary(g => g.Key, g => (Bytes: g.Sum(t => t.Bytes) / (double)transactions, Samples: g.Count())));
            var bytesPerSample = ticks.Length == 0 ? 100_000 : ticks.Average(t => t.Bytes);

            Console.WriteLine();
            Console.WriteLine($"Sampled allocations by type, {(onDataSource ? "data source" : "connection")}, {transactions:N0} transactions per contender, ~{bytesPerSample / 1024:N0} KB per sample (estimates: ± about 1/sqrt(samples)):");
            Console.WriteLine();
            Console.WriteLine("| Contender | Type | Est. B per tx | Samples | Hand-written est. B per tx | Difference |");
            Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
            var hand = perType[Contender.HandWritten];
            foreach (var contender in contenders)
            {
                var mine = perType[contender];
                var types = mine.Keys.Union(hand.Keys);
                var total = mine.Values.Sum(v => v.Bytes);
                foreach (var type in types.OrderByDescending(t => Math.Abs(mine.GetValueOrDefault(t).Bytes - hand.GetValueOrDefault(t).Bytes)))
                {
                    var m = mine.GetValueOrDefault(type);
                    var h = hand.GetValueOrDefault(type);
                    if (contender != Contender.HandWritten && Math.Abs(m.Bytes - h.Bytes) < 2 * bytesPerSample / transactions * Math.Sqrt(Math.Max(1, Math.Max(m.Samples, h.Samples))))
                        continue; // within sampling noise
                    if (contender == Contender.HandWritten && h.Samples < 3)
                        continue;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {Scopes.Label(contender)} | `{type}` | {m.Bytes:N0} | {m.Samples} | {h.Bytes:N0} | {m.Bytes - h.Bytes:+#,0;-#,0;0} |"));
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Scopes.Label(contender)} | *all types* | {total:N0} | {mine.Values.Sum(v => v.Samples)} | {hand.Values.Sum(v => v.Bytes):N0} | {total - hand.Values.Sum(v => v.Bytes):+#,0;-#,0;0} |"));
            }
        }

        Console.WriteLine();
        Console.WriteLine($"Load at end: {Stats.LoadAverage()}");
        return 0;
    }
}
