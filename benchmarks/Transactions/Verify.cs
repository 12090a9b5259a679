using System;
using System.Diagnostics;
using System.Globalization;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>
/// <c>verify</c>: every contender, on both targets, really commits its one update (the counters move by
/// exactly the number of transactions run), and sends the same statements: Npgsql's own trace source
/// (<c>Npgsql</c>) is listened to and its command spans counted per transaction, so an extra statement such
/// as SET TRANSACTION would show. (BEGIN travels with the first statement and COMMIT is not a command span
/// in Npgsql, so one span per transaction is the expected count.) Also checks that PgBorrow's telemetry
/// has no listener in the benchmark process, so the scope's Activity and metric paths are the disabled ones.
/// </summary>
internal static class Verify
{
    public static async Task<int> RunAsync()
    {
        await using var dataSource = TxDatabase.CreateDataSource();
        await using var connection = await dataSource.OpenConnectionAsync();
        await TxDatabase.EnsureCountersAsync(connection);

        var npgsqlSpans = 0;
        var otherSpans = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var pgborrowListened = false;
        using var listener = new ActivityListener
        {
            ShouldListenTo = source =>
            {
                if (source.Name == PgBorrowTelemetry.Name)
                    pgborrowListened = true; // this listener does not sample it, but say so
                return source.Name == "Npgsql";
            },
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllData,
            ActivityStarted = activity =>
            {
                // Commands only: Npgsql also traces a physical connection open (its own span name).
                if (!activity.OperationName.StartsWith("CONNECT", StringComparison.Ordinal))
                    Interlocked.Increment(ref npgsqlSpans);
                else
                    otherSpans.AddOrUpdate(activity.OperationName, 1, (_, n) => n + 1);
            },
        };
        ActivitySource.AddActivityListener(listener);

        const int transactions = 200;
        var failures = 0;
        foreach (var onDataSource in new[] { false, true })
        {
            foreach (var contender in Scopes.All)
            {
                var before = await TxDatabase.ScalarAsync(connection, "SELECT sum(n) FROM counters");
                var spansBefore = Volatile.Read(ref npgsqlSpans);
                for (var i = 1; i <= transactions; i++)
                    await Scopes.RunAsync(contender, onDataSource ? null : connection, dataSource, i);
                var spans = Volatile.Read(ref npgsqlSpans) - spansBefore;
                var after = await TxDatabase.ScalarAsync(connection, "SELECT sum(n) FROM counters");
                var ok = after - before == transactions && spans == transactions;
                failures += ok ? 0 : 1;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{(ok ? "ok  " : "FAIL")} {(onDataSource ? "data source" : "connection "),-11} {Scopes.Label(contender),-48} counters +{after - before} (expected {transactions}), Npgsql command spans per tx {spans / (double)transactions:F2}"));
            }
        }

        foreach (var (name, count) in otherSpans)
            Console.WriteLine($"other Npgsql spans (not counted): {name} x{count}");
        Console.WriteLine(pgborrowListened
            ? "note: the PgBorrow ActivitySource was offered to a listener (not sampled)."
            : "PgBorrow ActivitySource: no listener.");
        Console.WriteLine(failures == 0 ? "verify: all ok" : $"verify: {failures} FAILED");
        return failures == 0 ? 0 : 1;
    }
}
