using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics;
using System.IO;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// The machinery behind one LISTEN stream: a dedicated connection, the queue its Notification event fills, the
/// wait/probe loop and reconnecting. One enumerator drives it, so nothing here is shared between threads: Npgsql raises
/// the event inside WaitAsync or a command, on the flow that awaited it.
/// </summary>
internal sealed class PgListener
{
    #region Fields

    readonly NpgsqlDataSource _dataSource;
    readonly PgListenOptions _options;
    readonly string[] _channels;
    readonly string _listenSql;
    readonly Queue<PgNotification> _queue = new();
    readonly NotificationEventHandler _onNotification;
    NpgsqlConnection? _connection;
    int _listenerProcessId;
    int _reconnects;

    PgListener(NpgsqlDataSource dataSource, string[] channels, string listenSql, PgListenOptions options)
    {
        _dataSource = dataSource;
        _channels = channels;
        _listenSql = listenSql;
        _options = options;
        _onNotification = OnNotification;
    }

    #endregion

    #region The stream

    /// <summary>
    /// LISTENs (failing fast if the first connection or LISTEN fails), yields <see cref="PgNotificationKind.Listening"/>,
    /// then the notifications in the order the connection received them, with a <see cref="PgNotificationKind.Reconnected"/>
    /// marker after each reconnect. Ends by throwing <see cref="OperationCanceledException"/> when cancelled, or the
    /// error that made reconnecting give up; the connection is closed either way, and when the consumer stops early.
    /// </summary>
    public static async IAsyncEnumerable<PgNotification> RunAsync(
        NpgsqlDataSource dataSource, string[] channels, string listenSql, PgListenOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var listener = new PgListener(dataSource, channels, listenSql, options);
        try
        {
            await listener.ConnectAsync(cancellationToken).ConfigureAwait(false);
            listener.EnqueueMarker(PgNotificationKind.Listening);
            while (true)
            {
                while (listener._queue.TryDequeue(out var item))
                {
                    // A cancelled stream ends now, even with notifications still buffered.
                    cancellationToken.ThrowIfCancellationRequested();
                    yield return item;
                }

                await listener.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await listener.CloseAsync().ConfigureAwait(false);
        }
    }

    void OnNotification(object sender, NpgsqlNotificationEventArgs e)
        => _queue.Enqueue(new PgNotification(PgNotificationKind.Notification, e.Channel, e.Payload, e.PID, _listenerProcessId, _reconnects));

    void EnqueueMarker(PgNotificationKind kind)
        => _queue.Enqueue(new PgNotification(kind, string.Empty, string.Empty, 0, _listenerProcessId, _reconnects));

    #endregion

    #region Connecting

    /// <summary>Opens a connection, subscribes to its notifications and LISTENs on every channel.</summary>
    async Task ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Subscribed before LISTEN, so nothing the LISTEN round trip carries can be missed.
            connection.Notification += _onNotification;
            if (_options.ApplicationName is { } applicationName)
            {
                var setName = new NpgsqlCommand("SELECT set_config('application_name', $1, false)", connection);
                await using (setName.ConfigureAwait(false))
                {
                    setName.Parameters.Add(new NpgsqlParameter<string> { TypedValue = applicationName });
                    await setName.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            // A LISTEN through a transaction-mode pooler would hear nothing, silently: refused instead.
            await PgSessionCheck.ThrowIfThroughPoolerAsync(connection, "ListenAsync", cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, _listenSql, cancellationToken).ConfigureAwait(false);
            _listenerProcessId = connection.ProcessID;
            _connection = connection;
        }
        catch (Exception)
        {
            connection.Notification -= _onNotification;
            await DisposeQuietlyAsync(connection).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Replaces a broken connection: waits with backoff, opens a new one and LISTENs again, then queues the
    /// <see cref="PgNotificationKind.Reconnected"/> marker (after anything the old connection received before it broke).
    /// </summary>
    async Task ReconnectAsync(Exception failure, CancellationToken cancellationToken)
    {
        var cause = failure; // what broke the connection, for telemetry; failure becomes the last reconnect error
        await DropConnectionAsync().ConfigureAwait(false);
        for (var attempt = 0; ; attempt++)
        {
            if (attempt >= _options.MaxReconnectAttempts)
                throw new NpgsqlException(
                    $"The LISTEN stream on {PgChannel.Describe(_channels)} lost its connection and gave up after {attempt} reconnect attempt(s) (PgListenOptions.MaxReconnectAttempts = {_options.MaxReconnectAttempts}). "
                    + $"Last error{SqlStateOf(failure)}: {failure.Message}",
                    failure);

            var delay = _options.Backoff(attempt);
            if (delay > TimeSpan.Zero)
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
            try
            {
                await ConnectAsync(cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && IsConnectionFailure(e))
            {
                failure = e;
            }
        }

        _reconnects++;
        EnqueueMarker(PgNotificationKind.Reconnected);
        if (PgBorrowTelemetry.Reconnects.Enabled)
        {
            var tags = new TagList();
            if (cause is PostgresException postgres)
                tags.Add(PgBorrowTelemetry.SqlStateTag, postgres.SqlState);
            PgBorrowTelemetry.Reconnects.Add(1, tags);
        }
    }

    /// <summary>Errors a reconnect attempt may retry: the server or the network, not a disposed data source or a bug.</summary>
    static bool IsConnectionFailure(Exception e)
        => e is NpgsqlException or IOException or SocketException or TimeoutException;

    static string SqlStateOf(Exception e) => e is PostgresException postgres ? $" (SQLSTATE {postgres.SqlState})" : "";

    #endregion

    #region Waiting

    /// <summary>
    /// Waits for notifications (they land in the queue through the event) for up to KeepAliveInterval, then probes the
    /// connection; any failure but the caller's cancellation replaces the connection.
    /// </summary>
    async Task WaitAsync(CancellationToken cancellationToken)
    {
        Exception failure;
        try
        {
            var connection = _connection!;
            if (await connection.WaitAsync(_options.KeepAliveInterval, cancellationToken).ConfigureAwait(false) || _queue.Count > 0)
                return;

            // Idle for a whole interval. A half-open connection looks exactly like a quiet channel, so ask the server;
            // notifications that arrive with the answer are queued by the event like any other.
            using var probeTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            probeTimeout.CancelAfter(_options.ProbeTimeout);
            await ExecuteAsync(connection, "SELECT 1", probeTimeout.Token).ConfigureAwait(false);
            return;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (e is not ObjectDisposedException)
        {
            // The server ended the session (pg_terminate_backend: 57P01, a restart), the network failed, or the probe
            // timed out. Even a connection Npgsql still calls open is no longer trusted.
            failure = e;
        }

        await ReconnectAsync(failure, cancellationToken).ConfigureAwait(false);
    }

    #endregion

    #region Closing

    /// <summary>Stops listening and gives the connection back (UNLISTEN first, so no pooled session keeps the channels).</summary>
    async ValueTask CloseAsync()
    {
        var connection = _connection;
        if (connection is null)
            return;
        _connection = null;
        connection.Notification -= _onNotification;
        if (connection.FullState == ConnectionState.Open)
        {
            try
            {
                // Closing, so not the caller's token (which may be the one that got us here); bounded instead.
                using var timeout = new CancellationTokenSource(_options.ProbeTimeout);
                await ExecuteAsync(connection, "UNLISTEN *", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The connection is going away; the pool resets or discards it (DISCARD ALL unlistens too).
            }
        }

        await DisposeQuietlyAsync(connection).ConfigureAwait(false);
    }

    async ValueTask DropConnectionAsync()
    {
        var connection = _connection;
        if (connection is null)
            return;
        _connection = null;
        connection.Notification -= _onNotification;
        await DisposeQuietlyAsync(connection).ConfigureAwait(false);
    }

    static async ValueTask DisposeQuietlyAsync(NpgsqlConnection connection)
    {
        try
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A broken connection has nothing left to clean up.
        }
    }

    #endregion

    static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using (command.ConfigureAwait(false))
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
