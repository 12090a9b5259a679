using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.RealCode;

/// <summary>One diagnostic, as printed in the TSV.</summary>
sealed record Finding(string Project, string Rule, string Severity, string File, int Line, string Message, string FullPath);

/// <summary>An analyzer exception (AD0001 or the onAnalyzerException callback): always a bug.</summary>
sealed record AnalyzerCrash(string Project, string Analyzer, string Text)
{
    /// <summary>
    /// Thrown by a PgBorrow analyzer: a bug that fails the run. The comparison suites' own exceptions (CA2000
    /// throws IndexOutOfRangeException on NPoco) are listed but do not fail it.
    /// </summary>
    public bool IsPgBorrow => Analyzer.StartsWith("PgBorrow.", StringComparison.Ordinal) || (Analyzer == "AD0001" && Text.Contains("PgBorrow", StringComparison.Ordinal));
}

sealed class ProjectResult
{
    public required string Label { get; init; }
    public required IReadOnlyList<string> Files { get; init; }
    public List<Finding> Findings { get; } = [];
    public List<Finding> OtherFindings { get; } = [];   // IDISP*/CA2000 when timing is on
    public List<AnalyzerCrash> Crashes { get; } = [];
    public int CompilerErrors { get; set; }
    public int NewLines { get; set; }   // non-blank lines of the files no earlier project analyzed
    public TimeSpan Wall { get; set; }
    public Dictionary<DiagnosticAnalyzer, TimeSpan> Times { get; } = [];
}

/// <summary>
/// The .editorconfig of the run: CA2000 looks at every path, as in the synthetic AnalyzerCost benchmark
/// (<c>dotnet_code_quality.CA2000.dispose_analysis_kind = AllPaths</c>); its severity is set in the compilation options.
/// Keys given with <c>--option</c> apply to every file (rules read their options per file).
/// </summary>
sealed class RunOptions : AnalyzerConfigOptionsProvider
{
    public static readonly RunOptions Instance = new();
    static readonly Options Values = new(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["dotnet_code_quality.CA2000.dispose_analysis_kind"] = "AllPaths",
        ["dotnet_diagnostic.CA2000.severity"] = "warning",
    });
    static readonly Options Empty = new(new Dictionary<string, string>());
    static readonly Dictionary<string, string> Extra = new(StringComparer.OrdinalIgnoreCase);
    static readonly Options PerFile = new(Extra);

    /// <summary>Adds an .editorconfig key for every file and globally; call before the run starts.</summary>
    public static void Set(string key, string value)
    {
        Extra[key] = value;
        Values.Set(key, value);
    }

    public override AnalyzerConfigOptions GlobalOptions => Values;
    public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => PerFile;
    public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => Empty;

    sealed class Options(Dictionary<string, string> values) : AnalyzerConfigOptions
    {
        public void Set(string key, string value) => values[key] = value;

        public override bool TryGetValue(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
    }
}

/// <summary>Which family an analyzer belongs to, for the timing table.</summary>
enum Suite { PgBorrow, IDisposableAnalyzers, CA2000 }

sealed class AnalyzerSet
{
    public List<(DiagnosticAnalyzer Analyzer, Suite Suite)> All { get; } = [];
    public List<string> LoadProblems { get; } = [];
    public string PgBorrowPath { get; private set; } = "";

    public static AnalyzerSet Load(string? pgborrowPath, bool timing)
    {
        var set = new AnalyzerSet();
        var meta = typeof(AnalyzerSet).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        pgborrowPath ??= meta.GetValueOrDefault("PgBorrowAnalyzers");
        set.PgBorrowPath = Path.GetFullPath(pgborrowPath!);
        set.All.AddRange(Instantiate(set.PgBorrowPath, _ => true).Select(a => (a, Suite.PgBorrow)));
        if (set.All.Count == 0) throw new InvalidOperationException($"no analyzers found in {set.PgBorrowPath}");
        if (!timing) return set;

        var nuget = meta.GetValueOrDefault("NuGetPackageRoot") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget/packages/");
        try
        {
            var idisp = Path.Combine(nuget, "idisposableanalyzers/4.0.8/analyzers/dotnet/cs/IDisposableAnalyzers.dll");
            set.All.AddRange(Instantiate(idisp, _ => true).Select(a => (a, Suite.IDisposableAnalyzers)));
        }
        catch (Exception e) { set.LoadProblems.Add($"IDisposableAnalyzers 4.0.8 not loaded: {e.GetType().Name}: {e.Message}"); }
        try
        {
            var dir = Path.Combine(nuget, "microsoft.codeanalysis.netanalyzers/10.0.401/analyzers/dotnet/cs");
            Preload(Path.Combine(dir, "Microsoft.CodeAnalysis.NetAnalyzers.dll"));
            var ca = Instantiate(Path.Combine(dir, "Microsoft.CodeAnalysis.CSharp.NetAnalyzers.dll"), a => a.SupportedDiagnostics.Any(d => d.Id == "CA2000"))
                .Concat(Instantiate(Path.Combine(dir, "Microsoft.CodeAnalysis.NetAnalyzers.dll"), a => a.SupportedDiagnostics.Any(d => d.Id == "CA2000")))
                .ToList();
            if (ca.Count == 0) set.LoadProblems.Add("CA2000: no analyzer in Microsoft.CodeAnalysis.NetAnalyzers 10.0.401 supports CA2000");
            set.All.AddRange(ca.Select(a => (a, Suite.CA2000)));
        }
        catch (Exception e) { set.LoadProblems.Add($"Microsoft.CodeAnalysis.NetAnalyzers 10.0.401 (CA2000) not loaded: {e.GetType().Name}: {e.Message}"); }
        return set;
    }

