using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using PgBorrow.Cli.Commands;
using Xunit;

namespace PgBorrow.IntegrationTests.Prepare;

/// <summary>
/// The Showcase ships its <c>.pgborrow/</c> folder: it is what <c>pgborrow prepare</c> writes for the Showcase's
/// schema (this class's database holds the tables of ShowcaseDatabase.cs), and a build that reads it reports only
/// the Wrong/ example that disagrees with the schema on purpose. A query or schema edited without a new prepare
/// fails here.
/// </summary>
public sealed class ShowcaseMetadataTests(PgDatabaseFixture db) : PgDatabaseTests(db, SchemaDriftProofTests.TimeoutSeconds)
{
    private static readonly string Showcase = Path.Combine(RepositoryRoot(), "samples", "Showcase");

    private static string RepositoryRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Analyzers.sln")))
                return folder.FullName;
        }
        throw new InvalidOperationException("No Analyzers.sln above " + AppContext.BaseDirectory);
    }

    [PgFact]
    public async Task The_committed_folder_is_what_prepare_writes_for_the_showcase_schema()
    {
        var output = new StringWriter();

        // PGBORROW_UPDATE_SHOWCASE=1 rewrites the folder instead (then review and commit it): the way to refresh it
        // after a Showcase statement or ShowcaseDatabase's schema changed.
        var update = Environment.GetEnvironmentVariable("PGBORROW_UPDATE_SHOWCASE") == "1";
        // The project file, not the folder: through MSBuild the [PgRow] types' generated code binds, so the query API
        // calls that read them are collected too (the folder fallback cannot see those).
        var project = Path.Combine(Showcase, "Showcase.csproj");
        var exitCode = await PrepareCommand.RunAsync(update ? ["--connection", Db.ConnectionString, project] : ["--connection", Db.ConnectionString, "--check", project], output, Ct);

        Assert.True(exitCode == 0, "samples/Showcase/.pgborrow is out of date; run 'pgborrow prepare' on the Showcase (see Rows/TypedQueries.cs):" + Environment.NewLine + output);
    }

    [Fact]
    public async Task Its_build_reports_only_the_wrong_example_that_disagrees_with_the_schema()
    {
        var build = await OfflineBuild.RunAsync(Showcase, Ct);

        Assert.Empty(build.Errors);
        Assert.Equal(
            ["PGB332 Pgb332_QueryColumnsDoNotFitRow.cs(28): 'AuditOfOrderAsync': the column 'order_status' (text) can be NULL, and 'PaymentAuditEntry.OrderStatus' (string) cannot hold null; make the member nullable, or make the column NOT NULL (or coalesce it)"],
            build.OfflineChecks());
        Assert.Contains(build.Diagnostics, d => d.Id == "PGB332" && d.Location.SourceTree!.FilePath.Contains(Path.Combine("Wrong", "Pgb332_"), StringComparison.Ordinal));
    }
}
