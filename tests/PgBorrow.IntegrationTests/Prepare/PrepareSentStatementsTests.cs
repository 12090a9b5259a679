using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Cli.Metadata;
using Xunit;

namespace PgBorrow.IntegrationTests.Prepare;

/// <summary>
/// <c>pgborrow prepare</c> on a project folder whose SQL is not in [PgQuery] methods: the runtime query API and Npgsql
/// commands. Each statement is described as it is sent (holes and <c>@name</c> as <c>$n</c>); what cannot be
/// described is counted, not failed.
/// </summary>
public sealed class PrepareSentStatementsTests(PgDatabaseFixture db) : PgDatabaseTests(db), IDisposable
{
    private const string Store = """
        using System.Threading.Tasks;
        using Npgsql;
        using PgBorrow;

        public static class Texts
        {
            public const string ByCustomer = "SELECT id, note FROM s_orders WHERE customer_id = @customer AND (note = @note OR @note IS NULL)";
        }

        public static class OrderStore
        {
            public static Task<long> CountAsync(NpgsqlConnection connection, long customer)
                => connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM s_orders WHERE customer_id = {customer} AND id > {0}");

            public static async Task ReadAsync(NpgsqlConnection connection, string table)
            {
                await using var byCustomer = new NpgsqlCommand(Texts.ByCustomer, connection);
                await using var built = new NpgsqlCommand("SELECT * FROM " + table, connection);
                await using var ddl = new NpgsqlCommand { CommandText = "CREATE TABLE IF NOT EXISTS s_more (id int)" };
                await connection.ExecuteAsync("UPDATE s_orders SET note = 'x' WHERE false", new PgQueryOptions());
            }
        }
        """;

    private static readonly string[] SentTexts =
    [
        "SELECT count(*) FROM s_orders WHERE customer_id = $1 AND id > $2",
        "SELECT id, note FROM s_orders WHERE customer_id = $1 AND (note = $2 OR $2 IS NULL)",
        "UPDATE s_orders SET note = 'x' WHERE false",
    ];

    private readonly string _project = Directory.CreateTempSubdirectory("pgborrow-prepare-sent-").FullName;

    protected override async Task SetUpAsync()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS s_orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, note text)", connection);
        await command.ExecuteNonQueryAsync(Ct);
        await File.WriteAllTextAsync(Path.Combine(_project, "OrderStore.cs"), Store, Ct);
    }

    public void Dispose() => Directory.Delete(_project, recursive: true);

    private Task<(int ExitCode, string Output)> RunAsync(params string[] options) => PrepareRun.RunAsync(Db.ConnectionString, _project, options, Ct);


    [PgFact]
    public async Task Describes_each_statement_as_sent_and_counts_what_it_skips()
    {
        var (code, output) = await RunAsync();

        Assert.True(code == 0, output);
        Assert.Equal(SentTexts.Select(StatementFile.FileName).Order().ToArray(), PrepareRun.MetadataFiles(_project));
        Assert.Contains("0 [PgQuery] method(s), 3 other statement(s) (skipped: 1 not constant, 1 not a statement that can be described)", output);
        var byCustomer = await File.ReadAllTextAsync(Path.Combine(_project, StatementFile.FolderName, StatementFile.FileName(SentTexts[1])), Ct);
        Assert.Contains("\"parameters\": [\n    \"bigint\",\n    \"text\"\n  ]", byCustomer);
        Assert.False(await Db.DataSource.CreateCommand("SELECT to_regclass('s_more') IS NOT NULL").ExecuteScalarAsync(Ct) is true);
    }

    [PgFact]
    public async Task Check_names_the_sending_member_and_line_of_an_edited_statement()
    {
        await RunAsync();
        await File.WriteAllTextAsync(Path.Combine(_project, "OrderStore.cs"), Store.Replace("AND id > {0}", "AND id >= {0}"), Ct);

        var (code, output) = await RunAsync("--check");

        Assert.Equal(1, code);
        Assert.Contains("OrderStore.cs(13,12): error: OrderStore.CountAsync (ExecuteScalarAsync): .pgborrow/" + StatementFile.FileName("SELECT count(*) FROM s_orders WHERE customer_id = $1 AND id >= $2") + " is missing", output);
        Assert.Contains(StatementFile.FileName(SentTexts[0]) + ": error: no statement of the project uses this file any more", output);
    }
}