    static readonly ConcurrentDictionary<string, Assembly> Loaded = new(StringComparer.OrdinalIgnoreCase);
    static bool resolverInstalled;

    static Assembly Preload(string path)
    {
        if (!resolverInstalled)
        {
            resolverInstalled = true;
            AssemblyLoadContext.Default.Resolving += (ctx, name) =>
            {
                foreach (var a in Loaded.Values.ToList())
                {
                    var candidate = Path.Combine(Path.GetDirectoryName(a.Location)!, name.Name + ".dll");
                    if (File.Exists(candidate)) return ctx.LoadFromAssemblyPath(candidate);
                }
                return null;
            };
        }
        return Loaded.GetOrAdd(Path.GetFullPath(path), p => AssemblyLoadContext.Default.LoadFromAssemblyPath(p));
    }

    static IEnumerable<DiagnosticAnalyzer> Instantiate(string path, Func<DiagnosticAnalyzer, bool> keep)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"analyzer assembly not found: {path}");
        var asm = Preload(path);
        Type[] types;
        try { types = asm.GetTypes(); }
        catch (ReflectionTypeLoadException e) { types = e.Types.Where(t => t is not null).Select(t => t!).ToArray(); }
        var list = new List<DiagnosticAnalyzer>();
        foreach (var t in types.OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            if (t.IsAbstract || !typeof(DiagnosticAnalyzer).IsAssignableFrom(t)) continue;
            var attr = t.GetCustomAttribute<DiagnosticAnalyzerAttribute>();
            if (attr is not null && !attr.Languages.Contains(LanguageNames.CSharp)) continue;
            if (t.GetConstructor(Type.EmptyTypes) is null) continue;
            var a = (DiagnosticAnalyzer)Activator.CreateInstance(t)!;
            if (keep(a)) list.Add(a);
        }
        return list;
    }
}

/// <summary>Builds one compilation per project (its ProjectReferences, when their sources are on disk, become
/// in-memory compilation references) and runs the analyzers on the project's own files.</summary>
sealed class Analyzer(AnalyzerSet analyzers, TextWriter log)
{
    static readonly string[] Symbols =
    [
        "NET", "NETCOREAPP", "NET10_0", "NET10_0_OR_GREATER", "NET9_0_OR_GREATER", "NET8_0_OR_GREATER", "NET7_0_OR_GREATER",
        "NET6_0_OR_GREATER", "NET5_0_OR_GREATER", "NETCOREAPP3_1_OR_GREATER", "NETCOREAPP3_0_OR_GREATER", "NETCOREAPP2_1_OR_GREATER",
        "NETCOREAPP2_0_OR_GREATER", "NETCOREAPP1_0_OR_GREATER", "RELEASE", "TRACE",
    ];

