using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace PgBorrow;

/// <summary>
/// The names under which the runtime publishes metrics (<see cref="System.Diagnostics.Metrics.Meter"/>)
/// and traces (<see cref="System.Diagnostics.ActivitySource"/>). Both are named <c>PgBorrow</c>:
/// with OpenTelemetry, <c>AddMeter("PgBorrow")</c> and <c>AddSource("PgBorrow")</c>.
/// </summary>
/// <remarks>
/// Nothing is recorded, and nothing is allocated for it, while no listener is attached.
/// </remarks>
public static class PgBorrowTelemetry
{
    /// <summary>The name of the meter and of the activity source: <c>PgBorrow</c>.</summary>
    public const string Name = "PgBorrow";

    /// <summary>Histogram, seconds: how long a transaction scope took, all attempts and backoff included. Tags: outcome, isolation.</summary>
    public const string TransactionDuration = "pgborrow.transaction.duration";

    /// <summary>Counter: attempts started by transaction scopes (the first run and every retry). Tag: isolation.</summary>
    public const string TransactionAttempts = "pgborrow.transaction.attempts";

    /// <summary>Counter: serialization failures (40001) and deadlocks (40P01) met by transaction scopes, retried or not. Tags: SQLSTATE, isolation.</summary>
    public const string SerializationFailures = "pgborrow.transaction.serialization_failures";

    /// <summary>Counter: attempts of transaction scopes retried because the connection was lost before COMMIT was sent (the backend was terminated, the server restarted, the network dropped, or no connection could be opened). Tags: SQLSTATE, when the failure had one; isolation.</summary>
    public const string ConnectionRetries = "pgborrow.transaction.connection_retries";

    /// <summary>Counter: finished transaction scopes. Tags: outcome, isolation.</summary>
    public const string TransactionOutcomes = "pgborrow.transaction.outcomes";

    /// <summary>Counter: connections LISTEN streams replaced after a failure (each one a point where notifications may have been lost). Tag: SQLSTATE, when the failure had one.</summary>
    public const string ListenReconnects = "pgborrow.listen.reconnects";

    /// <summary>The activity (span) of a whole transaction scope.</summary>
    public const string TransactionActivity = "pgborrow.transaction";

    /// <summary>The activity (span) of one attempt, a child of <see cref="TransactionActivity"/>.</summary>
    public const string AttemptActivity = "pgborrow.transaction.attempt";

    /// <summary>Tag: how the scope or attempt ended: <c>committed</c>, <c>rolled_back</c>, <c>failed</c>, <c>commit_unknown</c> (attempts that are retried end <c>retried</c>).</summary>
    public const string OutcomeTag = "pgborrow.outcome";

    /// <summary>Tag: the isolation level, in PostgreSQL's words with underscores (<c>serializable</c>, <c>repeatable_read</c>, <c>read_committed</c>, ...).</summary>
    public const string IsolationTag = "pgborrow.isolation";

    /// <summary>Tag on attempt spans: the attempt number, from 1.</summary>
    public const string AttemptTag = "pgborrow.attempt";

    /// <summary>Tag: the SQLSTATE of the error, when there is one (OpenTelemetry's database convention).</summary>
    public const string SqlStateTag = "db.response.status_code";

    /// <summary>Tag on spans: always <c>postgresql</c>.</summary>
    public const string DbSystemTag = "db.system";

    internal static readonly ActivitySource Source = new(Name);
    internal static readonly Meter Meter = new(Name);

    internal static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        TransactionDuration, unit: "s", description: "Duration of PgBorrow transaction scopes, all attempts included.");

    internal static readonly Counter<long> Attempts = Meter.CreateCounter<long>(
        TransactionAttempts, unit: "{attempt}", description: "Attempts started by PgBorrow transaction scopes.");

    internal static readonly Counter<long> Failures = Meter.CreateCounter<long>(
        SerializationFailures, unit: "{failure}", description: "Serialization failures and deadlocks met by PgBorrow transaction scopes.");

    internal static readonly Counter<long> ConnectionRetryCounter = Meter.CreateCounter<long>(
        ConnectionRetries, unit: "{retry}", description: "Attempts of PgBorrow transaction scopes retried after the connection was lost before COMMIT.");

    internal static readonly Counter<long> Outcomes = Meter.CreateCounter<long>(
        TransactionOutcomes, unit: "{transaction}", description: "Finished PgBorrow transaction scopes, by outcome.");

    internal static readonly Counter<long> Reconnects = Meter.CreateCounter<long>(
        ListenReconnects, unit: "{reconnect}", description: "Connections of PgBorrow LISTEN streams replaced after a failure.");
}
