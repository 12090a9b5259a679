using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Notifications;

/// <summary>
/// Drives a LISTEN stream by hand: one pending MoveNextAsync at a time, so a test can check that nothing arrives for a
/// while and then await the same pending move. Disposing cancels the stream and waits for it to end.
/// </summary>
internal sealed class NotificationStream : IAsyncDisposable
{
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly CancellationTokenSource _cancel;
    private readonly IAsyncEnumerator<PgNotification> _enumerator;
    private Task<bool>? _pending;

    private NotificationStream(IAsyncEnumerable<PgNotification> stream, CancellationToken testTimeout)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(testTimeout);
        _enumerator = stream.GetAsyncEnumerator(_cancel.Token);
    }

    /// <summary>Starts listening and returns once the <see cref="PgNotificationKind.Listening"/> marker has arrived.</summary>
    public static async Task<(NotificationStream Stream, PgNotification Listening)> StartAsync(IAsyncEnumerable<PgNotification> stream, CancellationToken testTimeout)
    {
        var reader = new NotificationStream(stream, testTimeout);
        var first = await reader.NextAsync();
        Assert.Equal(PgNotificationKind.Listening, first.Kind);
        Assert.True(first.RequiresResync);
        Assert.False(first.IsNotification);
        Assert.NotEqual(0, first.ListenerProcessId);
        return (reader, first);
    }

    public void Cancel() => _cancel.Cancel();

    /// <summary>The next item, failing the test if none comes within <see cref="Patience"/>.</summary>
    public async Task<PgNotification> NextAsync()
    {
        _pending ??= _enumerator.MoveNextAsync().AsTask();
        var moved = await _pending.WaitAsync(Patience);
        _pending = null;
        Assert.True(moved, "The stream ended.");
        return _enumerator.Current;
    }

    /// <summary>The next item, which must be a notification.</summary>
    public async Task<PgNotification> NextNotificationAsync()
    {
        var item = await NextAsync();
        Assert.True(item.IsNotification, $"Expected a notification, got: {item}");
        return item;
    }

    /// <summary>The pending move (started if needed), for tests that cancel or expect a failure.</summary>
    public Task<bool> PendingMove => _pending ??= _enumerator.MoveNextAsync().AsTask();

    /// <summary>True when nothing arrives within <paramref name="quiet"/>; the move stays pending for the next call.</summary>
    public async Task<bool> NothingWithinAsync(TimeSpan quiet)
    {
        var pending = PendingMove;
        return await Task.WhenAny(pending, Task.Delay(quiet)) != pending;
    }

    public async ValueTask DisposeAsync()
    {
        _cancel.Cancel();
        if (_pending is not null)
        {
            try
            {
                await _pending.WaitAsync(Patience);
            }
            catch (Exception)
            {
                // Cancelled (or failed, which the test has already seen).
            }
        }

        await _enumerator.DisposeAsync();
        _cancel.Dispose();
    }
}

/// <summary>Reads from pg_stat_activity, from a session of its own.</summary>
internal static class Backends
{
    public static async Task<string?> QueryOfAsync(NpgsqlDataSource dataSource, int pid)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string>($"SELECT query FROM pg_stat_activity WHERE pid = {pid}");
    }

    public static async Task<bool> ExistsAsync(NpgsqlDataSource dataSource, int pid)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}") > 0;
    }

    public static async Task<int> PidOfApplicationAsync(NpgsqlDataSource dataSource, string applicationName)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<int>($"SELECT pid FROM pg_stat_activity WHERE application_name = {applicationName}");
    }

    public static async Task TerminateAsync(NpgsqlDataSource dataSource, int pid)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.True(await connection.ExecuteScalarAsync<bool>($"SELECT pg_terminate_backend({pid}, 10000)"));
    }

    /// <summary>Polls until <paramref name="condition"/> holds, failing after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {timeout} waiting until {what}.");
            await Task.Delay(20);
        }
    }
}
