using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>
/// <c>throughput [seconds] [rounds] [accounts] [workers...]</c>: bank transfers under contention. N workers
/// each loop over SERIALIZABLE transfers between random pairs of a few accounts (read the source balance,
/// debit, credit, log the transfer), which makes 40001 (and, for opposite transfers, 40P01) frequent. Two
/// contenders take turns for a fixed duration each, per round:
/// <list type="bullet">
/// <item>hand-written: a retry loop around Npgsql's BeginTransactionAsync/CommitAsync (a pooled connection
/// per attempt, as the scope on a data source does), catching 40001/40P01, rolling back and retrying with
/// the scope's backoff (base 10 ms doubling to at most 1 s, jittered to half-to-all), at most the same number
/// of attempts;</item>
/// <item><c>dataSource.InTransactionAsync(options, state, body)</c> with the same options.</item>
/// </list>
/// <c>throughput-pooler [seconds] [rounds] [accounts] [workers...]</c> runs the same transfers with
/// <c>InTransactionAsync</c> on two data sources in the same rounds: straight to PostgreSQL, and through PgBouncer in
/// transaction-pooling mode (<c>PG_PGBOUNCER_CONNECTION_STRING</c>; <c>Max Auto Prepare=0</c>,
/// <c>No Reset On Close=true</c>). There the scopes' serialization failures and deadlocks are counted from
/// PgBorrow's meter, which only this mode listens to (the plain mode keeps the scope's telemetry disabled).
/// Reported per run: committed transfers per second, attempts per commit, retries per commit, transfers given
/// up (retries exhausted). After every run the invariants are checked: the sum of balances is unchanged,
/// and the transfers log holds exactly as many rows as transfers the workers saw commit.
/// </summary>
internal static class Throughput
{
    private const long InitialBalance = 1_000_000;

