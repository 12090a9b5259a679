using System;

namespace PgBorrow;

/// <summary>
/// How a LISTEN stream (<see cref="PgNotificationExtensions.ListenAsync(Npgsql.NpgsqlDataSource, string, PgListenOptions?, System.Threading.CancellationToken)"/>)
/// checks its connection and reconnects. Immutable: derive variants with <c>with</c>
/// (<c>PgListenOptions.Default with { KeepAliveInterval = TimeSpan.FromSeconds(5) }</c>).
/// </summary>
public sealed record PgListenOptions
{
    /// <summary>Probe after 30 s idle, 10 s probe timeout, reconnect backoff from 250 ms doubling up to 30 s, reconnect forever.</summary>
    public static PgListenOptions Default { get; } = new();

    /// <summary>
    /// How long the listener waits for a notification before it probes the connection with <c>SELECT 1</c>. A
    /// connection whose peer vanished (a half-open TCP connection: a dead server, a NAT or firewall that dropped the
    /// flow) delivers nothing and reports no error; the probe is what notices (see npgsql#446, #1214). Default 30 s.
    /// </summary>
    public TimeSpan KeepAliveInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the probe may take before the connection counts as broken and is replaced. Default 10 s.</summary>
    /// <remarks>Npgsql first tries to cancel the probe on the server, which adds up to the connection's <c>Cancellation Timeout</c>.</remarks>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>The wait before the first reconnect attempt; it doubles each failed attempt, up to <see cref="ReconnectMaxDelay"/>, jittered to between half and all of that. Default 250 ms.</summary>
    public TimeSpan ReconnectBaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>The longest wait between two reconnect attempts. Default 30 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many reconnect attempts in a row may fail before the stream gives up and throws the last error. Default
    /// <see cref="int.MaxValue"/>: a long-running listener keeps trying until it is cancelled. 0 turns reconnecting off
    /// (a broken connection ends the stream with its error).
    /// </summary>
    public int MaxReconnectAttempts { get; init; } = int.MaxValue;

    /// <summary>
    /// Optional: the listener's <c>application_name</c> (set with <c>set_config</c> on each connection it opens), so its
    /// backend is easy to find in <c>pg_stat_activity</c>. Null keeps the data source's.
    /// </summary>
    public string? ApplicationName { get; init; }

    /// <summary>Throws when the options cannot work.</summary>
    internal void Validate()
    {
        if (KeepAliveInterval <= TimeSpan.Zero || KeepAliveInterval.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(KeepAliveInterval), KeepAliveInterval, "PgListenOptions.KeepAliveInterval must be positive and at most int.MaxValue milliseconds.");
        if (ProbeTimeout <= TimeSpan.Zero || ProbeTimeout.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(ProbeTimeout), ProbeTimeout, "PgListenOptions.ProbeTimeout must be positive and at most int.MaxValue milliseconds.");
        if (ReconnectBaseDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(ReconnectBaseDelay), ReconnectBaseDelay, "PgListenOptions.ReconnectBaseDelay must not be negative.");
        if (ReconnectMaxDelay < ReconnectBaseDelay || ReconnectMaxDelay.TotalMilliseconds > int.MaxValue)
            throw new ArgumentOutOfRangeException(nameof(ReconnectMaxDelay), ReconnectMaxDelay, "PgListenOptions.ReconnectMaxDelay must not be less than ReconnectBaseDelay, nor above int.MaxValue milliseconds.");
        if (MaxReconnectAttempts < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxReconnectAttempts), MaxReconnectAttempts, "PgListenOptions.MaxReconnectAttempts must not be negative.");
    }

    /// <summary>Exponential from ReconnectBaseDelay, capped at ReconnectMaxDelay, jittered to between half and all of it.</summary>
    internal TimeSpan Backoff(int failedAttempts)
    {
        var exponential = Math.Min(ReconnectMaxDelay.Ticks, ReconnectBaseDelay.Ticks * Math.Pow(2, Math.Min(failedAttempts, 62)));
        return TimeSpan.FromTicks((long)(exponential * (0.5 + Random.Shared.NextDouble() * 0.5)));
    }
}
