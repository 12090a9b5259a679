using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ExternalServices;
using Npgsql;
using Xunit;
using Xunit.Abstractions;
using Right = PgBorrow.Samples.Showcase.Right;
using Wrong = PgBorrow.Samples.Showcase.Wrong;

namespace PgBorrow.IntegrationTests;

/// <summary>
/// What PGB101 and PGB102 warn about, observed on a real server with the Showcase's services.
/// PGB101: while the Wrong/ service awaits a slow payment provider with the order's row locked,
/// another session that wants the row waits for the provider too (measured, and seen in
/// pg_stat_activity and pg_locks from a third session); with the Right/ service it does not wait.
/// PGB102: while the Wrong/ report awaits the rate service, its session is idle in transaction with a
/// snapshot, and VACUUM cannot remove the row versions that snapshot can still see.
/// </summary>
public sealed class LockProofTests : IClassFixture<PgDatabaseFixture>, IAsyncLifetime
{
    /// <summary>How long the fake payment provider takes to answer.</summary>
    private static readonly TimeSpan ProviderLatency = TimeSpan.FromSeconds(1.5);

    /// <summary>Upper bound for any single wait in these tests, so that a failure cannot hang CI.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    private const int OrderId = 1;

    private readonly PgDatabaseFixture _db;
    private readonly ITestOutputHelper _output;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public LockProofTests(PgDatabaseFixture db, ITestOutputHelper output)
    {
        _db = db;
        _output = output;
    }

    private CancellationToken Ct => _timeout.Token;

    public async Task InitializeAsync()
    {
        await _db.ResetAsync();
        await _db.ExecuteAsync("INSERT INTO orders (account_id, amount) VALUES (2, 20)"); // order 1, 'pending'
    }

    public Task DisposeAsync()
    {
        _timeout.Dispose();
        return Task.CompletedTask;
    }

    [PgFact]
    public async Task Pgb101_wrong_another_session_waits_for_the_payment_provider_until_the_commit()
    {
        var provider = new SlowPaymentProvider(ProviderLatency, status: "paid");
        var service = new Wrong.PaymentSyncService(_db.DataSource, provider);
        await using var waiter = await OpenWaiterAsync();
        await using var waiterTransaction = await BeginBoundedTransactionAsync(waiter);

        var sync = service.SyncPaymentStatusAsync(OrderId, Ct);
        await provider.Called.Task.WaitAsync(Bound, Ct); // the order's row is locked now, the provider is "on the network"

        var stopwatch = Stopwatch.StartNew();
        var locking = LockOrderAsync(waiter, waiterTransaction);
        var seen = await ObserveLockWaitAsync(waiter.ProcessID, locking);
        var statusSeenByWaiter = await locking.WaitAsync(Bound, Ct);
        var acquiredAt = Stopwatch.GetTimestamp();
        stopwatch.Stop();
        _output.WriteLine($"PGB101 Wrong/: the second session waited {stopwatch.ElapsedMilliseconds} ms for the row "
            + $"(provider latency {ProviderLatency.TotalMilliseconds} ms); seen from a third session: {seen}");

        // Seen from a third session while it waited: blocked on a lock held by the service's session,
        // which is idle in transaction (waiting for the provider, not for PostgreSQL).
        Assert.NotNull(seen);
        Assert.Equal("Lock", seen!.WaitEventType);
        Assert.True(seen.UngrantedLocks > 0, "pg_locks shows no ungranted lock for the waiting session.");
        Assert.NotEmpty(seen.BlockingPids);
        Assert.Equal("idle in transaction", seen.BlockerState);

        // Measured: it got the row only after the provider answered and the service committed ...
        Assert.True(stopwatch.Elapsed >= ProviderLatency - TimeSpan.FromMilliseconds(500),
            $"The second session got the row after {stopwatch.ElapsedMilliseconds} ms; it should have waited for the provider ({ProviderLatency.TotalMilliseconds} ms).");
        Assert.True(acquiredAt > provider.ReturnedAt, "The second session got the row before the provider answered.");
        Assert.Equal("paid", statusSeenByWaiter); // ... and read the version the service committed
        await waiterTransaction.RollbackAsync(Ct);
        Assert.True(await sync.WaitAsync(Bound, Ct));
    }

