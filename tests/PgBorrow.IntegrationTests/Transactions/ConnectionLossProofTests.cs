using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Transactions;

/// <summary>
/// Backends terminated mid-body under load: 32 workers run scopes that each insert one row for a call id of
/// their own, while an admin session keeps terminating the workers' backends. Every call must end committed
/// exactly once or surface an exception that says what is known; a loss before COMMIT is retried, counted,
/// and never surfaces while attempts remain.
/// </summary>
public sealed class ConnectionLossProofTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    private const string WorkerApplication = "pgb_connection_loss_worker";
    private const int Workers = 32;
    private const int MaxAttempts = 6;
    private static readonly TimeSpan LoadDuration = TimeSpan.FromSeconds(6);

    // Other test classes run scopes in parallel: only measurements recorded in this test's own flow count.
    private static readonly AsyncLocal<bool> Mine = new();

    protected override async Task SetUpAsync()
    {
        // No key on call_id: a call that committed twice would show as two rows.
        await Db.ExecuteAsync("""
            DROP TABLE IF EXISTS connection_loss_items;
            CREATE TABLE connection_loss_items (call_id bigint NOT NULL, attempt integer NOT NULL, pid integer NOT NULL);
            """);
    }

    [PgFact]
    public async Task Backends_terminated_mid_body_are_retried_and_every_call_commits_once_or_says_why()
    {
        var attemptsRecorded = 0L;
        var connectionRetries = 0L;
        var retrySqlStates = new ConcurrentDictionary<string, int>();
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PgBorrowTelemetry.Name
                && instrument.Name is PgBorrowTelemetry.TransactionAttempts or PgBorrowTelemetry.ConnectionRetries)
                listener.EnableMeasurementEvents(instrument);
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (!Mine.Value)
                return;
            if (instrument.Name == PgBorrowTelemetry.TransactionAttempts)
            {
                Interlocked.Add(ref attemptsRecorded, value);
                return;
            }

            Interlocked.Add(ref connectionRetries, value);
            foreach (var tag in tags)
                if (tag.Key == PgBorrowTelemetry.SqlStateTag)
                    retrySqlStates.AddOrUpdate((string)tag.Value!, 1, (_, n) => n + 1);
        });
        meterListener.Start();

        await using var workers = Db.CreateDataSource(b =>
        {
            b.ApplicationName = WorkerApplication;
            b.MaxPoolSize = Workers + 4;
        });
        var options = PgTransactionOptions.Default with
        {
            IsolationLevel = System.Data.IsolationLevel.ReadCommitted, // distinct rows: no serialization failures to tell apart
            MaxAttempts = MaxAttempts,
            BaseDelay = TimeSpan.FromMilliseconds(1),
            MaxDelay = TimeSpan.FromMilliseconds(20),
        };

        var succeeded = new ConcurrentDictionary<long, int>(); // call id -> the attempt that returned
        var failed = new ConcurrentDictionary<long, Exception>();
        var nextCallId = 0L;
        using var stop = new CancellationTokenSource(LoadDuration);

        Mine.Value = true;
        var terminations = TerminateWorkersAsync(stop.Token);
        var load = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var callId = Interlocked.Increment(ref nextCallId);
                try
                {
                    var attempt = await workers.InTransactionAsync(options, callId, static async (tx, id, ct) =>
                    {
                        await tx.ExecuteAsync($"INSERT INTO connection_loss_items VALUES ({id}, {tx.Attempt}, pg_backend_pid())", ct);
                        await tx.ExecuteAsync("SELECT pg_sleep(0.02)", ct); // the window in which the admin session terminates it mid-body
                        return tx.Attempt;
                    }, Ct);
                    succeeded[callId] = attempt;
                }
                catch (Exception e)
                {
                    failed[callId] = e;
                }
            }
        })).ToList();
        await Task.WhenAll(load);
        var terminated = await terminations;
        Mine.Value = false;
        meterListener.Dispose();

        var rows = new Dictionary<long, List<int>>(); // call id -> the attempts whose rows committed
        await using (var connection = await Db.DataSource.OpenConnectionAsync(Ct))
        await using (var command = new NpgsqlCommand("SELECT call_id, attempt FROM connection_loss_items", connection))
        await using (var reader = await command.ExecuteReaderAsync(Ct))
        {
            while (await reader.ReadAsync(Ct))
            {
                var callId = reader.GetInt64(0);
                if (!rows.TryGetValue(callId, out var attempts))
                    rows[callId] = attempts = [];
                attempts.Add(reader.GetInt32(1));
            }
        }

        var calls = succeeded.Count + failed.Count;
        Assert.True(terminated >= 10, $"the admin session terminated only {terminated} backends");
        Assert.True(calls >= Workers, $"only {calls} calls ran; terminated {terminated}, retries {connectionRetries}, attempts {attemptsRecorded}, ok {succeeded.Count}, failed {failed.Count}: {string.Join(", ", failed.Values.GroupBy(e => e.GetType().Name).Select(g => g.Key + " " + g.Count()))}");

        // No call committed twice; every row belongs to a call that was made.
        Assert.All(rows, r => Assert.Single(r.Value));
        Assert.All(rows.Keys, id => Assert.True(succeeded.ContainsKey(id) || failed.ContainsKey(id)));

        // A call that returned committed exactly once, in the attempt it reported.
        foreach (var (callId, attempt) in succeeded)
        {
            Assert.True(rows.TryGetValue(callId, out var committed), $"call {callId} returned (attempt {attempt}) but its row is missing");
            Assert.Equal(attempt, Assert.Single(committed));
        }

        // A call that threw says what is known: lost before COMMIT (nothing committed, only once every attempt
        // was used up) or outcome unknown at COMMIT (zero or one row). Nothing else surfaces.
        foreach (var (callId, exception) in failed)
        {
            switch (exception)
            {
                case PgConnectionLostException lost:
                    Assert.False(rows.ContainsKey(callId), $"call {callId} was reported lost before COMMIT but its row committed");
                    Assert.Equal(MaxAttempts, lost.Attempts);
                    Assert.False(lost.OnCallersConnection);
                    break;
                case PgCommitOutcomeUnknownException:
                    break;
                default:
                    Assert.Fail($"call {callId} surfaced {exception}");
                    break;
            }
        }

        // Losses before COMMIT were retried (and counted), and the retried calls then committed.
        Assert.Contains(succeeded.Values, attempt => attempt > 1);
        Assert.True(connectionRetries > 0, "no connection retry was counted");
        Assert.Equal(calls + connectionRetries, attemptsRecorded); // every attempt after the first was a counted connection retry
        Assert.Contains(PostgresErrorCodes.AdminShutdown, retrySqlStates.Keys);
    }

    /// <summary>From its own session, every few milliseconds terminates a random share of the workers' backends that are mid-body (in pg_sleep, or between statements).</summary>
    private async Task<int> TerminateWorkersAsync(CancellationToken stop)
    {
        await using var admin = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::integer FROM pg_stat_activity
            WHERE datname = current_database() AND application_name = $1
              AND (state = 'idle in transaction' OR (state = 'active' AND starts_with(query, 'SELECT pg_sleep')))
              AND random() < 0.3
            """, admin);
        command.Parameters.AddWithValue(WorkerApplication);
        await Task.Delay(200, Ct); // let the workers get going first
        var terminated = 0;
        while (!stop.IsCancellationRequested)
        {
            terminated += (int)(await command.ExecuteScalarAsync(Ct))!;
            await Task.Delay(15, Ct);
        }

        return terminated;
    }
}
