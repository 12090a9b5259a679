using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Cli.Commands;
using Xunit;

namespace PgBorrow.IntegrationTests.Prepare;

/// <summary>
/// The offline checks end to end: <c>pgborrow prepare</c> describes a project's [PgQuery] statements against the real
/// server, a build without a database reads what it wrote and is silent, and after the schema is broken on purpose
/// (one change per test) and prepare runs again, the build reports exactly the members that no longer fit.
/// Each test works in a schema and a project folder of its own.
/// </summary>
public sealed class SchemaDriftProofTests(PgDatabaseFixture db) : PgDatabaseTests(db, TimeoutSeconds), IDisposable
{
    /// <summary>Compiling with every analyzer, twice a test, beside the whole suite on two cores can take minutes.</summary>
    internal const int TimeoutSeconds = 300;

    private const string Schema = """
        CREATE TYPE mood AS ENUM ('happy', 'grumpy');
        CREATE TABLE customers (
            id    bigint PRIMARY KEY,
            name  text NOT NULL,
            email text,
            mood  mood NOT NULL
        );
        CREATE TABLE orders (
            id          bigint PRIMARY KEY,
            customer_id bigint NOT NULL REFERENCES customers (id),
            total       numeric(12, 2) NOT NULL,
            tags        text[] NOT NULL,
            details     jsonb,
            placed_at   timestamptz NOT NULL
        );
        """;

    // 'SELECT *' is how a renamed column slips past the server: the statement still describes, with the new name.
    private const string Queries = """
        using System;
        using System.Collections.Generic;
        using System.Threading;
        using System.Threading.Tasks;
        using Npgsql;
        using PgBorrow;

        namespace Shop;

        [PgEnum] public enum Mood { Happy, Grumpy }

        [PgRow] public sealed partial record Customer(long Id, string Name, string? Email, Mood Mood);

        [PgRow] public sealed partial record OrderSummary(long Id, string Customer, decimal Total, string[] Tags, string? Details, DateTimeOffset PlacedAt);

        public static partial class ShopQueries
        {
            [PgQuery("SELECT * FROM customers WHERE id = @id")]
            public static partial Task<Customer?> CustomerAsync(this NpgsqlConnection connection, long id, CancellationToken ct);

            [PgQuery(@"SELECT o.id, c.name AS customer, o.total, o.tags, o.details, o.placed_at
                       FROM orders o JOIN customers c ON c.id = o.customer_id
                       WHERE o.total >= @minimum ORDER BY o.id")]
            public static partial Task<List<OrderSummary>> LargeOrdersAsync(this NpgsqlConnection connection, decimal minimum, CancellationToken ct);

            [PgQuery("SELECT count(*) FROM orders WHERE customer_id = @customerId")]
            public static partial Task<long> OrderCountAsync(this NpgsqlConnection connection, long customerId, CancellationToken ct);

            [PgQuery("UPDATE orders SET tags = @tags WHERE id = @id")]
            public static partial Task<int> RetagAsync(this NpgsqlConnection connection, long id, string[] tags, CancellationToken ct);
        }
        """;

    private readonly string _project = Directory.CreateTempSubdirectory("pgborrow-drift-").FullName;
    private readonly string _schema = "drift_" + Guid.NewGuid().ToString("N").Substring(0, 12);
    private string _connectionString = "";

    protected override async Task SetUpAsync()
    {
        _connectionString = new NpgsqlConnectionStringBuilder(Db.ConnectionString) { SearchPath = _schema }.ConnectionString;
        await Db.ExecuteAsync($"CREATE SCHEMA {_schema}");
        await AlterAsync(Schema);
        await File.WriteAllTextAsync(Path.Combine(_project, "ShopQueries.cs"), Queries, Ct);
    }

    public void Dispose()
    {
        Directory.Delete(_project, recursive: true);
        if (_connectionString.Length > 0)
            Db.ExecuteAsync($"DROP SCHEMA {_schema} CASCADE").GetAwaiter().GetResult();
    }

    private async Task AlterAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<(int ExitCode, string Output)> PrepareAsync(params string[] options)
    {
        var output = new StringWriter();
        var exitCode = await PrepareCommand.RunAsync(["--connection", _connectionString, .. options, _project], output, Ct);
        return (exitCode, output.ToString());
    }

    /// <summary>Prepares (asserting success) and builds offline (asserting the project and its generated code compile).</summary>
    private async Task<string[]> PrepareAndBuildAsync()
    {
        var (exitCode, output) = await PrepareAsync();
        Assert.True(exitCode == 0, output);
        var build = await OfflineBuild.RunAsync(_project, Ct);
        Assert.Empty(build.Errors);
        return build.OfflineChecks();
    }

