using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Cli.Commands;
using PgBorrow.Cli.Metadata;
using Xunit;

namespace PgBorrow.IntegrationTests.Prepare;

/// <summary>
/// <c>pgborrow prepare</c> on a throwaway project folder against the real server: it writes one file per statement,
/// <c>--check</c> passes on them and fails, naming the method and its line, once a query changes.
/// </summary>
public sealed class PrepareCommandTests(PgDatabaseFixture db) : PgDatabaseTests(db), IDisposable
{
    private const string Queries = """
        using System.Threading.Tasks;
        using Npgsql;

        public static partial class OrderQueries
        {
            private const string Columns = "id, customer_id, note";

            [PgQuery("SELECT " + Columns + " FROM p_orders WHERE id = @id")]
            public static partial Task<Order> OrderAsync(this NpgsqlConnection connection, long id);

            [PgBorrow.PgQuery("UPDATE p_orders SET note = @note WHERE id = @id")]
            public static partial Task<int> SetNoteAsync(this NpgsqlConnection connection, long id, string note);
        }
        """;

    private readonly string _project = Directory.CreateTempSubdirectory("pgborrow-prepare-").FullName;

    protected override async Task SetUpAsync()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS p_orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, note text)", connection);
        await command.ExecuteNonQueryAsync(Ct);
        await File.WriteAllTextAsync(Path.Combine(_project, "OrderQueries.cs"), Queries, Ct);
        // Build output is not the project's source: a copy in obj/ must not be collected.
        Directory.CreateDirectory(Path.Combine(_project, "obj"));
        await File.WriteAllTextAsync(Path.Combine(_project, "obj", "Copy.cs"), Queries.Replace("p_orders", "missing_table"), Ct);
    }

    public void Dispose() => Directory.Delete(_project, recursive: true);

    private async Task<(int ExitCode, string Output)> RunAsync(params string[] options)
    {
        var output = new StringWriter();
        var exitCode = await PrepareCommand.RunAsync(["--connection", Db.ConnectionString, .. options, _project], output, Ct);
        return (exitCode, output.ToString());
    }

    private string[] MetadataFiles() =>
        Directory.GetFiles(Path.Combine(_project, StatementFile.FolderName)).Select(Path.GetFileName).OfType<string>().Order().ToArray();

    [PgFact]
    public async Task Prepare_writes_one_file_per_statement_and_check_passes()
    {
        var (prepared, prepareOutput) = await RunAsync();
        var (checkedCode, checkOutput) = await RunAsync("--check");

        Assert.True(prepared == 0, prepareOutput);
        Assert.Equal(
            new[] { "SELECT id, customer_id, note FROM p_orders WHERE id = $1", "UPDATE p_orders SET note = $1 WHERE id = $2" }
                .Select(StatementFile.FileName).Order().ToArray(),
            MetadataFiles());
        var select = await File.ReadAllTextAsync(Path.Combine(_project, ".pgborrow", StatementFile.FileName("SELECT id, customer_id, note FROM p_orders WHERE id = $1")), Ct);
        Assert.Contains("\"name\": \"note\",\n      \"type\": \"text\",\n      \"table\": \"p_orders\",\n      \"attribute\": 3,\n      \"nullable\": true", select);
        Assert.True(checkedCode == 0, checkOutput);
        Assert.Contains("2 statement file(s) up to date", checkOutput);
    }

    [PgFact]
    public async Task Check_fails_naming_the_changed_query_and_its_line_and_passes_after_a_new_prepare()
    {
        await RunAsync();
        var source = Path.Combine(_project, "OrderQueries.cs");
        await File.WriteAllTextAsync(source, Queries.Replace("SET note = @note", "SET note = upper(@note)"), Ct);

        var (failedCode, failedOutput) = await RunAsync("--check");
        var (_, _) = await RunAsync();
        var (passedCode, passedOutput) = await RunAsync("--check");

        Assert.Equal(1, failedCode);
        Assert.Contains("OrderQueries.cs(11,6): error: OrderQueries.SetNoteAsync: .pgborrow/" + StatementFile.FileName("UPDATE p_orders SET note = upper($1) WHERE id = $2") + " is missing", failedOutput);
        Assert.Contains(StatementFile.FileName("UPDATE p_orders SET note = $1 WHERE id = $2") + ": error: no statement of the project uses this file any more", failedOutput);
        Assert.DoesNotContain("OrderAsync", failedOutput);
        Assert.True(passedCode == 0, passedOutput);
        Assert.Equal(2, MetadataFiles().Length);
    }

    [PgFact]
    public async Task Check_fails_on_a_stale_file_when_the_schema_changed()
    {
        await RunAsync();
        await using (var connection = await Db.DataSource.OpenConnectionAsync(Ct))
        await using (var alter = new NpgsqlCommand("ALTER TABLE p_orders ALTER COLUMN note SET NOT NULL", connection))
            await alter.ExecuteNonQueryAsync(Ct);

        try
        {
            var (code, output) = await RunAsync("--check");

            Assert.Equal(1, code);
            Assert.Contains("OrderQueries.cs(8,6): error: OrderQueries.OrderAsync: ", output);
            Assert.Contains(" is stale", output);
            Assert.DoesNotContain("SetNoteAsync", output);
        }
        finally
        {
            await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
            await using var restore = new NpgsqlCommand("ALTER TABLE p_orders ALTER COLUMN note DROP NOT NULL", connection);
            await restore.ExecuteNonQueryAsync(Ct);
        }
    }

    [PgFact]
    public async Task A_query_the_server_refuses_fails_with_its_sqlstate_and_c_sharp_line()
    {
        await File.WriteAllTextAsync(Path.Combine(_project, "OrderQueries.cs"), Queries.Replace("SELECT \" + Columns", "SELECT totl, \" + Columns"), Ct);

        var (code, output) = await RunAsync();

        Assert.Equal(1, code);
        Assert.Contains("OrderQueries.cs(8,6): error: OrderQueries.OrderAsync: column \"totl\" does not exist (SQLSTATE 42703, at character 8 of: SELECT totl,", output);
        Assert.Single(MetadataFiles()); // the UPDATE still got its file
    }
}
