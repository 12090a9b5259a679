using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace PgBorrow.Benchmarks.AnalyzerCost;

/// <summary>One analyzer line of the compiler's ReportAnalyzer table.</summary>
internal sealed record AnalyzerTime(string Assembly, string Type, string Ids, double Seconds);

/// <summary>What one build log says about analyzer cost.</summary>
internal sealed record BuildCost(
    string Log,
    double TotalSeconds,
    IReadOnlyDictionary<string, double> Assemblies,
    IReadOnlyList<AnalyzerTime> Analyzers,
    TimeSpan? Elapsed,
    IReadOnlyDictionary<string, int> Warnings)
{
    public double Assembly(string prefix)
        => Assemblies.Where(a => a.Key.StartsWith(prefix + ",", StringComparison.Ordinal)).Sum(a => a.Value);

    public AnalyzerTime? Find(string id)
        => Analyzers.FirstOrDefault(a => a.Ids.Split(',', StringSplitOptions.TrimEntries).Contains(id, StringComparer.Ordinal));
}

/// <summary>
/// Parses "Total analyzer execution time" sections out of <c>-p:ReportAnalyzer=true -v:d</c> build
/// logs and prints PgBorrow (total and per analyzer), IDisposableAnalyzers (assembly total) and CA2000
/// (its own analyzer line inside NetAnalyzers), per build and the median, with ratios taken within
/// each build so a noisy shared machine affects both sides of a ratio alike.
/// </summary>
internal static class CostReport
{
    const string PgBorrowAssembly = "PgBorrow.Analyzers";
    const string IDisposableAssembly = "IDisposableAnalyzers";
    const string Ca2000 = "CA2000";

    // "   0.140   39      Microsoft.NetCore....CSharpDetectPreviewFeatureAnalyzer (CA2252)"
    // "  <0.001   <1   PgBorrow.Analyzers, Version=0.1.0.0, Culture=neutral, PublicKeyToken=null"
    static readonly Regex Row = new(@"^\s*(?:\d+(?::\d+)?>)?\s*(?<time><?\d+\.\d+)\s+(?<pct><?\d+)\s+(?<name>\S.*?)\s*$", RegexOptions.Compiled);
    static readonly Regex Total = new(@"Total analyzer execution time:\s*(?<s>\d+(?:\.\d+)?) seconds", RegexOptions.Compiled);
    static readonly Regex TypeAndIds = new(@"^(?<type>.*?)\s*\((?<ids>[^()]*)\)$", RegexOptions.Compiled);
    static readonly Regex ElapsedLine = new(@"^\s*Time Elapsed (?<t>\d+:\d+:\d+(?:\.\d+)?)", RegexOptions.Compiled);
    static readonly Regex Warning = new(@"^\s*(?:\d+(?::\d+)?>)?(?<where>.+?\(\d+,\d+\)): warning (?<id>PGB\d+|IDISP\d+|CA2000)\b", RegexOptions.Compiled);