    [PgFact]
    public async Task Pgb101_right_another_session_gets_the_row_while_the_provider_is_still_answering()
    {
        var provider = new SlowPaymentProvider(ProviderLatency, status: "paid");
        var service = new Right.PaymentSyncService(_db.DataSource, provider);
        await using var waiter = await OpenWaiterAsync();
        await using var waiterTransaction = await BeginBoundedTransactionAsync(waiter);

        var sync = service.SyncPaymentStatusAsync(OrderId, Ct);
        await provider.Called.Task.WaitAsync(Bound, Ct); // the provider is "on the network", no transaction yet

        var stopwatch = Stopwatch.StartNew();
        var statusSeenByWaiter = await LockOrderAsync(waiter, waiterTransaction).WaitAsync(Bound, Ct);
        stopwatch.Stop();
        _output.WriteLine($"PGB101 Right/: the second session got the row after {stopwatch.ElapsedMilliseconds} ms "
            + $"(provider latency {ProviderLatency.TotalMilliseconds} ms)");

        Assert.False(sync.IsCompleted, "The service finished before the second session locked the row: the test proves nothing.");
        Assert.True(stopwatch.Elapsed < ProviderLatency / 2,
            $"The second session needed {stopwatch.ElapsedMilliseconds} ms to lock a row nobody should hold.");
        Assert.Equal("pending", statusSeenByWaiter);
        Assert.Equal(0, await UngrantedLocksAsync()); // nobody in this database waits for a lock

        await waiterTransaction.RollbackAsync(Ct); // release the row for the service's short transaction
        Assert.True(await sync.WaitAsync(Bound, Ct));
        Assert.Equal([(2, 20, "paid")], await _db.OrdersAsync());
    }

    [PgFact]
    public async Task Pgb102_wrong_the_report_is_idle_in_transaction_and_its_snapshot_keeps_dead_rows_from_vacuum()
    {
        var rates = new GatedExchangeRates(rate: 0.5m);
        var report = new Wrong.BalanceReportService(_db.DataSource, rates).GetReportAsync("EUR", Ct);
        await rates.Called.Task.WaitAsync(Bound, Ct); // the first total is read; the rate is "on the network"

        try
        {
            var idle = await IdleInTransactionSessionsAsync();
            Assert.Single(idle);
            Assert.True(idle[0].HasXmin, "The idle-in-transaction report session has no backend_xmin.");

            // Rows that die now stay visible to the report's snapshot: VACUUM must keep them.
            await _db.ExecuteAsync("UPDATE accounts SET balance = balance + 1");
            var (dead, vacuumReport) = await VacuumAccountsAsync();
            _output.WriteLine($"PGB102 Wrong/: VACUUM during the rate call: {vacuumReport}");
            Assert.True(dead >= 3, $"VACUUM reported {dead} dead but not yet removable row versions; expected the 3 old account rows.");
        }
        finally
        {
            rates.Release.TrySetResult();
        }

        var result = await report.WaitAsync(Bound, Ct);
        Assert.Equal(150 * 0.5m, result.TotalBalances); // read before the UPDATE: the seed's 100 + 50 + 0
        Assert.Equal(20 * 0.5m, result.PendingOrders);
    }

    [PgFact]
    public async Task Pgb102_right_the_rate_call_happens_with_no_transaction_open()
    {
        var rates = new GatedExchangeRates(rate: 0.5m);
        var report = new Right.BalanceReportService(_db.DataSource, rates).GetReportAsync("EUR", Ct);
        await rates.Called.Task.WaitAsync(Bound, Ct); // both totals are read and committed

        try
        {
            Assert.Empty(await IdleInTransactionSessionsAsync());
            await _db.ExecuteAsync("UPDATE accounts SET balance = balance + 1");
            var (dead, vacuumReport) = await VacuumAccountsAsync();
            _output.WriteLine($"PGB102 Right/: VACUUM during the rate call: {vacuumReport}");
            Assert.Equal(0, dead);
        }
        finally
        {
            rates.Release.TrySetResult();
        }

        var result = await report.WaitAsync(Bound, Ct);
        Assert.Equal(150 * 0.5m, result.TotalBalances);
        Assert.Equal(20 * 0.5m, result.PendingOrders);
    }

    /// <summary>The second session's connection: its own, so that it can wait while others look.</summary>
    private async Task<NpgsqlConnection> OpenWaiterAsync() => await _db.DataSource.OpenConnectionAsync(Ct);

    /// <summary>A transaction whose lock waits end after 10 s at most (lock_timeout), whatever happens.</summary>
    private async Task<NpgsqlTransaction> BeginBoundedTransactionAsync(NpgsqlConnection connection)
    {
        var transaction = await connection.BeginTransactionAsync(Ct);
        await using var setting = new NpgsqlCommand("SET LOCAL lock_timeout = '10s'", connection, transaction);
        await setting.ExecuteNonQueryAsync(Ct);
        return transaction;
    }

    /// <summary>What another buyer or job does: lock the order's row; returns the status it reads.</summary>
    private async Task<string> LockOrderAsync(NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand("SELECT status FROM orders WHERE id = $1 FOR UPDATE", connection, transaction);
        command.CommandTimeout = 15;
        command.Parameters.AddWithValue(OrderId);
        return (string)(await command.ExecuteScalarAsync(Ct))!;
    }