    static readonly Lazy<ImmutableArray<MetadataReference>> References = new(() =>
    {
        var refs = new List<MetadataReference>(Basic.Reference.Assemblies.Net100.References.All);
        var dir = AppContext.BaseDirectory;
        foreach (var f in Directory.EnumerateFiles(dir, "*.dll").OrderBy(f => f, StringComparer.Ordinal))
        {
            var n = Path.GetFileName(f);
            if (n.StartsWith("Npgsql", StringComparison.Ordinal) || n.StartsWith("Dapper", StringComparison.Ordinal)
                || n.StartsWith("Microsoft.Extensions.", StringComparison.Ordinal)
                || n.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)
                || n.StartsWith("Newtonsoft.Json", StringComparison.Ordinal))
                refs.Add(MetadataReference.CreateFromFile(f));
        }
        return [.. refs];
    });

    readonly Dictionary<string, Compilation?> dependencyCache = new(StringComparer.Ordinal);

    public static int NonBlankLines(string path) => File.ReadLines(path).Count(l => !string.IsNullOrWhiteSpace(l));

    public CSharpCompilation Compile(ProjectModel p, HashSet<string>? visiting = null)
    {
        visiting ??= new HashSet<string>(StringComparer.Ordinal);
        visiting.Add(p.CsprojPath);
        var parse = new CSharpParseOptions(LanguageVersion.Latest, DocumentationMode.None, SourceCodeKind.Regular,
            Symbols.Concat(p.Defines).Distinct());
        var trees = p.SourceFiles.Select(f => CSharpSyntaxTree.ParseText(
            Microsoft.CodeAnalysis.Text.SourceText.From(File.ReadAllText(f), System.Text.Encoding.UTF8), parse, f)).ToList();
        if (p.GlobalUsings.Count > 0)
            trees.Add(CSharpSyntaxTree.ParseText(string.Concat(p.GlobalUsings.Select(u => $"global using global::{u};\n")), parse, Path.Combine(p.Directory, "obj", "GlobalUsings.g.cs")));

        var refs = new List<MetadataReference>();
        var fromSource = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var r in p.ProjectReferences)
        {
            if (visiting.Contains(r)) continue;
            if (!dependencyCache.TryGetValue(r, out var dep))
            {
                try { dep = Compile(ProjectModel.Load(r), new HashSet<string>(visiting, StringComparer.Ordinal)); }
                catch (Exception e) { log.WriteLine($"  (dependency {r} skipped: {e.Message})"); dep = null; }
                dependencyCache[r] = dep;
            }
            if (dep is null) continue;
            refs.Add(dep.ToMetadataReference());
            if (dep.AssemblyName is not null) fromSource.Add(dep.AssemblyName);
        }
        // A project compiled from source (npgsql's tests reference src/Npgsql) replaces the host's package of the same
        // name: with both, every Npgsql type is defined twice and GetTypeByMetadataName finds none of them.
        refs.InsertRange(0, References.Value.Where(m => !fromSource.Contains(Path.GetFileNameWithoutExtension(m.Display ?? ""))));

        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary,
                nullableContextOptions: NullableContextOptions.Enable, allowUnsafe: true, concurrentBuild: false)
            .WithSpecificDiagnosticOptions([new("CA2000", ReportDiagnostic.Warn)]);
        return CSharpCompilation.Create(p.Name, trees, refs, options);
    }

    /// <param name="pgBorrowOnly">leave out the timing suites (IDisposableAnalyzers, CA2000) for this project.</param>
    public ProjectResult Run(string label, ProjectModel p, string displayRoot, bool pgBorrowOnly = false)
    {
        var sw = Stopwatch.StartNew();
        var result = new ProjectResult { Label = label, Files = p.SourceFiles };
        var compilation = Compile(p);
        var crashes = new ConcurrentBag<AnalyzerCrash>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions([], RunOptions.Instance),
            onAnalyzerException: (ex, analyzer, _) => crashes.Add(new AnalyzerCrash(label, analyzer.GetType().FullName ?? "?", ex.ToString())),
            concurrentAnalysis: false, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false);
        var cwa = compilation.WithAnalyzers([.. analyzers.All.Where(a => !pgBorrowOnly || a.Suite == Suite.PgBorrow).Select(a => a.Analyzer)], options);
        var all = cwa.GetAllDiagnosticsAsync(CancellationToken.None).GetAwaiter().GetResult();
        var own = new HashSet<string>(p.SourceFiles, StringComparer.Ordinal);
        var ad0001 = new List<AnalyzerCrash>();
        foreach (var d in all)
        {
            if (d.Id.StartsWith("CS", StringComparison.Ordinal))
            {
                if (d.Severity == DiagnosticSeverity.Error) result.CompilerErrors++;
                continue;
            }
            var msg = d.GetMessage(CultureInfo.InvariantCulture).Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
            if (d.Id == "AD0001")
            {
                ad0001.Add(new AnalyzerCrash(label, "AD0001", msg));
                continue;
            }
            var span = d.Location.GetLineSpan();
            var path = span.Path ?? "";
            var rel = path.Length == 0 ? "" : Path.GetRelativePath(displayRoot, path);
            var f = new Finding(label, d.Id, d.Severity.ToString(), rel, span.StartLinePosition.Line + 1, msg, path);
            if (path.Length > 0 && !own.Contains(path)) continue;
            (d.Id.StartsWith("PGB", StringComparison.Ordinal) ? result.Findings : result.OtherFindings).Add(f);
        }
        // The callback carries the full stack; AD0001 (the same exception as a diagnostic) only when it saw nothing.
        result.Crashes.AddRange(crashes.GroupBy(c => c.Analyzer + "|" + c.Text.Split('\n')[0]).Select(g => g.First()));
        if (result.Crashes.Count == 0) result.Crashes.AddRange(ad0001);
        var telemetry = cwa.GetAnalysisResultAsync(CancellationToken.None).GetAwaiter().GetResult().AnalyzerTelemetryInfo;
        foreach (var (a, info) in telemetry) result.Times[a] = info.ExecutionTime;
        result.Wall = sw.Elapsed;
        return result;
    }
}
