using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Scenarios;

/// <summary>
/// The scenario test classes run one after another (each starts dozens of connections at once, and the
/// test server allows 200), each in its own database (<see cref="PgDatabaseFixture"/>).
/// </summary>
[CollectionDefinition(Name)]
public sealed class ScenarioCollection
{
    public const string Name = "Scenarios";
}

/// <summary>Helpers shared by the scenario tests.</summary>
internal static class ScenarioDatabase
{
    /// <summary>
    /// A data source on its own schema of the fixture's database (the Showcase tables live in public, and
    /// two scenarios use the same table names), with a pool large enough for every worker at once.
    /// </summary>
    public static async Task<NpgsqlDataSource> CreateSchemaDataSourceAsync(
        PgDatabaseFixture db, string schema, Action<NpgsqlConnectionStringBuilder>? configure = null)
    {
        await db.ExecuteAsync($"CREATE SCHEMA IF NOT EXISTS {schema}");
        return db.CreateDataSource(builder =>
        {
            builder.SearchPath = schema;
            builder.MaxPoolSize = 120;
            configure?.Invoke(builder);
        });
    }

    /// <summary>Terminates a backend from another session and waits (up to 10 s) until it is gone.</summary>
    public static async Task TerminateAsync(NpgsqlDataSource dataSource, int pid)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        Assert.True(await connection.ExecuteScalarAsync<bool>($"SELECT pg_terminate_backend({pid}, 10000)"));
    }

    /// <summary>Waits until some backend of this database sleeps in pg_sleep (a stalled COMMIT), and returns its pid.</summary>
    public static async Task<int> WaitForSleepingBackendAsync(NpgsqlDataSource dataSource, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        while (true)
        {
            var pid = await connection.ExecuteScalarAsync<int?>(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep' LIMIT 1", cancellationToken);
            if (pid is { } found)
                return found;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No backend started sleeping within {timeout}.");
            await Task.Delay(10, cancellationToken);
        }
    }

    /// <summary>
    /// Installs a deferred constraint trigger on <paramref name="table"/> that makes the first COMMIT
    /// (of a session started with <c>-c scenario.stall_commit=on</c>) sleep, so that a test can
    /// terminate the backend while COMMIT is in flight. Only the first one: nextval is not rolled back.
    /// </summary>
    public static Task InstallCommitStallAsync(NpgsqlDataSource dataSource, string table)
        => dataSource.ExecuteAsync("""
            DROP SEQUENCE IF EXISTS scenario_stall_once;
            CREATE SEQUENCE scenario_stall_once;
            CREATE OR REPLACE FUNCTION scenario_stall_commit() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
                IF current_setting('scenario.stall_commit', true) = 'on' AND nextval('scenario_stall_once') = 1 THEN
                    PERFORM pg_sleep(30);
                END IF;
                RETURN NULL;
            END $f$;
            DROP TRIGGER IF EXISTS scenario_stall_commit ON {table};
            CREATE CONSTRAINT TRIGGER scenario_stall_commit AFTER INSERT ON {table}
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION scenario_stall_commit();
            """.Replace("{table}", table, StringComparison.Ordinal)); // test-owned identifier, not a value

    /// <summary>Options that make a session stall in its first COMMIT (see <see cref="InstallCommitStallAsync"/>).</summary>
    public const string StallCommitOptions = "-c scenario.stall_commit=on";
}
