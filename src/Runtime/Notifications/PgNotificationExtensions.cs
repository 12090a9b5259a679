using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// LISTEN/NOTIFY: <c>ListenAsync</c> turns channels into an <see cref="IAsyncEnumerable{T}"/> of
/// <see cref="PgNotification"/> that owns its connection, keeps it alive and reconnects; <c>NotifyAsync</c> sends a
/// notification with <c>pg_notify($1, $2)</c>.
/// </summary>
/// <remarks>
/// <para><b>Subscribe, then read.</b> The first item of every stream is a <see cref="PgNotificationKind.Listening"/>
/// marker, yielded once LISTEN is in effect: read the current state from the tables then, and process notifications
/// after. Nothing falls between: a change committed before the marker is in what you read, one committed after it
/// sends a notification you will receive.</para>
/// <para><b>Lost while disconnected.</b> PostgreSQL keeps no notifications for a session that is gone. When the
/// connection breaks, the stream reconnects, LISTENs again and yields a <see cref="PgNotificationKind.Reconnected"/>
/// marker: whatever was sent in between is lost, so read the state again. Both markers have
/// <see cref="PgNotification.RequiresResync"/> set. A notification is a hint to look, never the data itself.</para>
/// </remarks>
public static class PgNotificationExtensions
{
    #region Listen

    /// <summary>Listens on several channels with <see cref="PgListenOptions.Default"/>; notifications of all of them come in one stream, in the order received.</summary>
    /// <inheritdoc cref="ListenAsync(NpgsqlDataSource, IEnumerable{string}, PgListenOptions?, CancellationToken)"/>
    /// <param name="dataSource">The data source the stream takes its dedicated connection from (and a new one after each reconnect).</param>
    /// <param name="channels">The channels, exactly as senders name them in <c>pg_notify</c> (case-sensitive; each is quoted for LISTEN). Duplicates are ignored.</param>
    /// <param name="cancellationToken">Ends the stream: the pending wait is abandoned, <see cref="OperationCanceledException"/> is thrown, and the connection is closed.</param>
    public static IAsyncEnumerable<PgNotification> ListenAsync(this NpgsqlDataSource dataSource, IEnumerable<string> channels, CancellationToken cancellationToken = default)
        => dataSource.ListenAsync(channels, null, cancellationToken);

    /// <summary>Listens on one channel with <see cref="PgListenOptions.Default"/>.</summary>
    /// <inheritdoc cref="ListenAsync(NpgsqlDataSource, IEnumerable{string}, PgListenOptions?, CancellationToken)"/>
    /// <param name="dataSource">The data source the stream takes its dedicated connection from (and a new one after each reconnect).</param>
    /// <param name="channel">The channel, exactly as senders name it in <c>pg_notify</c> (case-sensitive; it is quoted for LISTEN).</param>
    /// <param name="cancellationToken">Ends the stream: the pending wait is abandoned, <see cref="OperationCanceledException"/> is thrown, and the connection is closed.</param>
    public static IAsyncEnumerable<PgNotification> ListenAsync(this NpgsqlDataSource dataSource, string channel, CancellationToken cancellationToken = default)
        => dataSource.ListenAsync(channel, null, cancellationToken);

    /// <summary>Listens on one channel.</summary>
    /// <inheritdoc cref="ListenAsync(NpgsqlDataSource, IEnumerable{string}, PgListenOptions?, CancellationToken)"/>
    /// <param name="dataSource">The data source the stream takes its dedicated connection from (and a new one after each reconnect).</param>
    /// <param name="channel">The channel, exactly as senders name it in <c>pg_notify</c> (case-sensitive; it is quoted for LISTEN).</param>
    /// <param name="options">Keepalive and reconnect settings; null for <see cref="PgListenOptions.Default"/>.</param>
    /// <param name="cancellationToken">Ends the stream: the pending wait is abandoned, <see cref="OperationCanceledException"/> is thrown, and the connection is closed.</param>
    public static IAsyncEnumerable<PgNotification> ListenAsync(this NpgsqlDataSource dataSource, string channel, PgListenOptions? options, CancellationToken cancellationToken = default)
    {
        PgChannel.Validate(channel, nameof(channel));
        return dataSource.ListenAsync(new[] { channel }, options, cancellationToken);
    }

