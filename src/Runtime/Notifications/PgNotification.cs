namespace PgBorrow;

/// <summary>
/// What an item of a <see cref="PgNotificationExtensions.ListenAsync(Npgsql.NpgsqlDataSource, string, System.Threading.CancellationToken)"/>
/// stream is: a notification, or a point where the consumer must (re)read state from the tables.
/// </summary>
public enum PgNotificationKind
{
    /// <summary>A notification sent with NOTIFY or <c>pg_notify</c> on one of the channels.</summary>
    Notification,

    /// <summary>
    /// The first item of every stream: LISTEN is now in effect on every channel. Every notification sent from now
    /// on will arrive, so this is the moment to read the current state from the tables (subscribe, then read).
    /// </summary>
    Listening,

    /// <summary>
    /// The connection broke and the listener has opened a new one and run LISTEN again. Notifications sent while it
    /// was disconnected are lost: read the state from the tables again, as after <see cref="Listening"/>.
    /// </summary>
    Reconnected,
}

/// <summary>
/// An item of a LISTEN stream: a notification (<see cref="Kind"/> is <see cref="PgNotificationKind.Notification"/>), or
/// a marker telling the consumer to read the current state from the tables because notifications before this point
/// were not seen (<see cref="PgNotificationKind.Listening"/>, <see cref="PgNotificationKind.Reconnected"/>).
/// </summary>
/// <remarks>A small immutable value: reading a stream allocates nothing per item beyond the strings Npgsql reads.</remarks>
public readonly struct PgNotification
{
    internal PgNotification(PgNotificationKind kind, string channel, string payload, int processId, int listenerProcessId, int reconnects)
    {
        Kind = kind;
        Channel = channel;
        Payload = payload;
        ProcessId = processId;
        ListenerProcessId = listenerProcessId;
        Reconnects = reconnects;
    }

    /// <summary>A notification, or a marker that notifications before this point may not have been seen.</summary>
    public PgNotificationKind Kind { get; }

    /// <summary>The channel the notification was sent on, exactly as the sender named it; empty for a marker.</summary>
    public string Channel { get; }

    /// <summary>The payload (empty when none was sent); empty for a marker.</summary>
    public string Payload { get; }

    /// <summary>The process ID of the backend that sent the notification (<c>pg_backend_pid()</c> of the sender); 0 for a marker.</summary>
    public int ProcessId { get; }

    /// <summary>The process ID of the listener's own backend, the one that received this item. It changes after a reconnect.</summary>
    public int ListenerProcessId { get; }

    /// <summary>How many times the stream has reconnected so far (0 until the first <see cref="PgNotificationKind.Reconnected"/>).</summary>
    public int Reconnects { get; }

    /// <summary>True for a notification; false for a <see cref="PgNotificationKind.Listening"/> or <see cref="PgNotificationKind.Reconnected"/> marker.</summary>
    public bool IsNotification => Kind == PgNotificationKind.Notification;

    /// <summary>
    /// True for the markers: notifications before this point were not seen (never subscribed to, or lost while
    /// disconnected), so the consumer must read the current state from the tables now.
    /// </summary>
    public bool RequiresResync => Kind != PgNotificationKind.Notification;

    /// <inheritdoc/>
    public override string ToString() => Kind switch
    {
        PgNotificationKind.Notification => $"Notification on '{Channel}' from backend {ProcessId}: '{Payload}'",
        PgNotificationKind.Listening => $"Listening (backend {ListenerProcessId})",
        _ => $"Reconnected (backend {ListenerProcessId}, reconnect {Reconnects}): notifications may have been lost",
    };
}