    public static int Print(IReadOnlyList<string> logs)
    {
        var builds = logs.Select(Parse).ToList();
        var missing = builds.Where(b => b.Analyzers.Count == 0).Select(b => b.Log).ToList();
        if (missing.Count > 0)
        {
            Console.Error.WriteLine("No 'Total analyzer execution time' section in: " + string.Join(", ", missing)
                + ". Build with --no-incremental -p:ReportAnalyzer=true -v:d.");
            return 1;
        }

        var first = builds[0];
        var pgborrowAnalyzers = first.Analyzers.Where(a => a.Assembly.StartsWith(PgBorrowAssembly + ",", StringComparison.Ordinal))
            .Select(a => (a.Type, a.Ids)).Distinct().OrderBy(a => a.Ids, StringComparer.Ordinal).ToList();
        var ca2000 = first.Find(Ca2000);

        var rows = new List<(string Label, double[] Values)>
        {
            ($"PgBorrow.Analyzers, all {pgborrowAnalyzers.Count} analyzers", builds.Select(b => b.Assembly(PgBorrowAssembly)).ToArray()),
        };
        foreach (var (type, ids) in pgborrowAnalyzers)
        {
            rows.Add(($"  {ids} {ShortName(type)}", builds.Select(b =>
                b.Analyzers.Where(a => a.Type == type && a.Assembly.StartsWith(PgBorrowAssembly + ",", StringComparison.Ordinal)).Sum(a => a.Seconds)).ToArray()));
        }
        rows.Add(($"IDisposableAnalyzers, all analyzers", builds.Select(b => b.Assembly(IDisposableAssembly)).ToArray()));
        var idisposableLargest = first.Analyzers
            .Where(a => a.Assembly.StartsWith(IDisposableAssembly + ",", StringComparison.Ordinal) && a.Type.StartsWith(IDisposableAssembly + ".", StringComparison.Ordinal))
            .OrderByDescending(a => a.Seconds)
            .FirstOrDefault();
        if (idisposableLargest is not null)
        {
            rows.Add(($"  largest: {ShortName(idisposableLargest.Type)} ({idisposableLargest.Ids})", builds.Select(b =>
                b.Analyzers.Where(a => a.Type == idisposableLargest.Type).Sum(a => a.Seconds)).ToArray()));
        }
        rows.Add((ca2000 is null ? "CA2000 (not found in the report)" : $"CA2000 {ShortName(ca2000.Type)}", builds.Select(b => b.Find(Ca2000)?.Seconds ?? double.NaN).ToArray()));
        rows.Add(("All analyzers (compiler's total)", builds.Select(b => b.TotalSeconds).ToArray()));

        Console.WriteLine($"Analyzer execution time in seconds, as reported by the compiler (-p:ReportAnalyzer=true), {builds.Count} build(s)");
        Console.WriteLine();
        var header = "| Analyzer | " + string.Join(" | ", builds.Select((_, i) => $"build {i + 1}")) + " | median |";
        Console.WriteLine(header);
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", builds.Count + 1)));
        foreach (var (label, values) in rows)
            Console.WriteLine($"| {label} | {string.Join(" | ", values.Select(Seconds))} | {Seconds(Median(values))} |");

        Console.WriteLine();
        Console.WriteLine("Ratios within each build (PgBorrow total / other):");
        Console.WriteLine();
        Console.WriteLine("| Ratio | " + string.Join(" | ", builds.Select((_, i) => $"build {i + 1}")) + " | median |");
        Console.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", builds.Count + 1)));
        foreach (var (label, other) in new (string, Func<BuildCost, double>)[]
        {
            ("PgBorrow / CA2000", b => b.Find(Ca2000)?.Seconds ?? double.NaN),
            ("PgBorrow / IDisposableAnalyzers", b => b.Assembly(IDisposableAssembly)),
        })
        {
            var ratios = builds.Select(b => Ratio(b.Assembly(PgBorrowAssembly), other(b))).ToArray();
            Console.WriteLine($"| {label} | {string.Join(" | ", ratios.Select(RatioText))} | {RatioText(Median(ratios))} |");
        }

        Console.WriteLine();
        Console.WriteLine("Build wall-clock (MSBuild 'Time Elapsed'): "
            + string.Join(", ", builds.Select((b, i) => $"build {i + 1} {(b.Elapsed is { } t ? t.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture) + " s" : "?")}")));
        Console.WriteLine("Warnings in build 1: " + string.Join(", ",
            new[] { "PGB", "IDISP", Ca2000 }.Select(prefix => $"{prefix}*: {first.Warnings.Where(w => w.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(w => w.Value)}")));
        var byId = first.Warnings.OrderBy(w => w.Key, StringComparer.Ordinal).Select(w => $"{w.Key} {w.Value}");
        Console.WriteLine("  by ID: " + (first.Warnings.Count == 0 ? "none" : string.Join(", ", byId)));
        Console.WriteLine("(<0.001 is how the compiler prints times under a millisecond; they count as 0 in sums and ratios.)");
        return 0;
    }

