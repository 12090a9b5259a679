using System;
using System.Data;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Turns the two errors a scope meets when it lands on a hot standby by mistake into errors that name the fix: a
/// write (25006, read_only_sql_transaction) and SERIALIZABLE, which a standby does not offer (0A000). Recovery
/// conflicts need nothing here: the standby cancels with 40001 or 40P01, which scopes retry anyway.
/// </summary>
internal static class PgStandbyErrors
{
    /// <summary>
    /// Whether the connection's server is a hot standby, from the <c>in_hot_standby</c> parameter the server reports at
    /// startup and whenever it changes (PostgreSQL 14 and later; older servers never report it, so this is false).
    /// </summary>
    internal static bool IsHotStandby(NpgsqlConnection connection)
        => connection.PostgresParameters.TryGetValue("in_hot_standby", out var value) && value == "on";

    /// <summary>The clearer error for <paramref name="failure"/> on a hot standby, or null when it is not a standby's refusal.</summary>
    /// <param name="failure">What the scope's body (or its BEGIN) threw.</param>
    /// <param name="connection">The scope's connection, for its host and port (it may be broken by now).</param>
    /// <param name="options">The scope's options.</param>
    internal static Exception? Explain(Exception failure, NpgsqlConnection connection, PgTransactionOptions options)
    {
        if (failure is not PostgresException postgres)
            return null;
        if (postgres.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction)
        {
            return new InvalidOperationException(
                $"This transaction scope ran on a hot standby ({connection.Host}:{connection.Port}, a read-only replica), which cannot write: "
                + $"{postgres.MessageText}. Run scopes that write on the primary: from a multi-host data source, take "
                + "WithTargetSession(TargetSessionAttributes.Primary) for them, and keep PreferStandby for scopes with "
                + "PgTransactionOptions.ReadOnly = true.",
                postgres);
        }

        if (postgres.SqlState == PostgresErrorCodes.FeatureNotSupported && options.IsolationLevel == IsolationLevel.Serializable)
        {
            return new InvalidOperationException(
                $"This transaction scope ran on a hot standby ({connection.Host}:{connection.Port}), which does not offer SERIALIZABLE: "
                + $"{postgres.MessageText}. Give scopes routed to standbys PgTransactionOptions {{ ReadOnly = true, IsolationLevel = "
                + "IsolationLevel.RepeatableRead }: one consistent snapshot, as of the standby's replay position.",
                postgres);
        }

        return null;
    }
}