    private static readonly PgTransactionOptions Options
        = PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.Serializable, MaxAttempts = 10 };

    private sealed class Counters
    {
        public long Commits;
        public long CommitsInWindow; // committed before the window closed: the rate's numerator
        public long Attempts;
        public long GaveUp;
        public long SerializationFailures; // seen by the hand-written loop, or by the scope's meter where it is listened to
        public long Deadlocks;
        public long ConnectionRetries; // scopes only (the hand-written loop does not retry a lost connection)
    }

    private sealed record Transfer(int From, int To, long Amount);

    /// <summary>
    /// One way of making a transfer: <paramref name="Name"/> in the rows, <paramref name="ShortName"/> in the
    /// summary; <paramref name="CountsFailures"/> when its 40001/40P01 are counted (otherwise the rows say n/a).
    /// </summary>
    private sealed record Contender(string Name, string ShortName, bool CountsFailures, Func<Transfer, Counters, Task<bool>> TransferAsync);

    public static async Task<int> RunAsync(TimeSpan duration, int rounds, int accounts, int[] workerCounts)
    {
        await using var dataSource = TxDatabase.CreateDataSource();
        Contender[] contenders =
        [
            new("hand-written retry loop", "hand-written", CountsFailures: true, (t, c) => HandWrittenTransferAsync(dataSource, t, c)),
            new("InTransactionAsync", "scope", CountsFailures: false, (t, c) => ScopeTransferAsync(dataSource, t, c)),
        ];
        return await CompareAsync("throughput", "Throughput", dataSource, contenders, scopeFailures: null, duration, rounds, accounts, workerCounts);
    }

    public static async Task<int> RunPoolerAsync(TimeSpan duration, int rounds, int accounts, int[] workerCounts)
    {
        await using var direct = TxDatabase.CreateDataSource();
        await using var pooled = TxDatabase.CreatePgBouncerDataSource();
        using var scopeFailures = new ScopeFailureListener();
        Contender[] contenders =
        [
            new("InTransactionAsync, direct", "direct", CountsFailures: true, (t, c) => ScopeTransferAsync(direct, t, c)),
            new("InTransactionAsync, PgBouncer", "PgBouncer", CountsFailures: true, (t, c) => ScopeTransferAsync(pooled, t, c)),
        ];
        return await CompareAsync("throughput-pooler", "Throughput direct vs through PgBouncer (transaction pooling; Max Auto Prepare=0, No Reset On Close=true)",
            direct, contenders, scopeFailures, duration, rounds, accounts, workerCounts);
    }

    /// <summary>
    /// Runs <paramref name="contenders"/> (two) in turns, order alternating per round, resetting the accounts
    /// through <paramref name="admin"/> (a direct data source) before each run and checking the invariants after it;
    /// prints the rows and a per-worker-count summary. 1 when an invariant failed in any run.
    /// </summary>
    private static async Task<int> CompareAsync(string mode, string title, NpgsqlDataSource admin, Contender[] contenders, ScopeFailureListener? scopeFailures,
        TimeSpan duration, int rounds, int accounts, int[] workerCounts)
    {
        await using var connection = await admin.OpenConnectionAsync();
        var results = new List<(int Workers, int Round, Contender Contender, double PerSecond, double AttemptsPerCommit, long Commits, long GaveUp, long Failures40001, long Deadlocks, long ConnectionRetries, string Load, bool Ok)>();
        var failed = false;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{title}: {accounts} accounts, SERIALIZABLE, MaxAttempts {Options.MaxAttempts}, backoff {Options.BaseDelay.TotalMilliseconds} ms doubling to {Options.MaxDelay.TotalMilliseconds} ms; {duration.TotalSeconds} s per contender per round, {rounds} rounds, order alternating. Load at start: {Stats.LoadAverage()}"));
        foreach (var workers in workerCounts)
        {
            // Round 0 is a 1-second warm-up of each contender (JIT, pool growth to `workers` connections), not reported.
            for (var round = 0; round <= rounds; round++)
            {
                for (var k = 0; k < contenders.Length; k++)
                {
                    var contender = contenders[(round + k + 1) % contenders.Length]; // round 1: the first contender first
                    await TxDatabase.ResetAccountsAsync(connection, accounts, InitialBalance);
                    var counters = new Counters();
                    scopeFailures?.CountInto(counters);
                    var stopAt = Stopwatch.GetTimestamp() + (long)((round == 0 ? 1 : duration.TotalSeconds) * Stopwatch.Frequency);
                    var started = Stopwatch.GetTimestamp();
                    var tasks = Enumerable.Range(0, workers).Select(w => Task.Run(async () =>
                    {
                        var random = new Random(HashCode.Combine(workers, round, w));
                        while (Stopwatch.GetTimestamp() < stopAt)
                        {
                            var from = random.Next(1, accounts + 1);
                            var to = random.Next(1, accounts);
                            if (to >= from)
                                to++;
                            var committed = await contender.TransferAsync(new Transfer(from, to, random.Next(1, 100)), counters);
                            if (committed && Stopwatch.GetTimestamp() <= stopAt)
                                Interlocked.Increment(ref counters.CommitsInWindow);
                        }
                    })).ToArray();
                    await Task.WhenAll(tasks);
                    scopeFailures?.CountInto(null);
                    // The rate counts commits inside the window; transfers still running when it closes (one may be
                    // in a backoff of up to MaxDelay) finish, and are checked, but do not count.
                    var elapsed = round == 0 ? 1 : duration.TotalSeconds;
                    var drained = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    var load = Stats.LoadAverage();

                    var sum = await TxDatabase.ScalarAsync(connection, "SELECT sum(balance) FROM accounts");
                    var logged = await TxDatabase.ScalarAsync(connection, "SELECT count(*) FROM transfers");
                    var ok = sum == accounts * InitialBalance && logged == counters.Commits;
                    failed |= !ok;
                    if (round == 0)
                    {
                        Console.WriteLine($"  workers {workers,2} warm-up {contender.Name}: invariant {(ok ? "ok" : "VIOLATED")}");
                        continue;
                    }

                    results.Add((workers, round, contender, counters.CommitsInWindow / elapsed, counters.Attempts / (double)Math.Max(1, counters.Commits),
                        counters.Commits, counters.GaveUp, counters.SerializationFailures, counters.Deadlocks, counters.ConnectionRetries, load, ok));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  workers {workers,2} round {round} {contender.Name,-29} {counters.CommitsInWindow / elapsed,8:F1} commits/s (all done after {drained:F2} s)  {counters.Attempts / (double)Math.Max(1, counters.Commits):F2} attempts/commit  gave up {counters.GaveUp}  "
                        + $"invariant: sum {sum} (expected {accounts * InitialBalance}), logged {logged} (commits {counters.Commits}) {(ok ? "ok" : "VIOLATED")}  load {load}"));
                }
            }
        }

        var failuresColumn = contenders.All(c => c.CountsFailures) ? "40001 / 40P01 seen" : $"40001 / 40P01 seen ({string.Join(", ", contenders.Where(c => c.CountsFailures).Select(c => c.ShortName))})";
        Console.WriteLine();
        Console.WriteLine($"| Workers | Round | Contender | Commits/s | Attempts per commit | Retries per commit | Commits | Gave up | {failuresColumn} | Invariant | Load (1/5/15 min) |");
        Console.WriteLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var r in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Workers} | {r.Round} | {r.Contender.Name} | {r.PerSecond:F1} | {r.AttemptsPerCommit:F2} | {r.AttemptsPerCommit - 1 - r.GaveUp / (double)Math.Max(1, r.Commits):F2} | {r.Commits} | {r.GaveUp} "
                + $"| {(r.Contender.CountsFailures ? $"{r.Failures40001} / {r.Deadlocks}" : "n/a")}{(r.ConnectionRetries > 0 ? $" (+{r.ConnectionRetries} connection retries)" : "")} | {(r.Ok ? "ok" : "VIOLATED")} | {r.Load} |"));

        var (first, second) = (contenders[0], contenders[1]);
        string FailuresPerCommit(Contender c, IReadOnlyList<double> perRound)
            => c.CountsFailures ? Stats.Median(perRound).ToString("F2", CultureInfo.InvariantCulture) : "n/a";
        Console.WriteLine();
        Console.WriteLine($"| Workers | {Capitalized(first.ShortName)} commits/s, median | {Capitalized(second.ShortName)} commits/s, median | Ratio per round ({second.ShortName} / {first.ShortName}) | Median ratio "
            + $"| Attempts per commit, {first.ShortName} / {second.ShortName} (median) | 40001 + 40P01 per commit, {first.ShortName} / {second.ShortName} (median) |");
        Console.WriteLine("| ---: | ---: | ---: | --- | ---: | ---: | ---: |");
        foreach (var workers in workerCounts)
        {
            var ofFirst = results.Where(r => r.Workers == workers && r.Contender == first).OrderBy(r => r.Round).ToList();
            var ofSecond = results.Where(r => r.Workers == workers && r.Contender == second).OrderBy(r => r.Round).ToList();
            var ratios = ofSecond.Zip(ofFirst, (s, f) => s.PerSecond / f.PerSecond).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {workers} | {Stats.Median(ofFirst.Select(r => r.PerSecond).ToList()):F1} | {Stats.Median(ofSecond.Select(r => r.PerSecond).ToList()):F1} | {string.Join(", ", ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} | {Stats.Median(ratios):F2} "
                + $"| {Stats.Median(ofFirst.Select(r => r.AttemptsPerCommit).ToList()):F2} / {Stats.Median(ofSecond.Select(r => r.AttemptsPerCommit).ToList()):F2} "
                + $"| {FailuresPerCommit(first, ofFirst.Select(r => (r.Failures40001 + r.Deadlocks) / (double)Math.Max(1, r.Commits)).ToList())} / {FailuresPerCommit(second, ofSecond.Select(r => (r.Failures40001 + r.Deadlocks) / (double)Math.Max(1, r.Commits)).ToList())} |"));
        }

        Console.WriteLine();
        Console.WriteLine($"Load at end: {Stats.LoadAverage()}");
        Console.WriteLine(failed ? $"{mode}: INVARIANT VIOLATED" : $"{mode}: invariants held in every run");
        return failed ? 1 : 0;
    }

    private static string Capitalized(string name) => char.ToUpperInvariant(name[0]) + name[1..];

    private static bool IsRetryable(PostgresException e)
        => e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    /// <summary>The scope's backoff, written out: min(MaxDelay, BaseDelay * 2^(attempt-1)), jittered to [1/2, 1].</summary>
    private static TimeSpan Backoff(PgTransactionOptions options, int failedAttempt)
    {
        var exponential = Math.Min(options.MaxDelay.Ticks, options.BaseDelay.Ticks * Math.Pow(2, Math.Min(failedAttempt - 1, 62)));
        return TimeSpan.FromTicks((long)(exponential * (0.5 + Random.Shared.NextDouble() * 0.5)));
    }

    private static async Task<bool> HandWrittenTransferAsync(NpgsqlDataSource dataSource, Transfer t, Counters counters)
    {
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref counters.Attempts);
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync();
                await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.Serializable);
                try
                {
                    await using (var select = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = $1", connection, transaction))
                    {
                        select.Parameters.Add(new NpgsqlParameter<int> { TypedValue = t.From });
                        var balance = (long)(await select.ExecuteScalarAsync())!;
                        if (balance < t.Amount)
                            throw new InvalidOperationException("balances are large enough never to run out");
                    }

                    await using (var debit = new NpgsqlCommand("UPDATE accounts SET balance = balance - $1 WHERE id = $2", connection, transaction))
                    {
                        debit.Parameters.Add(new NpgsqlParameter<long> { TypedValue = t.Amount });
                        debit.Parameters.Add(new NpgsqlParameter<int> { TypedValue = t.From });
                        await debit.ExecuteNonQueryAsync();
                    }

                    await using (var credit = new NpgsqlCommand("UPDATE accounts SET balance = balance + $1 WHERE id = $2", connection, transaction))
                    {
                        credit.Parameters.Add(new NpgsqlParameter<long> { TypedValue = t.Amount });
                        credit.Parameters.Add(new NpgsqlParameter<int> { TypedValue = t.To });
                        await credit.ExecuteNonQueryAsync();
                    }

                    await using (var log = new NpgsqlCommand("INSERT INTO transfers (from_id, to_id, amount) VALUES ($1, $2, $3)", connection, transaction))
                    {
                        log.Parameters.Add(new NpgsqlParameter<int> { TypedValue = t.From });
                        log.Parameters.Add(new NpgsqlParameter<int> { TypedValue = t.To });
                        log.Parameters.Add(new NpgsqlParameter<long> { TypedValue = t.Amount });
                        await log.ExecuteNonQueryAsync();
                    }
                }
                catch (PostgresException e) when (IsRetryable(e))
                {
                    await transaction.RollbackAsync();
                    throw;
                }

                await transaction.CommitAsync(); // a 40001 found at COMMIT leaves nothing to roll back
                Interlocked.Increment(ref counters.Commits);
                return true;
            }
            catch (PostgresException e) when (IsRetryable(e))
            {
                Interlocked.Increment(ref e.SqlState == PostgresErrorCodes.DeadlockDetected ? ref counters.Deadlocks : ref counters.SerializationFailures);
                if (attempt >= Options.MaxAttempts)
                {
                    Interlocked.Increment(ref counters.GaveUp);
                    return false;
                }
            }

            await Task.Delay(Backoff(Options, attempt));
        }
    }

    private static async Task<bool> ScopeTransferAsync(NpgsqlDataSource dataSource, Transfer t, Counters counters)
    {
        try
        {
            await dataSource.InTransactionAsync(Options, (t, counters), static async (tx, s, ct) =>
            {
                Interlocked.Increment(ref s.counters.Attempts);
                var balance = await tx.ExecuteScalarAsync<long>($"SELECT balance FROM accounts WHERE id = {s.t.From}", ct);
                if (balance < s.t.Amount)
                    throw new InvalidOperationException("balances are large enough never to run out");
                await tx.ExecuteAsync($"UPDATE accounts SET balance = balance - {s.t.Amount} WHERE id = {s.t.From}", ct);
                await tx.ExecuteAsync($"UPDATE accounts SET balance = balance + {s.t.Amount} WHERE id = {s.t.To}", ct);
                await tx.ExecuteAsync($"INSERT INTO transfers (from_id, to_id, amount) VALUES ({s.t.From}, {s.t.To}, {s.t.Amount})", ct);
            });
            Interlocked.Increment(ref counters.Commits);
            return true;
        }
        catch (PgRetriesExhaustedException)
        {
            Interlocked.Increment(ref counters.GaveUp);
            return false;
        }
    }

    /// <summary>
    /// Counts the 40001/40P01 and connection retries transaction scopes meet, from PgBorrow's meter (the scope does
    /// not tell its body), into the counters of the run in progress. Runs do not overlap, so every measurement
    /// belongs to the run whose counters were set last.
    /// </summary>
    private sealed class ScopeFailureListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private Counters? _current;

        public ScopeFailureListener()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == PgBorrowTelemetry.Name
                    && instrument.Name is PgBorrowTelemetry.SerializationFailures or PgBorrowTelemetry.ConnectionRetries)
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>(OnMeasurement);
            _listener.Start();
        }

        /// <summary>Counts into <paramref name="counters"/> from now on; null between runs.</summary>
        public void CountInto(Counters? counters) => Volatile.Write(ref _current, counters);

        private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            if (Volatile.Read(ref _current) is not { } counters)
                return;
            if (instrument.Name == PgBorrowTelemetry.ConnectionRetries)
            {
                Interlocked.Add(ref counters.ConnectionRetries, value);
                return;
            }

            foreach (var tag in tags)
            {
                if (tag.Key == PgBorrowTelemetry.SqlStateTag)
                    Interlocked.Add(ref tag.Value as string == PostgresErrorCodes.DeadlockDetected ? ref counters.Deadlocks : ref counters.SerializationFailures, value);
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