    private sealed record LockWait(string WaitEventType, string? WaitEvent, int UngrantedLocks, int[] BlockingPids, string? BlockerState)
    {
        public override string ToString()
            => $"wait_event_type = {WaitEventType}, wait_event = {WaitEvent}, ungranted pg_locks rows = {UngrantedLocks}, "
            + $"blocked by pid {string.Join(", ", BlockingPids)} ({BlockerState})";
    }

    /// <summary>
    /// From a third session, polls until <paramref name="pid"/> is seen waiting on a lock (returns what
    /// was seen), or until <paramref name="waiting"/> ends without that (returns null).
    /// </summary>
    private async Task<LockWait?> ObserveLockWaitAsync(int pid, Task waiting)
    {
        var deadline = Stopwatch.StartNew();
        await using var observer = await _db.DataSource.OpenConnectionAsync(Ct);
        while (!waiting.IsCompleted && deadline.Elapsed < Bound)
        {
            await using (var command = new NpgsqlCommand("""
                SELECT a.wait_event_type, a.wait_event,
                       (SELECT count(*) FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted)::int,
                       pg_blocking_pids(a.pid),
                       (SELECT b.state FROM pg_stat_activity b WHERE b.pid = (pg_blocking_pids(a.pid))[1])
                FROM pg_stat_activity a
                WHERE a.pid = $1
                """, observer))
            {
                command.Parameters.AddWithValue(pid);
                await using var reader = await command.ExecuteReaderAsync(Ct);
                if (await reader.ReadAsync(Ct) && !reader.IsDBNull(0) && reader.GetString(0) == "Lock")
                {
                    return new LockWait(
                        reader.GetString(0),
                        reader.IsDBNull(1) ? null : reader.GetString(1),
                        reader.GetInt32(2),
                        reader.GetFieldValue<int[]>(3),
                        reader.IsDBNull(4) ? null : reader.GetString(4));
                }
            }
            await Task.Delay(10, Ct);
        }
        return null;
    }

    /// <summary>Lock requests that are waiting (pg_locks.granted = false) in this database.</summary>
    private async Task<int> UngrantedLocksAsync()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand("""
            SELECT count(*)::int FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE NOT l.granted AND a.datname = current_database()
            """, connection);
        return (int)(await command.ExecuteScalarAsync(Ct))!;
    }

    /// <summary>Other sessions of this database that are idle in transaction, and whether they hold a snapshot.</summary>
    private async Task<List<(int Pid, bool HasXmin)>> IdleInTransactionSessionsAsync()
    {
        var sessions = new List<(int, bool)>();
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand("""
            SELECT pid, backend_xmin IS NOT NULL FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'idle in transaction'
            """, connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
            sessions.Add((reader.GetInt32(0), reader.GetBoolean(1)));
        return sessions;
    }

    /// <summary>
    /// VACUUM (VERBOSE) accounts; returns how many row versions it found dead but not yet removable
    /// (still visible to some snapshot), and its report line.
    /// </summary>
    private async Task<(int Dead, string Report)> VacuumAccountsAsync()
    {
        var notices = new List<string>();
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        connection.Notice += (_, e) => { lock (notices) notices.Add(e.Notice.MessageText + " " + e.Notice.Detail); };
        await using (var vacuum = new NpgsqlCommand("VACUUM (VERBOSE) accounts", connection))
            await vacuum.ExecuteNonQueryAsync(Ct);

        lock (notices)
        {
            foreach (var notice in notices)
            {
                var match = Regex.Match(notice, @"tuples: (\d+) removed, (\d+) remain, (\d+) are dead but not yet removable");
                if (match.Success)
                    return (int.Parse(match.Groups[3].Value), match.Value);
            }
        }
        throw new InvalidOperationException("VACUUM VERBOSE reported no tuple counts:\n" + string.Join("\n", notices));
    }

    /// <summary>The payment provider's HTTP API, slow: it says when it is called and when it answered.</summary>
    private sealed class SlowPaymentProvider : IPaymentProvider
    {
        private readonly TimeSpan _latency;
        private readonly string _status;

        public SlowPaymentProvider(TimeSpan latency, string status)
        {
            _latency = latency;
            _status = status;
        }

        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Stopwatch timestamp of the answer.</summary>
        public long ReturnedAt { get; private set; } = long.MaxValue;

        public async Task<string> GetPaymentStatusAsync(int orderId, CancellationToken cancellationToken)
        {
            Called.TrySetResult();
            await Task.Delay(_latency, cancellationToken);
            ReturnedAt = Stopwatch.GetTimestamp();
            return _status;
        }
    }

    /// <summary>The rate service's HTTP API, answering only when the test releases it.</summary>
    private sealed class GatedExchangeRates : IExchangeRates
    {
        private readonly decimal _rate;

        public GatedExchangeRates(decimal rate) => _rate = rate;

        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<decimal> GetRateAsync(string currency, CancellationToken cancellationToken)
        {
            Called.TrySetResult();
            await Release.Task.WaitAsync(Bound, cancellationToken);
            return _rate;
        }
    }
}
