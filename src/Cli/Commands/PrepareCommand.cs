using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Cli.Collect;
using PgBorrow.Cli.Describe;
using PgBorrow.Cli.Metadata;

namespace PgBorrow.Cli.Commands;

/// <summary>
/// <c>pgborrow prepare --connection &lt;cs&gt; [--check] &lt;project-or-folder&gt;</c>: describes every statement the
/// project sends ([PgQuery] methods, the query API, Npgsql commands, Dapper) against the database and writes <c>.pgborrow/&lt;hash&gt;.json</c> at the project root, removing
/// files no query uses. With <c>--check</c> it writes nothing and fails when a file is missing, stale (the database
/// now describes the statement differently) or unused. A statement the server refuses fails both modes.
/// Exit codes: 0 success, 1 a statement failed or the check found differences, 2 bad arguments.
/// </summary>
public static class PrepareCommand
{
    public const string Usage = "usage: pgborrow prepare --connection <connection-string> [--check] <project-file-or-folder>";

    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextWriter output, CancellationToken cancellationToken = default)
    {
        if (!TryReadArguments(args, out var connectionString, out var check, out var projectFile, out var projectFolder, out var problem))
        {
            await output.WriteLineAsync(problem + Environment.NewLine + Usage);
            return 2;
        }

        var compilation = await ProjectOpener.OpenAsync(projectFile, projectFolder, output, cancellationToken);
        var methods = PgQueryCollector.Collect(compilation, projectFolder);
        var sent = SentStatementCollector.Collect(compilation, projectFolder);
        var queries = methods.Concat(sent.Statements).ToList();
        var expected = new SortedDictionary<string, (CollectedQuery Query, byte[] Content)>(StringComparer.Ordinal);
        var failed = 0;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync(cancellationToken);
            var describer = new StatementDescriber(connection);
            foreach (var query in queries)
            {
                var fileName = StatementFile.FileName(query.CommandText);
                if (expected.ContainsKey(fileName))
                    continue; // the same statement in two methods: one file
                var description = await describer.DescribeAsync(query.CommandText, cancellationToken);
                if (description.Error is { } error)
                {
                    failed++;
                    await output.WriteLineAsync($"{query.Location}: error: {query.Method}: {error.Message} (SQLSTATE {error.SqlState}{(error.Position > 0 ? $", at character {error.Position} of: {query.CommandText}" : "")}){NeedsParameterTypesHint(error.SqlState)}");
                    continue;
                }
                expected[fileName] = (query, StatementFile.Write(description));
            }
        }

        var folder = Path.Combine(projectFolder, StatementFile.FolderName);
        var existing = Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.json").Select(Path.GetFileName).OfType<string>().ToHashSet(StringComparer.Ordinal)
            : [];
        var unused = existing.Where(name => !expected.ContainsKey(name)).Order(StringComparer.Ordinal).ToList();

        var found = $"{methods.Count} [PgQuery] method(s), {sent.Statements.Count} other statement(s) ({Skipped(sent)})";
        if (check)
        {
            await output.WriteLineAsync($"pgborrow prepare --check: {found}");
            return await CheckAsync(folder, expected, unused, output) && failed == 0 ? 0 : 1;
        }

        Directory.CreateDirectory(folder);
        var written = 0;
        foreach (var (fileName, (_, content)) in expected)
        {
            var path = Path.Combine(folder, fileName);
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(content))
                continue;
            await File.WriteAllBytesAsync(path, content, cancellationToken);
            written++;
        }
        foreach (var fileName in unused)
            File.Delete(Path.Combine(folder, fileName));
        await output.WriteLineAsync($"pgborrow prepare: {found}, {expected.Count} statement file(s) in {StatementFile.FolderName}/ ({written} written, {unused.Count} removed){(failed > 0 ? $", {failed} failed to describe" : "")}");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>
    /// The server is described a statement without its parameters' types (at run time Npgsql sends each parameter's
    /// type with it): where a placeholder's type follows from nothing in the text (<c>-$3</c>, <c>$1 IS NULL</c>), it
    /// cannot pick one. A cast in the statement settles it for both.
    /// </summary>
    private static string NeedsParameterTypesHint(string sqlState)
        => sqlState is "42P18" or "42725"
            ? "; the statement is described without its parameters' types: cast the placeholder where its type is not clear from the text (for example $3::int)"
            : "";

    /// <summary>The sends left out: they are not errors (the text is built at run time, or cannot be described), but the user should know how many.</summary>
    private static string Skipped(SentStatements sent)
        => $"skipped: {sent.NotConstant} not constant, {sent.NotPreparable} not a statement that can be described";

    private static async Task<bool> CheckAsync(string folder, SortedDictionary<string, (CollectedQuery Query, byte[] Content)> expected, List<string> unused, TextWriter output)
    {
        var ok = true;
        foreach (var (fileName, (query, content)) in expected)
        {
            var path = Path.Combine(folder, fileName);
            var state = !File.Exists(path) ? "missing" : File.ReadAllBytes(path).AsSpan().SequenceEqual(content) ? null : "stale";
            if (state is null)
                continue;
            ok = false;
            await output.WriteLineAsync($"{query.Location}: error: {query.Method}: {StatementFile.FolderName}/{fileName} is {state}; run 'pgborrow prepare'");
        }
        foreach (var fileName in unused)
        {
            ok = false;
            await output.WriteLineAsync($"{StatementFile.FolderName}/{fileName}: error: no statement of the project uses this file any more; run 'pgborrow prepare'");
        }
        await output.WriteLineAsync(ok ? $"pgborrow prepare --check: {expected.Count} statement file(s) up to date" : "pgborrow prepare --check: failed");
        return ok;
    }

    private static bool TryReadArguments(IReadOnlyList<string> args, out string connectionString, out bool check, out string? projectFile, out string projectFolder, out string problem)
    {
        connectionString = "";
        check = false;
        projectFile = null;
        projectFolder = "";
        problem = "";
        string? target = null;
        for (var i = 0; i < args.Count; i++)
        {
            switch (args[i])
            {
                case "--connection" when i + 1 < args.Count:
                    connectionString = args[++i];
                    break;
                case "--check":
                    check = true;
                    break;
                case var other when other.StartsWith("--", StringComparison.Ordinal):
                    problem = $"unknown or incomplete option '{other}'";
                    return false;
                case var path when target is null:
                    target = path;
                    break;
                default:
                    problem = $"unexpected argument '{args[i]}'";
                    return false;
            }
        }
        if (connectionString.Length == 0)
            problem = "--connection is required";
        else if (target is null)
            problem = "name the project file or folder";
        else if (File.Exists(target) && target.EndsWith(".csproj", StringComparison.OrdinalIgnoreCase))
        {
            projectFile = Path.GetFullPath(target);
            projectFolder = Path.GetDirectoryName(projectFile)!;
        }
        else if (Directory.Exists(target))
            projectFolder = Path.GetFullPath(target);
        else
            problem = $"'{target}' is neither a .csproj file nor a folder";
        return problem.Length == 0;
    }
}