    /// <summary>
    /// Listens on <paramref name="channels"/> on a dedicated connection and yields what arrives, in order, until
    /// cancelled:
    /// <code>
    /// await foreach (var n in dataSource.ListenAsync("outbox", ct))
    /// {
    ///     // Listening and Reconnected: notifications before this point were not seen, so look at the table.
    ///     // A notification: something changed, so look at the table.
    ///     await PublishPendingAsync(ct); // idempotent: reads what is still unpublished, in id order
    /// }
    /// </code>
    /// </summary>
    /// <remarks>
    /// <para>Nothing happens until the stream is enumerated. Then it opens a connection from
    /// <paramref name="dataSource"/> (the whole enumeration keeps it), LISTENs on every channel in one round trip, and yields
    /// <see cref="PgNotificationKind.Listening"/>. It then waits with <c>WaitAsync</c> (Npgsql delivers notifications only
    /// while a command runs or a wait is in progress), yielding each notification in the order the connection received
    /// it. When the connection has been quiet for <see cref="PgListenOptions.KeepAliveInterval"/>, it probes it with
    /// <c>SELECT 1</c>, bounded by <see cref="PgListenOptions.ProbeTimeout"/>, so a half-open connection is noticed
    /// instead of silently delivering nothing.</para>
    /// <para>If the first connection or LISTEN fails, the error is thrown (a misconfiguration shows at once). Once
    /// listening, any failure (the backend terminated, the network gone, a probe timed out) closes the connection and
    /// reconnects with jittered exponential backoff; after LISTEN succeeds on the new connection the stream yields
    /// <see cref="PgNotificationKind.Reconnected"/>. Notifications sent while disconnected are lost. After
    /// <see cref="PgListenOptions.MaxReconnectAttempts"/> failed attempts in a row the stream throws an
    /// <see cref="NpgsqlException"/> naming the channels, with the last error inside.</para>
    /// <para>PostgreSQL delivers a notification sent inside a transaction only when it commits (never if it rolls back),
    /// and folds identical notifications (same channel and payload) sent in one transaction into one.</para>
    /// <para>Ending: cancelling <paramref name="cancellationToken"/> (or the token given to <c>WithCancellation</c>) ends
    /// the stream promptly with <see cref="OperationCanceledException"/>; leaving the <c>await foreach</c> early ends it
    /// too. Either way the listener runs <c>UNLISTEN *</c> when the connection is still healthy and closes it.</para>
    /// <para>The stream can be enumerated more than once; each enumeration is an independent listener with its own
    /// connection. An enumeration is not thread-safe (like any enumerator).</para>
    /// </remarks>
    /// <param name="dataSource">The data source the stream takes its dedicated connection from (and a new one after each reconnect).</param>
    /// <param name="channels">The channels, exactly as senders name them in <c>pg_notify</c> (case-sensitive; each is quoted for LISTEN). Duplicates are ignored.</param>
    /// <param name="options">Keepalive and reconnect settings; null for <see cref="PgListenOptions.Default"/>.</param>
    /// <param name="cancellationToken">Ends the stream: the pending wait is abandoned, <see cref="OperationCanceledException"/> is thrown, and the connection is closed.</param>
    /// <returns>The stream: a <see cref="PgNotificationKind.Listening"/> marker, then notifications and <see cref="PgNotificationKind.Reconnected"/> markers.</returns>
    /// <exception cref="ArgumentException">A channel name is empty, holds a NUL character or is longer than 63 bytes in UTF-8, or there are no channels (thrown by the call, before anything is sent).</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (thrown by the call).</exception>
    /// <exception cref="InvalidOperationException">The data source goes through a connection pooler such as PgBouncer (the
    /// connection's server process is not the one Npgsql connected to): LISTEN needs a direct connection (thrown by the first
    /// <c>MoveNextAsync</c>, before LISTEN is sent).</exception>
    public static IAsyncEnumerable<PgNotification> ListenAsync(
        this NpgsqlDataSource dataSource, IEnumerable<string> channels, PgListenOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        var checkedChannels = PgChannel.ValidateAll(channels, nameof(channels), out var listenSql);
        options ??= PgListenOptions.Default;
        options.Validate();
        return PgListener.RunAsync(dataSource, checkedChannels, listenSql, options, cancellationToken);
    }