    static BuildCost Parse(string log)
    {
        var assemblies = new Dictionary<string, double>(StringComparer.Ordinal);
        var analyzers = new List<AnalyzerTime>();
        var warnings = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        double total = 0;
        TimeSpan? elapsed = null;
        var inSection = false;
        string? assembly = null;

        foreach (var line in File.ReadLines(log))
        {
            var totalMatch = Total.Match(line);
            if (totalMatch.Success)
            {
                // Several compilations (or a restore-and-build) would each print one section; add them up.
                total += double.Parse(totalMatch.Groups["s"].Value, CultureInfo.InvariantCulture);
                inSection = true;
                assembly = null;
                continue;
            }

            if (inSection)
            {
                if (line.Contains("Total generator execution time", StringComparison.Ordinal))
                {
                    inSection = false;
                    continue;
                }
                var row = Row.Match(line);
                if (row.Success)
                {
                    var seconds = ParseSeconds(row.Groups["time"].Value);
                    var name = row.Groups["name"].Value;
                    if (name.Contains(", Version=", StringComparison.Ordinal))
                    {
                        assembly = name;
                        assemblies[name] = assemblies.GetValueOrDefault(name) + seconds;
                    }
                    else if (assembly is not null)
                    {
                        var parts = TypeAndIds.Match(name);
                        analyzers.Add(parts.Success
                            ? new AnalyzerTime(assembly, parts.Groups["type"].Value, parts.Groups["ids"].Value, seconds)
                            : new AnalyzerTime(assembly, name, "", seconds));
                    }
                }
                else if (line.Trim().Length == 0 || line.Trim().EndsWith('>'))
                {
                    assembly = null; // a blank line ends one assembly's group
                }
                else if (analyzers.Count > 0 && !line.Contains("Time (s)", StringComparison.Ordinal))
                {
                    inSection = false; // the table has ended
                }
            }

            var warning = Warning.Match(line);
            if (warning.Success)
            {
                var id = warning.Groups["id"].Value;
                if (!warnings.TryGetValue(id, out var places))
                    warnings[id] = places = new HashSet<string>(StringComparer.Ordinal);
                places.Add(warning.Groups["where"].Value.Trim()); // the summary repeats each warning
            }

            var elapsedMatch = ElapsedLine.Match(line);
            if (elapsedMatch.Success && TimeSpan.TryParse(elapsedMatch.Groups["t"].Value, CultureInfo.InvariantCulture, out var t))
                elapsed = t;
        }

        return new BuildCost(log, total, assemblies, analyzers, elapsed, warnings.ToDictionary(w => w.Key, w => w.Value.Count, StringComparer.Ordinal));
    }

    static double ParseSeconds(string text)
        => text.StartsWith('<') ? 0 : double.Parse(text, CultureInfo.InvariantCulture);

    static string ShortName(string type)
    {
        var dot = type.LastIndexOf('.');
        return dot < 0 ? type : type[(dot + 1)..];
    }

    static double Median(double[] values)
    {
        var known = values.Where(v => !double.IsNaN(v)).OrderBy(v => v).ToArray();
        if (known.Length == 0)
            return double.NaN;
        return known.Length % 2 == 1 ? known[known.Length / 2] : (known[known.Length / 2 - 1] + known[known.Length / 2]) / 2;
    }

    static double Ratio(double numerator, double denominator)
        => double.IsNaN(denominator) || denominator <= 0 ? double.NaN : numerator / denominator;

    static string Seconds(double value)
        => double.IsNaN(value) ? "n/a" : value < 0.0005 ? "<0.001" : value.ToString("F3", CultureInfo.InvariantCulture);

    static string RatioText(double value)
        => double.IsNaN(value) ? "n/a" : value.ToString(value < 0.01 ? "0.######" : "F2", CultureInfo.InvariantCulture);
}
