using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics;
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
/// Reported per run: committed transfers per second, attempts per commit, retries per commit, transfers given
/// up (retries exhausted). After every run the invariants are checked: the sum of balances is unchanged,
/// and the transfers log holds exactly as many rows as transfers the workers saw commit.
/// </summary>
internal static class Throughput
{
    private const long InitialBalance = 1_000_000;

    private sealed class Counters
    {
        public long Commits;
        public long CommitsInWindow; // committed before the window closed: the rate's numerator
        public long Attempts;
        public long GaveUp;
        public long SerializationFailures; // hand-written only: the scope does not tell its body
        public long Deadlocks;
    }

    private sealed record Transfer(int From, int To, long Amount);

    public static async Task<int> RunAsync(TimeSpan duration, int rounds, int accounts, int[] workerCounts)
    {
        var options = PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.Serializable, MaxAttempts = 10 };
        await using var dataSource = TxDatabase.CreateDataSource();
        await using var admin = await dataSource.OpenConnectionAsync();
        var contenders = new[] { "hand-written retry loop", "InTransactionAsync" };
        var results = new List<(int Workers, int Round, string Contender, double PerSecond, double AttemptsPerCommit, long Commits, long GaveUp, long Failures40001, long Deadlocks, string Load, bool Ok)>();
        var failed = false;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Throughput: {accounts} accounts, SERIALIZABLE, MaxAttempts {options.MaxAttempts}, backoff {options.BaseDelay.TotalMilliseconds} ms doubling to {options.MaxDelay.TotalMilliseconds} ms; {duration.TotalSeconds} s per contender per round, {rounds} rounds, order alternating. Load at start: {Stats.LoadAverage()}"));
        foreach (var workers in workerCounts)
        {
            // Round 0 is a 1-second warm-up of each contender (JIT, pool growth to `workers` connections), not reported.
            for (var round = 0; round <= rounds; round++)
            {
                for (var k = 0; k < contenders.Length; k++)
                {
                    var contender = contenders[(round + k + 1) % contenders.Length]; // round 1: hand-written first
                    await TxDatabase.ResetAccountsAsync(admin, accounts, InitialBalance);
                    var counters = new Counters();
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
                            var transfer = new Transfer(from, to, random.Next(1, 100));
                            var committed = contender == contenders[0]
                                ? await HandWrittenTransferAsync(dataSource, options, transfer, counters)
                                : await ScopeTransferAsync(dataSource, options, transfer, counters);
                            if (committed && Stopwatch.GetTimestamp() <= stopAt)
                                Interlocked.Increment(ref counters.CommitsInWindow);
                        }
                    })).ToArray();
                    await Task.WhenAll(tasks);
                    // The rate counts commits inside the window; transfers still running when it closes (one may be
                    // in a backoff of up to MaxDelay) finish, and are checked, but do not count.
                    var elapsed = round == 0 ? 1 : duration.TotalSeconds;
                    var drained = Stopwatch.GetElapsedTime(started).TotalSeconds;
                    var load = Stats.LoadAverage();

                    var sum = await TxDatabase.ScalarAsync(admin, "SELECT sum(balance) FROM accounts");
                    var logged = await TxDatabase.ScalarAsync(admin, "SELECT count(*) FROM transfers");
                    var ok = sum == accounts * InitialBalance && logged == counters.Commits;
                    failed |= !ok;
                    if (round == 0)
                    {
                        Console.WriteLine($"  workers {workers,2} warm-up {contender}: invariant {(ok ? "ok" : "VIOLATED")}");
                        continue;
                    }

                    results.Add((workers, round, contender, counters.CommitsInWindow / elapsed, counters.Attempts / (double)Math.Max(1, counters.Commits),
                        counters.Commits, counters.GaveUp, counters.SerializationFailures, counters.Deadlocks, load, ok));
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  workers {workers,2} round {round} {contender,-24} {counters.CommitsInWindow / elapsed,8:F1} commits/s (all done after {drained:F2} s)  {counters.Attempts / (double)Math.Max(1, counters.Commits):F2} attempts/commit  gave up {counters.GaveUp}  "
                        + $"invariant: sum {sum} (expected {accounts * InitialBalance}), logged {logged} (commits {counters.Commits}) {(ok ? "ok" : "VIOLATED")}  load {load}"));
                }
            }
        }

        Console.WriteLine();
        Console.WriteLine("| Workers | Round | Contender | Commits/s | Attempts per commit | Retries per commit | Commits | Gave up | 40001 / 40P01 seen (hand-written) | Invariant | Load (1/5/15 min) |");
        Console.WriteLine("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        foreach (var r in results)
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Workers} | {r.Round} | {r.Contender} | {r.PerSecond:F1} | {r.AttemptsPerCommit:F2} | {r.AttemptsPerCommit - 1 - r.GaveUp / (double)Math.Max(1, r.Commits):F2} | {r.Commits} | {r.GaveUp} | {(r.Contender == contenders[0] ? $"{r.Failures40001} / {r.Deadlocks}" : "n/a")} | {(r.Ok ? "ok" : "VIOLATED")} | {r.Load} |"));

        Console.WriteLine();
        Console.WriteLine("| Workers | Hand-written commits/s, median | InTransactionAsync commits/s, median | Ratio per round (scope / hand-written) | Median ratio | Attempts per commit, hand / scope (median) |");
        Console.WriteLine("| ---: | ---: | ---: | --- | ---: | ---: |");
        foreach (var workers in workerCounts)
        {
            var hand = results.Where(r => r.Workers == workers && r.Contender == contenders[0]).OrderBy(r => r.Round).ToList();
            var scope = results.Where(r => r.Workers == workers && r.Contender == contenders[1]).OrderBy(r => r.Round).ToList();
            var ratios = scope.Zip(hand, (s, h) => s.PerSecond / h.PerSecond).ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {workers} | {Stats.Median(hand.Select(r => r.PerSecond).ToList()):F1} | {Stats.Median(scope.Select(r => r.PerSecond).ToList()):F1} | {string.Join(", ", ratios.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)))} | {Stats.Median(ratios):F2} "
                + $"| {Stats.Median(hand.Select(r => r.AttemptsPerCommit).ToList()):F2} / {Stats.Median(scope.Select(r => r.AttemptsPerCommit).ToList()):F2} |"));
        }

        Console.WriteLine();
        Console.WriteLine($"Load at end: {Stats.LoadAverage()}");
        Console.WriteLine(failed ? "throughput: INVARIANT VIOLATED" : "throughput: invariants held in every run");
        return failed ? 1 : 0;
    }

    private static bool IsRetryable(PostgresException e)
        => e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected;

    /// <summary>The scope's backoff, written out: min(MaxDelay, BaseDelay * 2^(attempt-1)), jittered to [1/2, 1].</summary>
    private static TimeSpan Backoff(PgTransactionOptions options, int failedAttempt)
    {
        var exponential = Math.Min(options.MaxDelay.Ticks, options.BaseDelay.Ticks * Math.Pow(2, Math.Min(failedAttempt - 1, 62)));
        return TimeSpan.FromTicks((long)(exponential * (0.5 + Random.Shared.NextDouble() * 0.5)));
    }

    private static async Task<bool> HandWrittenTransferAsync(NpgsqlDataSource dataSource, PgTransactionOptions options, Transfer t, Counters counters)
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
                if (attempt >= options.MaxAttempts)
                {
                    Interlocked.Increment(ref counters.GaveUp);
                    return false;
                }
            }

            await Task.Delay(Backoff(options, attempt));
        }
    }

    private static async Task<bool> ScopeTransferAsync(NpgsqlDataSource dataSource, PgTransactionOptions options, Transfer t, Counters counters)
    {
        try
        {
            await dataSource.InTransactionAsync(options, (t, counters), static async (tx, s, ct) =>
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
}
