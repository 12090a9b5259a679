using System;
using Xunit;

namespace PgBorrow.IntegrationTests;

/// <summary>
/// A fact that needs a PostgreSQL server. It is skipped when <c>PG_CONNECTION_STRING</c> is not set,
/// unless <c>REQUIRE_PG=1</c>: then it runs, and fails loudly, so CI cannot pass by skipping.
/// </summary>
public sealed class PgFactAttribute : FactAttribute
{
    public const string ConnectionStringVariable = "PG_CONNECTION_STRING";
    public const string RequireVariable = "REQUIRE_PG";

    public PgFactAttribute()
    {
        if (ServerConnectionString is null && !Required)
            Skip = $"{ConnectionStringVariable} is not set. Run the tests through 'bash ci/with-postgres.sh dotnet test ...' "
                + $"(or set {RequireVariable}=1 to make this a failure instead of a skip).";
    }

    /// <summary>The server's connection string, or null when the variable is unset or blank.</summary>
    public static string? ServerConnectionString
    {
        get
        {
            var value = Environment.GetEnvironmentVariable(ConnectionStringVariable);
            return string.IsNullOrWhiteSpace(value) ? null : value;
        }
    }

    public static bool Required => Environment.GetEnvironmentVariable(RequireVariable) == "1";

    public static string NotConfiguredMessage =>
        $"{ConnectionStringVariable} is not set, but {RequireVariable}=1 requires the PostgreSQL tests to run. "
        + "Run them through 'bash ci/with-postgres.sh dotnet test ...'.";
}
