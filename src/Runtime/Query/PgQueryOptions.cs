using System;
using System.Threading;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Per-call options of the query methods: a command timeout and explicit preparation (Dapper's
/// <c>commandTimeout</c>, and Npgsql's <c>Prepare</c>). A value type: <c>new() { Prepare = true }</c>
/// at the call site allocates nothing. <see langword="default"/> changes nothing.
/// </summary>
/// <example>
/// <code>
/// var order = await connection.QuerySingleAsync&lt;Order&gt;($"SELECT * FROM orders WHERE id = {id}", PgQueryOptions.Prepared, ct);
/// var report = await dataSource.QueryAsync&lt;Line&gt;("SELECT ...", new PgQueryOptions { CommandTimeout = TimeSpan.FromMinutes(5) }, ct);
/// </code>
/// </example>
public readonly record struct PgQueryOptions
{
    private readonly TimeSpan? _commandTimeout;

    /// <summary>Prepare the statement, nothing else.</summary>
    public static PgQueryOptions Prepared => new() { Prepare = true };

    /// <summary>
    /// How long the statement may run before Npgsql cancels it and throws an <see cref="NpgsqlException"/>
    /// (whose inner exception is a <see cref="TimeoutException"/>). <see langword="null"/> (the default) keeps
    /// the connection string's <c>Command Timeout</c> (30 s unless set); <see cref="Timeout.InfiniteTimeSpan"/>
    /// means no limit. Npgsql counts whole seconds, so a fraction is rounded up.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Zero, negative (other than <see cref="Timeout.InfiniteTimeSpan"/>), or more than <see cref="int.MaxValue"/> seconds.</exception>
    public TimeSpan? CommandTimeout
    {
        get => _commandTimeout;
        init
        {
            if (value is TimeSpan timeout && timeout != Timeout.InfiniteTimeSpan
                && (timeout <= TimeSpan.Zero || Math.Ceiling(timeout.TotalSeconds) > int.MaxValue))
            {
                throw new ArgumentOutOfRangeException(nameof(CommandTimeout), timeout,
                    "PgQueryOptions.CommandTimeout must be positive (Timeout.InfiniteTimeSpan for no limit, null for the connection string's Command Timeout).");
            }
            _commandTimeout = value;
        }
    }

    /// <summary>
    /// Prepare the statement before running it (Npgsql's explicit <c>PrepareAsync</c>). The first call on a
    /// physical connection parses and plans the statement on the server, which keeps it for as long as the
    /// connection lives (pooled connections included); later calls with the same SQL text skip the parse
    /// and planning. Worth it for hot statements on long-lived connections. On a data source, the query
    /// opens a pooled connection itself so that the statement can be prepared on it.
    /// </summary>
    public bool Prepare { get; init; }

    /// <summary>The timeout in Npgsql's unit (whole seconds, 0 for none), or null to leave the command's.</summary>
    internal int? TimeoutSeconds => _commandTimeout switch
    {
        null => null,
        TimeSpan timeout when timeout == Timeout.InfiniteTimeSpan => 0,
        TimeSpan timeout => (int)Math.Ceiling(timeout.TotalSeconds),
    };

    internal void ApplyTo(NpgsqlCommand command)
    {
        if (TimeoutSeconds is int seconds)
            command.CommandTimeout = seconds;
    }

    internal void ApplyTo(NpgsqlBatch batch)
    {
        if (TimeoutSeconds is int seconds)
            batch.Timeout = seconds;
    }
}
