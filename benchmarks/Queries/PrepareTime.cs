using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Queries;

/// <summary>
/// <c>prepare [statements] [repeats]</c>: the time <c>pgborrow prepare</c> takes on a project with that many
/// distinct [PgQuery] statements (default 500). The project is written to a temporary folder and its schema
/// created in the database; then, <paramref name="repeats"/> times, the built tool
/// (<c>src/Cli/bin/Release/net10.0/PgBorrow.Cli.dll</c>) runs in a fresh process three ways: cold (no
/// <c>.pgborrow/</c> folder: every file written), warm (every file already up to date: all statements are still
/// described, nothing is written) and <c>--check</c>. Each is timed as the user sees it (process start to exit).
/// </summary>
internal static class PrepareTime
{
    public static async Task<int> RunAsync(int statements, int repeats)
    {
        var tool = ToolPath();
        var folder = Path.Combine(Path.GetTempPath(), "pgborrow-prepare-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            SyntheticQueries.Write(folder, statements);
            await CreateSchemaAsync();
            var metadata = Path.Combine(folder, ".pgborrow");
            var runs = new Dictionary<string, List<double>> { ["cold"] = [], ["warm"] = [], ["check"] = [] };

            Console.WriteLine($"pgborrow prepare on {statements} statements ({tool}), {repeats} repeats. Load average at start: {Stats.LoadAverage()}.");
            for (var repeat = 1; repeat <= repeats; repeat++)
            {
                if (Directory.Exists(metadata))
                    Directory.Delete(metadata, recursive: true);
                runs["cold"].Add(Run(tool, folder, check: false, expect: $"{statements} statement file(s) in .pgborrow/ ({statements} written, 0 removed)"));
                var files = Directory.GetFiles(metadata, "*.json").Length;
                if (files != statements)
                    throw new InvalidOperationException($"The cold run wrote {files} files, expected {statements}.");
                runs["warm"].Add(Run(tool, folder, check: false, expect: "(0 written, 0 removed)"));
                runs["check"].Add(Run(tool, folder, check: true, expect: $"{statements} statement file(s) up to date"));
            }

            Console.WriteLine();
            Console.WriteLine("| Run | " + string.Join(" | ", Enumerable.Range(1, repeats).Select(r => $"repeat {r}")) + " | median | per statement (median) |");
            Console.WriteLine("| --- |" + string.Concat(Enumerable.Repeat(" ---: |", repeats + 2)));
            foreach (var (run, seconds) in runs)
            {
                var median = Stats.Median(seconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {Label(run)} | {string.Join(" | ", seconds.Select(s => s.ToString("F2", CultureInfo.InvariantCulture) + " s"))} | {median:F2} s | {median * 1000 / statements:F2} ms |"));
            }
            Console.WriteLine();
            Console.WriteLine($"Load average at end: {Stats.LoadAverage()}.");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static string Label(string run) => run switch
    {
        "cold" => "cold: no .pgborrow/, every file written",
        "warm" => "warm: every file up to date",
        _ => "--check, every file up to date",
    };

    /// <summary>Runs the tool once and returns its wall time in seconds; its output must contain <paramref name="expect"/>.</summary>
    private static double Run(string tool, string folder, bool check, string expect)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { tool, "prepare", "--connection", QueryDatabase.ConnectionString }.Concat(check ? ["--check"] : []).Append(folder))
            start.ArgumentList.Add(argument);
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        var seconds = stopwatch.Elapsed.TotalSeconds;
        if (process.ExitCode != 0 || !output.Result.Contains(expect, StringComparison.Ordinal))
            throw new InvalidOperationException($"pgborrow prepare{(check ? " --check" : "")} exited {process.ExitCode}, expected output containing '{expect}':\n{output.Result}\n{error.Result}");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {(check ? "check" : "prepare")}: {seconds:F2} s: {output.Result.Trim().Split('\n')[^1]}"));
        return seconds;
    }

    private static async Task CreateSchemaAsync()
    {
        await using var connection = new NpgsqlConnection(QueryDatabase.ConnectionString);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand(SyntheticQueries.Schema(), connection);
        await create.ExecuteNonQueryAsync();
    }

    /// <summary>The tool as built beside this benchmark: the repository's src/Cli output for the same configuration.</summary>
    internal static string ToolPath()
    {
        var output = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory));
        var directory = output;
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Analyzers.sln")))
            directory = directory.Parent;
        var configuration = output.Parent?.Name ?? "Release"; // bin/<configuration>/net10.0
        var tool = directory is null ? null : Path.Combine(directory.FullName, "src", "Cli", "bin", configuration, "net10.0", "PgBorrow.Cli.dll");
        return tool is not null && File.Exists(tool)
            ? tool
            : throw new InvalidOperationException($"The built tool is not at {tool}: build benchmarks/Queries (which builds src/Cli) first.");
    }
}
