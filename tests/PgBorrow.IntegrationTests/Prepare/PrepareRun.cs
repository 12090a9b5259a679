using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using PgBorrow.Cli.Commands;
using PgBorrow.Cli.Metadata;

namespace PgBorrow.IntegrationTests.Prepare;

/// <summary>Runs <c>pgborrow prepare</c> in the test process, and lists the files it left.</summary>
internal static class PrepareRun
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string connectionString, string target, string[] options, CancellationToken cancellationToken)
    {
        var output = new StringWriter();
        var exitCode = await PrepareCommand.RunAsync(["--connection", connectionString, .. options, target], output, cancellationToken);
        return (exitCode, output.ToString());
    }

    /// <summary>The names of the statement files under the project's <c>.pgborrow/</c>, sorted.</summary>
    public static string[] MetadataFiles(string projectFolder) =>
        Directory.GetFiles(Path.Combine(projectFolder, StatementFile.FolderName)).Select(Path.GetFileName).OfType<string>().Order().ToArray();
}
