using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Notifications;

/// <summary>
/// ListenAsync and NotifyAsync against a real server: order, several channels, exact names and payloads, transactional
/// delivery, keepalive probes, reconnecting after the backend is terminated, cancellation, and argument checks.
/// </summary>
public sealed class ListenTests : IClassFixture<PgDatabaseFixture>, IDisposable
{
    private static readonly PgListenOptions Quick = PgListenOptions.Default with
    {
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(10),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(100),
    };

    private readonly PgDatabaseFixture _db;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public ListenTests(PgDatabaseFixture db) => _db = db;

    private CancellationToken Ct => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    [PgFact]
    public async Task Yields_Listening_first_then_every_notification_in_order()
    {
        var (stream, listening) = await NotificationStream.StartAsync(_db.DataSource.ListenAsync("jobs", Ct), Ct);
        await using (stream)
        {
            Assert.Equal(0, listening.Reconnects);
            await using var sender = await _db.DataSource.OpenConnectionAsync(Ct);
            for (var i = 0; i < 50; i++)
                await sender.NotifyAsync("jobs", $"job {i}", Ct);

            for (var i = 0; i < 50; i++)
            {
                var notification = await stream.NextNotificationAsync();
                Assert.Equal(PgNotificationKind.Notification, notification.Kind);
                Assert.False(notification.RequiresResync);
                Assert.Equal("jobs", notification.Channel);
                Assert.Equal($"job {i}", notification.Payload);
                Assert.Equal(sender.ProcessID, notification.ProcessId);
                Assert.Equal(listening.ListenerProcessId, notification.ListenerProcessId);
            }
        }
    }

    [PgFact]
    public async Task Listens_on_several_channels_by_their_exact_names()
    {
        string[] channels = ["orders", "Orders", "with space", "quo\"te", "naïve-ß"];
        var (stream, _) = await NotificationStream.StartAsync(_db.DataSource.ListenAsync(channels, Quick, Ct), Ct);
        await using (stream)
        {
            await _db.DataSource.NotifyAsync("ORDERS", "not listened to", Ct); // channel names are case-sensitive
            foreach (var channel in channels)
                await _db.DataSource.NotifyAsync(channel, "to " + channel, Ct);

            foreach (var channel in channels)
            {
                var notification = await stream.NextNotificationAsync();
                Assert.Equal(channel, notification.Channel);
                Assert.Equal("to " + channel, notification.Payload);
            }
        }
    }

    [PgFact]
    public async Task Payloads_with_quotes_and_unicode_arrive_unchanged()
    {
        string?[] payloads = ["it's \"quoted\" \\ ; -- $1 ' || pg_sleep(10) || '", "żółć 漢字 😀 \u00e9\u0301", "", null, "line\nbreak\ttab"];
        var (stream, _) = await NotificationStream.StartAsync(_db.DataSource.ListenAsync("payloads", Ct), Ct);
        await using (stream)
        {
            foreach (var payload in payloads)
                await _db.DataSource.NotifyAsync("payloads", payload, Ct);

            foreach (var payload in payloads)
                Assert.Equal(payload ?? "", (await stream.NextNotificationAsync()).Payload);
        }
    }

    [PgFact]
    public async Task A_notification_sent_in_a_transaction_arrives_at_commit_and_never_after_rollback()
    {
        var (stream, _) = await NotificationStream.StartAsync(_db.DataSource.ListenAsync("tx", Ct), Ct);
        await using (stream)
        {
            await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
            await using (var transaction = await connection.BeginTransactionAsync(Ct))
            {
                await transaction.NotifyAsync("tx", "committed", Ct);
                Assert.True(await stream.NothingWithinAsync(TimeSpan.FromMilliseconds(300)), "Delivered before COMMIT.");
                await transaction.CommitAsync(Ct);
            }

            Assert.Equal("committed", (await stream.NextNotificationAsync()).Payload);

            await using (var transaction = await connection.BeginTransactionAsync(Ct))
            {
                await transaction.NotifyAsync("tx", "rolled back", Ct);
                await transaction.RollbackAsync(Ct);
            }

            await _db.DataSource.NotifyAsync("tx", "after the rollback", Ct);
            Assert.Equal("after the rollback", (await stream.NextNotificationAsync()).Payload);
        }
    }