    /// <summary>Builds clean against the schema as created, applies one change to it, prepares again and builds.</summary>
    private async Task<string[]> DiagnosticsAfterAsync(string change)
    {
        Assert.Empty(await PrepareAndBuildAsync());
        await AlterAsync(change);
        return await PrepareAndBuildAsync();
    }

    [PgFact]
    public async Task A_project_prepared_against_its_schema_builds_with_no_offline_diagnostic()
    {
        var diagnostics = await PrepareAndBuildAsync();

        Assert.Empty(diagnostics);
        var files = Directory.GetFiles(Path.Combine(_project, ".pgborrow"), "*.json");
        Assert.Equal(4, files.Length);
        // The enum, the array and the jsonb column were described, so the build above compared them with their members.
        var described = string.Concat(files.Select(File.ReadAllText));
        Assert.Contains("\"name\": \"mood\",\n      \"type\": \"mood\"", described);
        Assert.Contains("\"name\": \"tags\",\n      \"type\": \"text[]\"", described);
        Assert.Contains("\"name\": \"details\",\n      \"type\": \"jsonb\"", described);
    }

    [PgFact]
    public async Task A_renamed_column_is_reported_at_the_member_that_reads_it()
    {
        var diagnostics = await DiagnosticsAfterAsync("ALTER TABLE customers RENAME COLUMN email TO contact_email");

        Assert.Equal(
            ["PGB332 ShopQueries.cs(18): 'CustomerAsync': the statement returns no column 'email' for 'Customer.Email' (string?) (its columns are 'id', 'name', 'contact_email', 'mood'); add the column to the select list, or name it with [PgColumn]"],
            diagnostics);
    }

    [PgFact]
    public async Task A_column_made_nullable_is_reported_in_every_row_that_reads_it_including_through_a_join()
    {
        var diagnostics = await DiagnosticsAfterAsync("ALTER TABLE customers ALTER COLUMN name DROP NOT NULL");

        Assert.Equal(
            [
                "PGB332 ShopQueries.cs(18): 'CustomerAsync': the column 'name' (text) can be NULL, and 'Customer.Name' (string) cannot hold null; make the member nullable, or make the column NOT NULL (or coalesce it)",
                "PGB332 ShopQueries.cs(21): 'LargeOrdersAsync': the column 'customer' (text) can be NULL, and 'OrderSummary.Customer' (string) cannot hold null; make the member nullable, or make the column NOT NULL (or coalesce it)",
            ],
            diagnostics);
    }

    [PgFact]
    public async Task A_column_with_a_new_type_is_reported_at_the_member_that_can_no_longer_read_it()
    {
        var diagnostics = await DiagnosticsAfterAsync("ALTER TABLE orders ALTER COLUMN total TYPE double precision");

        Assert.Equal(
            ["PGB332 ShopQueries.cs(21): 'LargeOrdersAsync': the column 'total' is double precision, which is not read into 'OrderSummary.Total' (decimal): double precision is read into double; make the member's type one that reads it, or cast the column in the SQL"],
            diagnostics);
    }

    [PgFact]
    public async Task Check_fails_on_the_files_an_alter_made_stale_and_passes_after_a_new_prepare()
    {
        await PrepareAndBuildAsync();
        await AlterAsync("ALTER TABLE orders ALTER COLUMN details TYPE json");

        var (failedCode, failedOutput) = await PrepareAsync("--check");
        var (preparedCode, preparedOutput) = await PrepareAsync();
        var (passedCode, passedOutput) = await PrepareAsync("--check");

        Assert.Equal(1, failedCode);
        Assert.Contains("ShopQueries.cs(21,6): error: ShopQueries.LargeOrdersAsync: .pgborrow/", failedOutput);
        Assert.Contains(" is stale; run 'pgborrow prepare'", failedOutput);
        Assert.DoesNotContain("CustomerAsync", failedOutput);
        Assert.DoesNotContain("OrderCountAsync", failedOutput);
        Assert.True(preparedCode == 0, preparedOutput);
        Assert.Contains("(1 written, 0 removed)", preparedOutput);
        Assert.True(passedCode == 0, passedOutput);
        Assert.Contains("4 statement file(s) up to date", passedOutput);
        // json is read into string as jsonb was: the new description still fits the row.
        Assert.Empty((await OfflineBuild.RunAsync(_project, Ct)).OfflineChecks());
    }
}