    #endregion

    #region Notify

    /// <summary>
    /// Sends a notification on <paramref name="channel"/> with <c>SELECT pg_notify($1, $2)</c> (both are parameters; no
    /// SQL is built). In a transaction, it is delivered when the transaction commits.
    /// </summary>
    /// <param name="connection">An open connection; the notification joins its current transaction, if any.</param>
    /// <param name="channel">The channel, exactly as listeners name it (case-sensitive).</param>
    /// <param name="payload">The payload; null sends an empty one. PostgreSQL refuses payloads of 8000 bytes or more (SQLSTATE 22023).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>A task that completes once the server has queued the notification.</returns>
    /// <exception cref="ArgumentException">The channel name is empty, holds a NUL character or is longer than 63 bytes in UTF-8.</exception>
    public static Task NotifyAsync(this NpgsqlConnection connection, string channel, string? payload, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(connection), NotifyStatement(channel, payload), default, cancellationToken);

    /// <summary>Sends a notification in <paramref name="transaction"/>: listeners receive it when the transaction commits, never if it rolls back.</summary>
    /// <inheritdoc cref="NotifyAsync(NpgsqlConnection, string, string?, CancellationToken)"/>
    /// <param name="transaction">A transaction in progress.</param>
    /// <param name="channel">The channel, exactly as listeners name it (case-sensitive).</param>
    /// <param name="payload">The payload; null sends an empty one. PostgreSQL refuses payloads of 8000 bytes or more (SQLSTATE 22023).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task NotifyAsync(this NpgsqlTransaction transaction, string channel, string? payload, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(transaction), NotifyStatement(channel, payload), default, cancellationToken);

    /// <summary>
    /// Sends a notification in the scope's transaction: listeners receive it when the scope commits, never if it rolls
    /// back, and only once however many attempts the scope makes. This is the safe place to signal "the outbox has a new
    /// row": the row and the signal commit together.
    /// </summary>
    /// <inheritdoc cref="NotifyAsync(NpgsqlConnection, string, string?, CancellationToken)"/>
    /// <param name="tx">The scope's transaction.</param>
    /// <param name="channel">The channel, exactly as listeners name it (case-sensitive).</param>
    /// <param name="payload">The payload; null sends an empty one. PostgreSQL refuses payloads of 8000 bytes or more (SQLSTATE 22023).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <exception cref="ObjectDisposedException">The scope that lent this PgTx has ended.</exception>
    public static Task NotifyAsync(this PgTx tx, string channel, string? payload, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(tx), NotifyStatement(channel, payload), default, cancellationToken);

    /// <summary>Sends a notification at once, on a pooled connection of its own (its own transaction, committed immediately).</summary>
    /// <inheritdoc cref="NotifyAsync(NpgsqlConnection, string, string?, CancellationToken)"/>
    /// <param name="dataSource">The data source.</param>
    /// <param name="channel">The channel, exactly as listeners name it (case-sensitive).</param>
    /// <param name="payload">The payload; null sends an empty one. PostgreSQL refuses payloads of 8000 bytes or more (SQLSTATE 22023).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task NotifyAsync(this NpgsqlDataSource dataSource, string channel, string? payload, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(dataSource), NotifyStatement(channel, payload), default, cancellationToken);

    static PgStatement NotifyStatement(string channel, string? payload)
    {
        PgChannel.Validate(channel, nameof(channel));
        var parameters = new NpgsqlParameter[]
        {
            new NpgsqlParameter<string> { TypedValue = channel },
            new NpgsqlParameter<string> { TypedValue = payload ?? string.Empty },
        };
        return new PgStatement("SELECT pg_notify($1, $2)", parameters, parameters.Length);
    }

    #endregion
}