    [PgFact]
    public async Task A_notification_sent_in_a_retried_scope_arrives_once_from_the_attempt_that_committed()
    {
        var (stream, _) = await NotificationStream.StartAsync(_db.DataSource.ListenAsync("scope", Ct), Ct);
        await using (stream)
        {
            await _db.DataSource.InTransactionAsync(
                PgTransactionOptions.Default with { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) },
                async (tx, ct) =>
                {
                    await tx.NotifyAsync("scope", $"attempt {tx.Attempt}", ct);
                    if (tx.Attempt == 1)
                        await tx.ExecuteAsync("DO $$ BEGIN RAISE EXCEPTION 'simulated' USING ERRCODE = 'serialization_failure'; END $$", ct);
                },
                Ct);
            await _db.DataSource.NotifyAsync("scope", "sentinel", Ct);

            Assert.Equal("attempt 2", (await stream.NextNotificationAsync()).Payload);
            Assert.Equal("sentinel", (await stream.NextNotificationAsync()).Payload);
        }
    }

    [PgFact]
    public async Task Probes_an_idle_connection_and_keeps_delivering()
    {
        var options = Quick with { KeepAliveInterval = TimeSpan.FromMilliseconds(50) };
        var (stream, listening) = await NotificationStream.StartAsync(_db.DataSource.ListenAsync("idle", options, Ct), Ct);
        await using (stream)
        {
            // Nothing to receive, so the listener probes; pg_stat_activity shows its last statement.
            _ = stream.PendingMove;
            await Backends.WaitUntilAsync(
                async () => await Backends.QueryOfAsync(_db.DataSource, listening.ListenerProcessId) == "SELECT 1",
                NotificationStream.Patience, "the listener probed its connection");

            await _db.DataSource.NotifyAsync("idle", "still here", Ct);
            var notification = await stream.NextNotificationAsync();
            Assert.Equal("still here", notification.Payload);
            Assert.Equal(listening.ListenerProcessId, notification.ListenerProcessId); // no reconnect
        }
    }

    [PgFact]
    public async Task Reconnects_after_the_backend_is_terminated_and_reports_the_gap()
    {
        var reconnectStates = new ConcurrentQueue<object?>();
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PgBorrowTelemetry.Name && instrument.Name == PgBorrowTelemetry.ListenReconnects)
                listener.EnableMeasurementEvents(instrument);
        };
        meterListener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == PgBorrowTelemetry.SqlStateTag)
                    reconnectStates.Enqueue(tag.Value);
        });
        meterListener.Start();

        var applicationName = "pgb-listener-" + Guid.NewGuid().ToString("N")[..8];
        var (stream, listening) = await NotificationStream.StartAsync(
            _db.DataSource.ListenAsync("gap", Quick with { ApplicationName = applicationName }, Ct), Ct);
        await using (stream)
        {
            var pid = await Backends.PidOfApplicationAsync(_db.DataSource, applicationName);
            Assert.Equal(listening.ListenerProcessId, pid);
            await _db.DataSource.NotifyAsync("gap", "before", Ct);
            Assert.Equal("before", (await stream.NextNotificationAsync()).Payload);

            _ = stream.PendingMove; // the listener is waiting when its backend goes away
            await Backends.TerminateAsync(_db.DataSource, pid);

            var reconnected = await stream.NextAsync();
            Assert.Equal(PgNotificationKind.Reconnected, reconnected.Kind);
            Assert.True(reconnected.RequiresResync);
            Assert.Equal(1, reconnected.Reconnects);
            Assert.NotEqual(pid, reconnected.ListenerProcessId);
            Assert.Equal(reconnected.ListenerProcessId, await Backends.PidOfApplicationAsync(_db.DataSource, applicationName));
            Assert.Contains("57P01", reconnectStates); // counted, with the SQLSTATE of pg_terminate_backend

            // LISTEN is in effect again on the new connection: the stream goes on.
            await _db.DataSource.NotifyAsync("gap", "after", Ct);
            var after = await stream.NextNotificationAsync();
            Assert.Equal("after", after.Payload);
            Assert.Equal(reconnected.ListenerProcessId, after.ListenerProcessId);
            Assert.Equal(1, after.Reconnects);
        }
    }

    [PgFact]
    public async Task Replaces_a_connection_whose_server_stops_answering()
    {
        // A half-open connection: the socket stays up, nothing comes back (npgsql#446, #1214). Simulated by stopping the
        // listener's backend process with SIGSTOP, which needs the server on this machine, run by this user or root
        // (ci/with-postgres.sh does both); against a remote server there is nothing to stop.
        var host = new NpgsqlConnectionStringBuilder(_db.ConnectionString).Host;
        if (!OperatingSystem.IsLinux() || host is not ("127.0.0.1" or "localhost"))
            return;

        await using var impatient = _db.CreateDataSource(b => b.CancellationTimeout = 300);
        var options = Quick with { KeepAliveInterval = TimeSpan.FromMilliseconds(100), ProbeTimeout = TimeSpan.FromMilliseconds(300) };
        var (stream, listening) = await NotificationStream.StartAsync(impatient.ListenAsync("half-open", options, Ct), Ct);
        await using (stream)
        {
            var pid = listening.ListenerProcessId;
            Signal("STOP", pid);
            try
            {
                var reconnected = await stream.NextAsync();
                Assert.Equal(PgNotificationKind.Reconnected, reconnected.Kind);
                Assert.NotEqual(pid, reconnected.ListenerProcessId);
            }
            finally
            {
                Signal("CONT", pid);
            }

            await impatient.NotifyAsync("half-open", "answered", Ct);
            Assert.Equal("answered", (await stream.NextNotificationAsync()).Payload);
        }

        static void Signal(string signal, int pid)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", $"-{signal} {pid}") { RedirectStandardError = true })!;
            kill.WaitForExit();
            Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid} failed: {kill.StandardError.ReadToEnd()}");
        }
    }

    [PgFact]
    public async Task Gives_up_with_the_channel_and_SQLSTATE_when_reconnecting_is_off()
    {
        var (stream, listening) = await NotificationStream.StartAsync(
            _db.DataSource.ListenAsync("no-retry", Quick with { MaxReconnectAttempts = 0 }, Ct), Ct);
        await using (stream)
        {
            var pending = stream.PendingMove;
            await Backends.TerminateAsync(_db.DataSource, listening.ListenerProcessId);

            var error = await Assert.ThrowsAsync<NpgsqlException>(() => pending.WaitAsync(NotificationStream.Patience));
            Assert.Contains("'no-retry'", error.Message);
            Assert.Contains("57P01", error.Message); // admin_shutdown: pg_terminate_backend
            Assert.IsType<PostgresException>(error.InnerException);
        }
    }

    [PgFact]
    public async Task Cancellation_ends_the_stream_promptly_and_closes_its_connection()
    {
        // Without pooling, closing the listener's connection ends its backend, which another session can see.
        await using var unpooled = _db.CreateDataSource(b => b.Pooling = false);
        var (stream, listening) = await NotificationStream.StartAsync(unpooled.ListenAsync("cancel", Ct), Ct);
        await using (stream)
        {
            var pending = stream.PendingMove;
            await Task.Delay(100);
            Assert.False(pending.IsCompleted);

            var stopwatch = Stopwatch.StartNew();
            stream.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pending.WaitAsync(NotificationStream.Patience));
            Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(3), $"Cancellation took {stopwatch.Elapsed}.");

            await Backends.WaitUntilAsync(
                async () => !await Backends.ExistsAsync(_db.DataSource, listening.ListenerProcessId),
                NotificationStream.Patience, "the listener's backend ended");
        }
    }

    [PgFact]
    public async Task Leaving_the_loop_early_unlistens_before_the_connection_goes_back_to_the_pool()
    {
        // One pooled connection, with no reset on close: what the listener leaves behind, the next user would get.
        await using var single = _db.CreateDataSource(b => { b.MaxPoolSize = 1; b.NoResetOnClose = true; });
        var listenerPid = 0;
        await foreach (var item in single.ListenAsync(["a", "b"], Ct))
        {
            listenerPid = item.ListenerProcessId;
            break;
        }

        await using var next = await single.OpenConnectionAsync(Ct);
        Assert.Equal(listenerPid, next.ProcessID);
        Assert.Equal(0, await next.ExecuteScalarAsync<long>("SELECT count(*) FROM pg_listening_channels()", Ct));
    }

    [Fact]
    public async Task Refuses_bad_channel_names_and_options_before_sending_anything()
    {
        await using var nowhere = NpgsqlDataSource.Create("Host=pgborrow.invalid;Timeout=1");

        Assert.Throws<ArgumentException>(() => nowhere.ListenAsync(""));
        Assert.Throws<ArgumentNullException>(() => nowhere.ListenAsync((string)null!));
        Assert.Throws<ArgumentException>(() => nowhere.ListenAsync("nul\0inside"));
        Assert.Throws<ArgumentException>(() => nowhere.ListenAsync(new string('a', 64)));
        Assert.Throws<ArgumentException>(() => nowhere.ListenAsync(string.Concat(Enumerable.Repeat("é", 32)))); // 64 bytes in UTF-8
        Assert.Throws<ArgumentException>(() => nowhere.ListenAsync(Array.Empty<string>()));
        Assert.Throws<ArgumentException>(() => nowhere.ListenAsync(["ok", ""]));
        Assert.Throws<ArgumentOutOfRangeException>(() => nowhere.ListenAsync("ok", PgListenOptions.Default with { KeepAliveInterval = TimeSpan.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => nowhere.ListenAsync("ok", PgListenOptions.Default with { MaxReconnectAttempts = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => nowhere.ListenAsync("ok", PgListenOptions.Default with { ReconnectMaxDelay = TimeSpan.FromMilliseconds(1) }));
        _ = nowhere.ListenAsync(new string('a', 63)); // the longest name is fine (and nothing runs until enumerated)

        await Assert.ThrowsAsync<ArgumentException>(() => nowhere.NotifyAsync("", "payload"));
        await Assert.ThrowsAsync<ArgumentException>(() => nowhere.NotifyAsync(new string('x', 64), "payload"));
    }
}
