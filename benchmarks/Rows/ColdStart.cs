using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// The first query of a fresh process. <c>cold &lt;contender&gt;</c> opens a connection (not timed),
/// then times the first query-and-map of the 1-row SELECT, then a second one (warm, for reference),
/// and prints one line. <c>cold-all [N]</c> runs N such processes per contender, round-robin, and
/// prints the medians.
/// </summary>
internal static class ColdStart
{
    private const string Marker = "COLD";

    public static async Task<int> RunOneAsync(string contender)
    {
        if (!Contenders.All.Contains(contender))
        {
            Console.Error.WriteLine($"Unknown contender '{contender}'; expected one of: {string.Join(", ", Contenders.All)}.");
            return 2;
        }

        await using var dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();

        var stopwatch = Stopwatch.StartNew();
        var first = await Contenders.QueryAsync(contender, connection, BenchDatabase.Select1);
        var firstMs = stopwatch.Elapsed.TotalMilliseconds;

        stopwatch.Restart();
        var second = await Contenders.QueryAsync(contender, connection, BenchDatabase.Select1);
        var secondMs = stopwatch.Elapsed.TotalMilliseconds;

        if (first.Count != 1 || second.Count != 1 || !first[0].SameAs(BenchRow.Make(1)))
        {
            Console.Error.WriteLine($"{contender}: the cold query read the wrong rows.");
            return 1;
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Marker} {contender} {firstMs:F3} {secondMs:F3}"));
        return 0;
    }

    public static async Task<int> RunAllAsync(int processesPerContender)
    {
        await using (var dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString))
        await using (var connection = await dataSource.OpenConnectionAsync())
            await BenchDatabase.EnsureSeededAsync(connection);

        var first = Contenders.All.ToDictionary(c => c, _ => new List<double>());
        var second = Contenders.All.ToDictionary(c => c, _ => new List<double>());
        for (var run = 0; run < processesPerContender; run++)
        {
            foreach (var contender in Contenders.All)
            {
                var (firstMs, secondMs) = RunChild(contender);
                first[contender].Add(firstMs);
                second[contender].Add(secondMs);
            }
        }

        var handMedian = Stats.Median(first[Contenders.HandWritten]);
        Console.WriteLine();
        Console.WriteLine($"Cold start: first query (1 row, 10 columns) in a fresh process, {processesPerContender} processes per contender, round-robin.");
        Console.WriteLine();
        Console.WriteLine("| Contender | First query, median (ms) | min | max | Over hand-written (ms) | Second query, median (ms) |");
        Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var contender in Contenders.All)
        {
            var f = first[contender];
            var median = Stats.Median(f);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {contender} | {median:F1} | {f.Min():F1} | {f.Max():F1} | {median - handMedian:+0.0;-0.0;0.0} | {Stats.Median(second[contender]):F2} |"));
        }

        return 0;
    }

    private static (double First, double Second) RunChild(string contender)
    {
        // Under `dotnet run` the process is the app host; under `dotnet x.dll` it is dotnet itself.
        var processPath = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        var start = new ProcessStartInfo(processPath) { RedirectStandardOutput = true, UseShellExecute = false };
        if (string.Equals(Path.GetFileNameWithoutExtension(processPath), "dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(Assembly.GetExecutingAssembly().Location);
        start.ArgumentList.Add("cold");
        start.ArgumentList.Add(contender);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start " + processPath);
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"cold {contender} exited with {process.ExitCode}: {output}");

        var line = output.Split('\n').Single(l => l.StartsWith(Marker + " ", StringComparison.Ordinal));
        var parts = line.Trim().Split(' ');
        return (double.Parse(parts[2], CultureInfo.InvariantCulture), double.Parse(parts[3], CultureInfo.InvariantCulture));
    }
}
