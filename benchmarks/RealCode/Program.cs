using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace PgBorrow.RealCode;

/// <summary>
/// Runs every PgBorrow analyzer over real projects' sources.
/// <code>
///   noise  &lt;folder&gt; [--list projects.tsv] [--out findings.tsv] [--include-tests] [--timing] [--pgborrow-only name,...] [--analyzer PgBorrow.Analyzers.dll] [--option key=value]...
///   recall &lt;bugs.tsv&gt; &lt;mirrors-folder&gt; [--out recall.tsv] [--keep] [--analyzer ...] [--option key=value]...
/// </code>
/// <c>--option</c> sets an .editorconfig key for every file of the run (an opt-in rule option, for example).
/// See docs/benchmarks.md, "Real code".
/// </summary>
static class Program
{
    static int Main(string[] args)
    {
        var inv = CultureInfo.InvariantCulture;
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.CurrentCulture = inv;
        if (args.Length < 2 || args[0] is not ("noise" or "recall"))
        {
            Console.Error.WriteLine("usage: noise <folder> [--list projects.tsv] [--out findings.tsv] [--include-tests] [--timing] [--pgborrow-only name,...] [--analyzer dll]");
            Console.Error.WriteLine("       recall <bugs.tsv> <mirrors-folder> [--out recall.tsv] [--keep] [--analyzer dll]");
            return 2;
        }
        var flags = new HashSet<string>(args.Where(a => a.StartsWith("--", StringComparison.Ordinal) && a is "--include-tests" or "--timing" or "--keep"));
        string? Opt(string name) { var i = Array.IndexOf(args, name); return i >= 0 && i + 1 < args.Length ? args[i + 1] : null; }
        var positional = new List<string>();
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] is "--list" or "--out" or "--analyzer" or "--pgborrow-only") { i++; continue; }
            if (args[i] == "--option" && i + 1 < args.Length)
            {
                var pair = args[++i].Split('=', 2, StringSplitOptions.TrimEntries);
                if (pair.Length != 2)
                {
                    Console.Error.WriteLine($"--option wants key=value, not '{args[i]}'");
                    return 2;
                }
                RunOptions.Set(pair[0], pair[1]);
                continue;
            }
            if (args[i].StartsWith("--", StringComparison.Ordinal)) continue;
            positional.Add(args[i]);
        }
        return args[0] == "noise"
            ? Noise(positional[0], Opt("--list"), Opt("--out"), flags.Contains("--include-tests"), flags.Contains("--timing"), Opt("--analyzer"),
                    (Opt("--pgborrow-only") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            : Recall(positional[0], positional[1], Opt("--out"), flags.Contains("--keep"), Opt("--analyzer"));
    }

    // ---------------------------------------------------------------- noise

    // pgBorrowOnly: names (first column of the list) whose projects run without the timing suites: IDisposableAnalyzers
    // 4.0.8 overflows the stack on npgsql/npgsql's src/Npgsql (Disposable.IsAnyCachedOrInjected recursion), which kills the process.
    static int Noise(string folder, string? list, string? outPath, bool includeTests, bool timing, string? analyzerPath, string[] pgBorrowOnly)
    {
        folder = Path.GetFullPath(folder);
        var analyzers = AnalyzerSet.Load(analyzerPath, timing);
        var log = Console.Error;
        log.WriteLine($"PgBorrow analyzers: {analyzers.All.Count(a => a.Suite == Suite.PgBorrow)} from {analyzers.PgBorrowPath}");
        foreach (var s in new[] { Suite.IDisposableAnalyzers, Suite.CA2000 })
            if (timing) log.WriteLine($"{s}: {analyzers.All.Count(a => a.Suite == s)} analyzers");
        foreach (var p in analyzers.LoadProblems) log.WriteLine("LOAD PROBLEM: " + p);

        var projects = new List<(string Label, string Csproj)>();
        if (list is not null)
        {
            foreach (var row in ReadTsv(list))
            {
                // name, repository, commit, then one or more project directories (relative to the repository root)
                var name = row[0];
                foreach (var sub in row.Skip(3).SelectMany(c => c.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
                {
                    var dir = Path.Combine(folder, name, sub);
                    if (!Directory.Exists(dir)) { log.WriteLine($"MISSING: {dir}"); continue; }
                    foreach (var c in ProjectModel.FindProjects(dir))
                        projects.Add(($"{name}/{Path.GetRelativePath(Path.Combine(folder, name), Path.GetDirectoryName(c)!)}", c));
                }
            }
        }
        else
        {
            foreach (var c in ProjectModel.FindProjects(folder))
                projects.Add((Path.GetRelativePath(folder, Path.GetDirectoryName(c)!), c));
        }

        var engine = new Analyzer(analyzers, log);
        var results = new List<ProjectResult>();
        var seenFiles = new HashSet<string>(StringComparer.Ordinal);
        var seenFindings = new HashSet<string>(StringComparer.Ordinal);
        var total = Stopwatch.StartNew();
        foreach (var (label, csproj) in projects.DistinctBy(p => p.Csproj))
        {
            var model = ProjectModel.Load(csproj);
            if (model.IsTest && !includeTests) { log.WriteLine($"skip (test project): {label}"); continue; }
            try
            {
                var r = engine.Run(label, model, folder, pgBorrowOnly.Any(n => label.StartsWith(n + "/", StringComparison.Ordinal)));
                // Files shared by several projects (linked Compile items) count once, and so do their findings.
                r.Findings.RemoveAll(f => !seenFindings.Add($"{f.FullPath}|{f.Line}|{f.Rule}|{f.Message}"));
                results.Add(r);
                var fresh = model.SourceFiles.Where(seenFiles.Add).ToList();
                r.NewLines = fresh.Sum(Analyzer.NonBlankLines);
                log.WriteLine($"{label}: {model.SourceFiles.Count} files ({fresh.Count} new), {r.NewLines} lines, " +
                              $"{r.Findings.Count} PGB, {r.CompilerErrors} compiler errors, {r.Crashes.Count} crashes, {r.Wall.TotalSeconds:F1}s");
            }
            catch (Exception e)
            {
                log.WriteLine($"RUNNER FAILURE on {label}: {e}");
                results.Add(new ProjectResult { Label = label, Files = [] });
            }
        }

        var tsv = outPath is null ? Console.Out : new StreamWriter(outPath);
        tsv.WriteLine("project\trule\tseverity\tfile\tline\tmessage");
        foreach (var f in results.SelectMany(r => r.Findings).OrderBy(f => f.Project, StringComparer.Ordinal).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Rule, StringComparer.Ordinal))
            tsv.WriteLine($"{f.Project}\t{f.Rule}\t{f.Severity}\t{f.File}\t{f.Line}\t{f.Message}");
        if (outPath is not null) tsv.Dispose();

        Summary(results, seenFiles, analyzers, timing, total.Elapsed);
        return results.Any(r => r.Crashes.Exists(c => c.IsPgBorrow)) ? 1 : 0;
    }

    static void Summary(List<ProjectResult> results, HashSet<string> files, AnalyzerSet analyzers, bool timing, TimeSpan wall)
    {
        var w = Console.Out;
        var loc = files.Sum(Analyzer.NonBlankLines);
        var kloc = loc / 1000.0;
        var findings = results.SelectMany(r => r.Findings).ToList();
        w.WriteLine();
        w.WriteLine("## Projects");
        w.WriteLine("| project | .cs files | kLOC (new) | PGB findings | compiler errors | AD0001 | seconds |");
        w.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
            w.WriteLine($"| {r.Label} | {r.Files.Count} | {r.NewLines / 1000.0:F1} | {r.Findings.Count} | {r.CompilerErrors} | {r.Crashes.Count} | {r.Wall.TotalSeconds:F1} |");
        w.WriteLine();
        w.WriteLine($"Analyzed: {results.Count} projects, {files.Count} distinct .cs files, {loc} non-blank lines ({kloc:F1} kLOC), " +
                    $"{results.Sum(r => r.CompilerErrors)} compiler errors (tolerated), wall {wall.TotalSeconds:F0}s.");
        w.WriteLine();
        w.WriteLine("## Diagnostics per rule");
        w.WriteLine("| rule | severity | count | per kLOC | projects |");
        w.WriteLine("|---|---|---:|---:|---:|");
        foreach (var g in findings.GroupBy(f => f.Rule).OrderBy(g => g.Key, StringComparer.Ordinal))
            w.WriteLine($"| {g.Key} | {string.Join("/", g.Select(f => f.Severity).Distinct())} | {g.Count()} | {g.Count() / kloc:F2} | {g.Select(f => f.Project).Distinct().Count()} |");
        w.WriteLine($"| **all** | | {findings.Count} | {findings.Count / kloc:F2} | |");
        w.WriteLine();
        w.WriteLine($"Warnings: {findings.Count(f => f.Severity == "Warning")}, info: {findings.Count(f => f.Severity == "Info")}, errors: {findings.Count(f => f.Severity == "Error")}, hidden: {findings.Count(f => f.Severity == "Hidden")}.");

        var crashes = results.SelectMany(r => r.Crashes).ToList();
        w.WriteLine();
        w.WriteLine(crashes.Count == 0 ? "AD0001: none." : $"!!! AD0001 / ANALYZER EXCEPTIONS: {crashes.Count} ({crashes.Count(c => c.IsPgBorrow)} from PgBorrow) !!!");
        foreach (var c in crashes)
        {
            w.WriteLine($"--- {c.Project}: {c.Analyzer}");
            w.WriteLine(c.Text);
        }

        w.WriteLine();
        w.WriteLine("## Analyzer time (CompilationWithAnalyzers telemetry, concurrentAnalysis off, summed over projects)");
        var times = new Dictionary<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer, TimeSpan>();
        foreach (var r in results)
            foreach (var (a, t) in r.Times) times[a] = times.GetValueOrDefault(a) + t;
        var suites = analyzers.All.ToDictionary(a => a.Analyzer, a => a.Suite);
        w.WriteLine("| analyzer suite | analyzers | seconds | ms per kLOC | diagnostics |");
        w.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var s in Enum.GetValues<Suite>())
        {
            var members = analyzers.All.Where(a => a.Suite == s).Select(a => a.Analyzer).ToList();
            if (members.Count == 0) { if (s != Suite.PgBorrow && timing) w.WriteLine($"| {s} | not loaded | | | |"); continue; }
            var secs = members.Sum(a => times.GetValueOrDefault(a).TotalSeconds);
            var diags = s == Suite.PgBorrow ? findings.Count
                : results.SelectMany(r => r.OtherFindings).Count(f => s == Suite.CA2000 ? f.Rule == "CA2000" : f.Rule.StartsWith("IDISP", StringComparison.Ordinal));
            w.WriteLine($"| {s} | {members.Count} | {secs:F2} | {secs * 1000 / kloc:F1} | {diags} |");
        }
        w.WriteLine();
        w.WriteLine("| PgBorrow analyzer | seconds |");
        w.WriteLine("|---|---:|");
        foreach (var (a, t) in times.Where(kv => suites.GetValueOrDefault(kv.Key) == Suite.PgBorrow).OrderByDescending(kv => kv.Value))
            w.WriteLine($"| {a.GetType().Name} | {t.TotalSeconds:F3} |");
        if (timing)
        {
            w.WriteLine();
            w.WriteLine("| slowest IDisposableAnalyzers / CA2000 analyzers | seconds |");
            w.WriteLine("|---|---:|");
            foreach (var (a, t) in times.Where(kv => suites.GetValueOrDefault(kv.Key) != Suite.PgBorrow).OrderByDescending(kv => kv.Value).Take(6))
                w.WriteLine($"| {suites[a]}: {a.GetType().Name} | {t.TotalSeconds:F3} |");
        }
        foreach (var p in analyzers.LoadProblems) w.WriteLine("LOAD PROBLEM: " + p);
    }

    // ---------------------------------------------------------------- recall

    static int Recall(string bugsPath, string mirrors, string? outPath, bool keep, string? analyzerPath)
    {
        var analyzers = AnalyzerSet.Load(analyzerPath, timing: false);
        var log = Console.Error;
        var engine = new Analyzer(analyzers, TextWriter.Null);
        var lines = new List<string> { "repository\tcommit analyzed\tfile\tlines\texpected\tresult\tPGB in range\tother PGB in file" };
        int found = 0, missed = 0, clean = 0, flagged = 0, errors = 0;
        var crashes = new List<AnalyzerCrash>();
        var extracted = new List<string>();
        var cache = new Dictionary<string, ProjectResult>(StringComparer.Ordinal);
        foreach (var row in ReadTsv(bugsPath))
        {
            if (row.Length < 5) continue;
            var (repo, commit, file, range, family) = (row[0], row[1], row[2], row[3], row[4]);
            // A look-alike ("none") is the fixed code: analyzed at the commit itself; a bug at the fix's parent.
            // "none" expects no PGB diagnostic in the range; "none:PGB001,PGB006" none of those rules.
            var lookAlike = family.StartsWith("none", StringComparison.OrdinalIgnoreCase);
            var rev = lookAlike ? commit : commit + "^";
            var rules = (lookAlike ? family[4..].TrimStart(':') : family).Split([',', '|', ' '], StringSplitOptions.RemoveEmptyEntries);
            var m = Regex.Match(range, @"^(\d+)(?:-(\d+))?$");
            int from = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), to = m.Groups[2].Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : from;
            var gitDir = Path.Combine(mirrors, repo.Replace('/', '+'), "repo");
            var tmp = Path.Combine(Path.GetTempPath(), "pgb-recall", repo.Replace('/', '+') + "-" + commit + (lookAlike ? "" : "-parent"));
            string verdict, inRange = "", others = "";
            try
            {
                if (!Directory.Exists(tmp))
                {
                    Directory.CreateDirectory(tmp);
                    extracted.Add(tmp);
                    Extract(gitDir, rev, tmp);
                }
                var full = Path.GetFullPath(Path.Combine(tmp, file));
                if (!File.Exists(full)) throw new FileNotFoundException($"{file} not at {rev}");
                var csproj = ProjectModel.ProjectOf(full, tmp) ?? throw new InvalidOperationException($"no .csproj above {file}");
                if (!cache.TryGetValue(csproj, out var r))
                {
                    r = engine.Run(repo, ProjectModel.Load(csproj), tmp);
                    crashes.AddRange(r.Crashes);
                    cache[csproj] = r;
                }
                var inFile = r.Findings.Where(f => string.Equals(f.FullPath, full, StringComparison.Ordinal)).ToList();
                var near = inFile.Where(f => f.Line >= from && f.Line <= to).ToList();
                inRange = string.Join("; ", near.Select(f => $"{f.Rule}@{f.Line}"));
                others = string.Join("; ", inFile.Except(near).Select(f => $"{f.Rule}@{f.Line}"));
                if (lookAlike)
                {
                    var bad = near.Any(f => rules.Length == 0 || rules.Contains(f.Rule));
                    verdict = bad ? "FLAGGED" : "clean";
                    if (bad) flagged++; else clean++;
                }
                else
                {
                    var hit = near.Any(f => rules.Contains(f.Rule));
                    verdict = hit ? "found" : "missed";
                    if (hit) found++; else missed++;
                }
                log.WriteLine($"{verdict}: {repo} {rev} {file}:{range} ({family}) [{r.CompilerErrors} compiler errors in the project]");
            }
            catch (Exception e)
            {
                verdict = "error: " + e.Message.Replace('\t', ' ').Replace('\n', ' ');
                errors++;
                log.WriteLine($"ERROR {repo} {rev}: {e.Message}");
            }
            lines.Add($"{repo}\t{rev}\t{file}\t{range}\t{family}\t{verdict}\t{inRange}\t{others}");
        }
        if (!keep) foreach (var d in extracted) Directory.Delete(d, recursive: true);
        var w = outPath is null ? Console.Out : new StreamWriter(outPath);
        foreach (var l in lines) w.WriteLine(l);
        if (outPath is not null) w.Dispose();
        Console.Out.WriteLine();
        Console.Out.WriteLine("| repository | analyzed at | file:lines | expected | result | PGB in range | other PGB in the file |");
        Console.Out.WriteLine("|---|---|---|---|---|---|---|");
        foreach (var l in lines.Skip(1))
        {
            var c = l.Split('\t');
            Console.Out.WriteLine($"| {c[0]} | `{c[1]}` | {c[2]}:{c[3]} | {c[4]} | {c[5]} | {c[6]} | {c[7]} |");
        }
        Console.Out.WriteLine();
        Console.Out.WriteLine($"Recall: {found} found / {found + missed} bugs analyzed ({(found + missed == 0 ? 0 : 100.0 * found / (found + missed)):F0}%); " +
                              $"look-alikes: {clean} clean, {flagged} flagged; {errors} rows could not be analyzed.");
        Console.Out.WriteLine(crashes.Count == 0 ? "AD0001: none." : $"!!! AD0001 / ANALYZER EXCEPTIONS: {crashes.Count} !!!");
        foreach (var c in crashes) Console.Out.WriteLine($"--- {c.Project}: {c.Analyzer}\n{c.Text}");
        return crashes.Exists(c => c.IsPgBorrow) ? 1 : 0;
    }

    /// <summary>The tree of a commit without binaries, .pdb and .sql files (some mirrors lack large blobs, e.g. Dotmim.Sync's CreateAdventureWorks.sql, linq2db's Redist/*.pdb); only .cs and project files are analyzed.</summary>
    static void Extract(string gitDir, string rev, string into)
    {
        var psi = new ProcessStartInfo("bash")
        {
            ArgumentList = { "-c", "set -o pipefail; git --git-dir=\"$1\" archive \"$2\" -- . ':(exclude)*.exe' ':(exclude)*.dll' ':(exclude)*.nupkg' ':(exclude)*.zip' ':(exclude)*.jar' ':(exclude)*.sql' ':(exclude)*.pdb' | tar -x -C \"$3\"", "extract", gitDir, rev, into },
            RedirectStandardError = true,
        };
        using var p = Process.Start(psi)!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git archive {rev} failed: {err.Trim()}");
    }

    static IEnumerable<string[]> ReadTsv(string path) =>
        File.ReadLines(path)
            .Where(l => l.Trim().Length > 0 && !l.StartsWith('#'))
            .Select(l => l.Split('\t').Select(c => c.Trim()).ToArray())
            .Where(r => !(r[0] is "name" or "repository"));
}
