using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Cli.Metadata;
using Xunit;

namespace PgBorrow.IntegrationTests.Prepare;

/// <summary>
/// <c>pgborrow prepare</c> given a real <c>.csproj</c>: opened with MSBuild, its references bind, so a Dapper call is
/// collected beside the runtime query API and an Npgsql command. The one test here that restores and opens a project
/// (the others read folders, which is much faster).
/// </summary>
public sealed class PrepareProjectFileTests(PgDatabaseFixture db) : PgDatabaseTests(db, timeoutSeconds: 240), IDisposable
{
    private const string Code = """
        using System.Threading.Tasks;
        using Dapper;
        using Npgsql;
        using PgBorrow;

        public static class OrderStore
        {
            public static Task<long> CountAsync(NpgsqlConnection connection, long customer)
                => connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM w_orders WHERE customer_id = {customer}");

            public static NpgsqlCommand NoteCommand(NpgsqlConnection connection)
                => new NpgsqlCommand("SELECT note FROM w_orders WHERE id = @id", connection);

            public static Task<System.Collections.Generic.IEnumerable<long>> IdsAsync(NpgsqlConnection connection, string note)
                => connection.QueryAsync<long>("SELECT id FROM w_orders WHERE note = @note OR customer_id = @customer", new { note, customer = 1L });
        }
        """;

    private static readonly string[] SentTexts =
    [
        "SELECT count(*) FROM w_orders WHERE customer_id = $1",
        "SELECT note FROM w_orders WHERE id = $1",
        "SELECT id FROM w_orders WHERE note = $1 OR customer_id = $2",
    ];

    private readonly string _project = Directory.CreateTempSubdirectory("pgborrow-prepare-csproj-").FullName;

    private string ProjectFile => Path.Combine(_project, "Shop.csproj");

    protected override async Task SetUpAsync()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand(
            "CREATE TABLE IF NOT EXISTS w_orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, note text)", connection);
        await command.ExecuteNonQueryAsync(Ct);
        // The runtime is referenced as the built assembly: a package or project reference would restore and build more.
        await File.WriteAllTextAsync(ProjectFile, $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="Npgsql" Version="10.0.3" />
                <PackageReference Include="Dapper" Version="2.1.86" />
                <Reference Include="PgBorrow" HintPath="{typeof(PgSql).Assembly.Location}" />
              </ItemGroup>
            </Project>
            """, Ct);
        await File.WriteAllTextAsync(Path.Combine(_project, "OrderStore.cs"), Code, Ct);
        using var restore = Process.Start(new ProcessStartInfo("dotnet", ["restore", ProjectFile, "-v:q", "-nologo"]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var restoreOutput = await restore.StandardOutput.ReadToEndAsync(Ct) + await restore.StandardError.ReadToEndAsync(Ct);
        await restore.WaitForExitAsync(Ct);
        Assert.True(restore.ExitCode == 0, restoreOutput);
    }

    public void Dispose() => Directory.Delete(_project, recursive: true);

    private Task<(int ExitCode, string Output)> RunAsync(params string[] options) => PrepareRun.RunAsync(Db.ConnectionString, ProjectFile, options, Ct);

    [PgFact]
    public async Task Opens_the_project_and_describes_the_query_api_a_command_and_a_dapper_call()
    {
        var (prepared, prepareOutput) = await RunAsync();
        var (passed, passOutput) = await RunAsync("--check");
        await File.WriteAllTextAsync(Path.Combine(_project, "OrderStore.cs"), Code.Replace("note = @note OR", "note = @note AND"), Ct);
        var (failed, failOutput) = await RunAsync("--check");

        Assert.True(prepared == 0, prepareOutput);
        Assert.DoesNotContain("cannot open", prepareOutput);
        Assert.Equal(
            SentTexts.Select(StatementFile.FileName).Order().ToArray(),
            PrepareRun.MetadataFiles(_project));
        Assert.True(passed == 0, passOutput);
        Assert.Equal(1, failed);
        Assert.Contains("OrderStore.cs(15,12): error: OrderStore.IdsAsync (QueryAsync): .pgborrow/" + StatementFile.FileName("SELECT id FROM w_orders WHERE note = $1 AND customer_id = $2") + " is missing", failOutput);
    }
}
