using System;
using System.Collections.Generic;
using System.Text;

namespace PgBorrow;

/// <summary>
/// Channel names for LISTEN and pg_notify. A channel is taken exactly as written (case and all), the way
/// <c>pg_notify</c> takes it, and LISTEN gets it double-quoted, so <c>ListenAsync("Orders")</c> and
/// <c>NotifyAsync("Orders", ...)</c> meet on the same channel (an unquoted <c>LISTEN Orders</c> would fold it to
/// <c>orders</c>).
/// </summary>
internal static class PgChannel
{
    /// <summary>NAMEDATALEN - 1: longer names are truncated by LISTEN and refused by pg_notify.</summary>
    const int MaxBytes = 63;

    /// <summary>Checks that <paramref name="channel"/> can name a channel.</summary>
    /// <exception cref="ArgumentNullException">It is null.</exception>
    /// <exception cref="ArgumentException">It is empty, holds a NUL character, or is longer than 63 bytes in UTF-8.</exception>
    public static void Validate(string channel, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(channel, parameterName);
        if (channel.Length == 0)
            throw new ArgumentException("A channel name must not be empty.", parameterName);
        if (channel.Contains('\0', StringComparison.Ordinal))
            throw new ArgumentException($"The channel name '{channel.Replace("\0", "\\0", StringComparison.Ordinal)}' holds a NUL character, which PostgreSQL cannot store.", parameterName);
        var bytes = Encoding.UTF8.GetByteCount(channel);
        if (bytes > MaxBytes)
            throw new ArgumentException(
                $"The channel name '{channel}' is {bytes} bytes in UTF-8; PostgreSQL identifiers hold at most {MaxBytes} (LISTEN would truncate it and pg_notify would refuse it).",
                parameterName);
    }

    /// <summary>
    /// The channels, checked and without duplicates, in the order given, and the one command that LISTENs on all of
    /// them: <c>LISTEN "a";LISTEN "b"</c>.
    /// </summary>
    public static string[] ValidateAll(IEnumerable<string> channels, string parameterName, out string listenSql)
    {
        ArgumentNullException.ThrowIfNull(channels, parameterName);
        var list = new List<string>();
        var sql = new StringBuilder();
        foreach (var channel in channels)
        {
            Validate(channel, parameterName);
            if (list.Contains(channel))
                continue;
            list.Add(channel);
            if (sql.Length > 0)
                sql.Append(';');
            sql.Append("LISTEN ");
            AppendQuoted(sql, channel);
        }

        if (list.Count == 0)
            throw new ArgumentException("At least one channel is needed.", parameterName);
        listenSql = sql.ToString();
        return list.ToArray();
    }

    /// <summary>The channel as a quoted identifier: <c>"Orders"</c>; quotes inside are doubled.</summary>
    public static void AppendQuoted(StringBuilder sql, string channel)
        => sql.Append('"').Append(channel.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');

    /// <summary>The channels for an error message: <c>'a', 'b'</c>.</summary>
    public static string Describe(string[] channels)
        => "'" + string.Join("', '", channels) + "'";
}
