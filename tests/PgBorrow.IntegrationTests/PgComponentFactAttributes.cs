using System;
using Xunit;

namespace PgBorrow.IntegrationTests;

/// <summary>
/// A fact that needs PgBouncer in transaction-pooling mode in front of the test server
/// (<c>PG_PGBOUNCER_CONNECTION_STRING</c>, set by ci/with-postgres.sh). Skipped when it is missing, unless
/// <c>REQUIRE_PG=1</c>: then it runs and fails.
/// </summary>
public sealed class PgBouncerFactAttribute : FactAttribute
{
    public const string ConnectionStringVariable = "PG_PGBOUNCER_CONNECTION_STRING";

    public PgBouncerFactAttribute() => Skip = PgComponent.SkipReason(ConnectionStringVariable, "PgBouncer");

    /// <summary>PgBouncer's connection string (its default database is the server's), or a failure naming the variable.</summary>
    public static string ConnectionString => PgComponent.ConnectionString(ConnectionStringVariable, "PgBouncer");
}

/// <summary>
/// A fact that needs a streaming replica (hot standby) of the test server (<c>PG_REPLICA_CONNECTION_STRING</c>, set by
/// ci/with-postgres.sh). Skipped when it is missing, unless <c>REQUIRE_PG=1</c>: then it runs and fails.
/// </summary>
public sealed class PgReplicaFactAttribute : FactAttribute
{
    public const string ConnectionStringVariable = "PG_REPLICA_CONNECTION_STRING";

    public PgReplicaFactAttribute() => Skip = PgComponent.SkipReason(ConnectionStringVariable, "a streaming replica");

    /// <summary>The replica's connection string (its default database is the server's), or a failure naming the variable.</summary>
    public static string ConnectionString => PgComponent.ConnectionString(ConnectionStringVariable, "a streaming replica");
}

/// <summary>What the component facts share: the server must be there too, and REQUIRE_PG=1 turns a skip into a failure.</summary>
internal static class PgComponent
{
    public static string? SkipReason(string variable, string component)
    {
        if (PgFactAttribute.Required || (PgFactAttribute.ServerConnectionString is not null && Value(variable) is not null))
            return null;
        return $"{PgFactAttribute.ConnectionStringVariable} or {variable} is not set: these tests need {component} beside the server. "
            + "Run them through 'bash ci/with-postgres.sh dotnet test ...'.";
    }

    public static string ConnectionString(string variable, string component)
        => Value(variable) ?? throw new InvalidOperationException(
            $"{variable} is not set, but {PgFactAttribute.RequireVariable}=1 requires the tests that need {component} to run. "
            + "ci/with-postgres.sh starts it; its log says why it could not.");

    static string? Value(string variable)
    {
        var value = Environment.GetEnvironmentVariable(variable);
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }
}
