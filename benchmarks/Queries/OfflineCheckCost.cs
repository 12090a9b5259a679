using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Npgsql;
using PgBorrow.Cli.Commands;

namespace PgBorrow.Benchmarks.Queries;

/// <summary>
/// <c>offline-cost [statements] [rounds]</c>: what the offline checks add to a build. The synthetic project (default
/// 500 [PgQuery] statements) is prepared against the database by the tool's own command, run in this process, which
/// writes its <c>.pgborrow/*.json</c>. The project is then compiled here with the runtime and Npgsql referenced and
/// the PgBorrow generators run once, and every PgBorrow analyzer runs over it the way a build runs them (concurrent,
/// generated code skipped as each analyzer asks), once <b>with</b> the statement files as additional files (what the
/// package's build targets hand the compiler) and once <b>without</b> (offline checks off). Each run starts from a
/// fresh compilation of the same syntax trees, so both pay the binding; the order alternates round by round and the
/// ratio is taken within a round. Reported: the wall time of the analysis (binding included, as in a build), the
/// sum of the analyzers' own execution times, PGB331-PGB333's analyzer alone, and the diagnostics each variant gave.
/// </summary>
internal static class OfflineCheckCost
{
    private const int WarmupRounds = 2;
    private const string OfflineAnalyzer = "PreparedStatementAnalyzer";

    public static async Task<int> RunAsync(int statements, int rounds)
    {
        var folder = Path.Combine(Path.GetTempPath(), "pgborrow-offline-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        try
        {
            var sources = SyntheticQueries.Write(folder, statements);
            await using (var connection = new NpgsqlConnection(QueryDatabase.ConnectionString))
            {
                await connection.OpenAsync();
                await using var create = new NpgsqlCommand(SyntheticQueries.Schema(), connection);
                await create.ExecuteNonQueryAsync();
            }
            var prepareOutput = new StringWriter();
            if (await PrepareCommand.RunAsync(["--connection", QueryDatabase.ConnectionString, folder], prepareOutput) != 0)
                throw new InvalidOperationException("pgborrow prepare failed:\n" + prepareOutput);
            var statementFiles = Directory.GetFiles(Path.Combine(folder, ".pgborrow"), "*.json").Order(StringComparer.Ordinal).ToImmutableArray();
            if (statementFiles.Length != statements)
                throw new InvalidOperationException($"prepare wrote {statementFiles.Length} statement files, expected {statements}.");

            var (trees, references, options) = CompileWithGenerators(sources);
            var analyzers = LoadAnalyzers();
            var withFiles = new AnalyzerOptions(statementFiles.Select(path => (AdditionalText)new FileText(path)).ToImmutableArray());
            var withoutFiles = new AnalyzerOptions([]);

            // The checks really read the files: one statement without its file is reported (PGB331), and only it.
            var oneMissing = new AnalyzerOptions(withFiles.AdditionalFiles.RemoveAt(0));
            var sanity = await AnalyzeAsync(trees, references, options, analyzers, oneMissing);
            if (sanity.DiagnosticCounts.Count != 1 || sanity.DiagnosticCounts.GetValueOrDefault("PGB331") != 1)
                throw new InvalidOperationException($"With one statement file left out, expected exactly one PGB331, got: {Describe(sanity.DiagnosticCounts)}");

            Console.WriteLine($"Offline checks on {statements} [PgQuery] statements: {analyzers.Length} PgBorrow analyzers, {trees.Length} syntax trees (generated included), {statementFiles.Length} statement files; {rounds} rounds (+{WarmupRounds} warm-up), order alternating. Load average at start: {Stats.LoadAverage()}.");
            var with = new List<Run>();
            var without = new List<Run>();
            for (var round = 0; round < WarmupRounds + rounds; round++)
            {
                Run first, second;
                var withFirst = round % 2 == 0;
                first = await AnalyzeAsync(trees, references, options, analyzers, withFirst ? withFiles : withoutFiles);
                second = await AnalyzeAsync(trees, references, options, analyzers, withFirst ? withoutFiles : withFiles);
                if (round < WarmupRounds)
                    continue;
                (withFirst ? with : without).Add(first);
                (withFirst ? without : with).Add(second);
            }

            Console.WriteLine();
            Console.WriteLine("| | without statement files, median | with the statement files, median | ratio with / without, median [IQR] |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            Row("Analysis wall time (binding included)", with, without, run => run.WallSeconds);
            Row("All PgBorrow analyzers, execution time", with, without, run => run.AnalyzerSeconds);
            Row($"{OfflineAnalyzer} (PGB331-PGB333), execution time", with, without, run => run.OfflineSeconds);
            Console.WriteLine();
            Console.WriteLine("The five most expensive analyzers (execution time, median):");
            Console.WriteLine();
            Console.WriteLine("| Analyzer | without statement files | with the statement files |");
            Console.WriteLine("| --- | ---: | ---: |");
            foreach (var name in with[0].SecondsByAnalyzer.Keys.OrderByDescending(name => Stats.Median(with.Select(run => run.SecondsByAnalyzer[name]).ToList())).Take(5))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {name} | {Stats.Median(without.Select(run => run.SecondsByAnalyzer[name]).ToList()):F3} s | {Stats.Median(with.Select(run => run.SecondsByAnalyzer[name]).ToList()):F3} s |"));
            }
            Console.WriteLine();
            await AttributeAsync(trees, references, options, analyzers, withFiles, statements);
            Console.WriteLine();
            Console.WriteLine($"Diagnostics with the files: {Describe(with[0].DiagnosticCounts)}");
            Console.WriteLine($"Diagnostics without them:   {Describe(without[0].DiagnosticCounts)}");
            Console.WriteLine($"Diagnostics with one file left out (checked before the rounds): {Describe(sanity.DiagnosticCounts)}");
            Console.WriteLine($"Load average at end: {Stats.LoadAverage()}.");
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// The per-statement work of the two [PgQuery] analyzers themselves: each alone and both together, not concurrent,
    /// against an analyzer that does nothing on every method (what the compiler's driver and binding cost on their own:
    /// each run works on its own copy of the compilation, so each binds again). The difference is the analyzers' work.
    /// </summary>
    private static async Task AttributeAsync(ImmutableArray<SyntaxTree> trees, ImmutableArray<MetadataReference> references, CSharpCompilationOptions options,
        ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions withFiles, int statements)
    {
        var compilation = CSharpCompilation.Create("Synthetic.Queries", trees, references, options);
        var queryRules = analyzers.Single(a => a.GetType().Name == "QueryMethodCannotBeGeneratedAnalyzer");
        var offline = analyzers.Single(a => a.GetType().Name == OfflineAnalyzer);
        var variants = new (string Label, ImmutableArray<DiagnosticAnalyzer> Analyzers)[]
        {
            ("an analyzer doing nothing on every method (the baseline)", [new NothingOnMethods()]),
            ("PGB311-PGB316 QueryMethodCannotBeGeneratedAnalyzer", [queryRules]),
            ($"PGB331-PGB333 {OfflineAnalyzer}", [offline]),
            ("both", [queryRules, offline]),
        };
        Console.WriteLine("The [PgQuery] analyzers alone (with the statement files, not concurrent), median of 3 runs:");
        Console.WriteLine();
        Console.WriteLine("| Analyzers | wall | over the baseline | over the baseline, per statement |");
        Console.WriteLine("| --- | ---: | ---: | ---: |");
        double baseline = 0;
        foreach (var (label, run) in variants)
        {
            var seconds = new List<double>();
            for (var repeat = 0; repeat < 3; repeat++)
            {
                GC.Collect();
                var stopwatch = Stopwatch.StartNew();
                _ = await compilation.WithAnalyzers(run, new CompilationWithAnalyzersOptions(
                    withFiles, onAnalyzerException: null, concurrentAnalysis: false, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: false))
                    .GetAnalyzerDiagnosticsAsync(CancellationToken.None);
                seconds.Add(stopwatch.Elapsed.TotalSeconds);
            }
            var median = Stats.Median(seconds);
            if (baseline == 0)
                baseline = median;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {label} | {median:F3} s | {median - baseline:F3} s | {(median - baseline) * 1000 / statements:F2} ms |"));
        }
    }

    // A measuring stick run in this process only, never loaded by a compiler: the rules for shipped analyzers
    // (target framework, extended analyzer rules, release tracking) do not apply.
#pragma warning disable RS1041, RS1036, RS2008
    /// <summary>The baseline: registers for every method symbol, as the [PgQuery] analyzers do, and does nothing.</summary>
    [DiagnosticAnalyzer(LanguageNames.CSharp)]
    private sealed class NothingOnMethods : DiagnosticAnalyzer
    {
        private static readonly DiagnosticDescriptor Never = new("BENCH001", "never reported", "never reported", "Benchmark", DiagnosticSeverity.Hidden, isEnabledByDefault: true);

        public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => [Never];

        public override void Initialize(AnalysisContext context)
        {
            context.EnableConcurrentExecution();
            context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
            context.RegisterSymbolAction(_ => { }, SymbolKind.Method);
        }
    }
#pragma warning restore RS1041, RS1036, RS2008

    private sealed record Run(double WallSeconds, double AnalyzerSeconds, double OfflineSeconds, IReadOnlyDictionary<string, int> DiagnosticCounts, IReadOnlyDictionary<string, double> SecondsByAnalyzer);

    private static void Row(string label, List<Run> with, List<Run> without, Func<Run, double> value)
    {
        var ratios = with.Zip(without, (w, o) => value(w) / value(o)).ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {Stats.Median(without.Select(value).ToList()):F3} s | {Stats.Median(with.Select(value).ToList()):F3} s | {Stats.Median(ratios):F3} [{Stats.Quantile(ratios, 0.25):F3}–{Stats.Quantile(ratios, 0.75):F3}] |"));
    }

    private static string Describe(IReadOnlyDictionary<string, int> counts)
        => counts.Count == 0 ? "none" : string.Join(", ", counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key} {c.Value}"));

    private static async Task<Run> AnalyzeAsync(ImmutableArray<SyntaxTree> trees, ImmutableArray<MetadataReference> references, CSharpCompilationOptions options,
        ImmutableArray<DiagnosticAnalyzer> analyzers, AnalyzerOptions analyzerOptions)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var compilation = CSharpCompilation.Create("Synthetic.Queries", trees, references, options);
        var stopwatch = Stopwatch.StartNew();
        var analysis = compilation.WithAnalyzers(analyzers, new CompilationWithAnalyzersOptions(
            analyzerOptions, onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: true, reportSuppressedDiagnostics: false));
        var diagnostics = await analysis.GetAnalyzerDiagnosticsAsync(CancellationToken.None);
        var wall = stopwatch.Elapsed.TotalSeconds;
        double total = 0, offline = 0;
        var byAnalyzer = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var analyzer in analyzers)
        {
            var seconds = (await analysis.GetAnalyzerTelemetryInfoAsync(analyzer, CancellationToken.None)).ExecutionTime.TotalSeconds;
            byAnalyzer[analyzer.GetType().Name] = seconds;
            total += seconds;
            if (analyzer.GetType().Name == OfflineAnalyzer)
                offline += seconds;
        }
        var counts = diagnostics.GroupBy(d => d.Id).ToDictionary(g => g.Key, g => g.Count());
        return new Run(wall, total, offline, counts, byAnalyzer);
    }

    /// <summary>The synthetic project's trees after PgBorrow's generators ran (they must leave no compile error).</summary>
    private static (ImmutableArray<SyntaxTree> Trees, ImmutableArray<MetadataReference> References, CSharpCompilationOptions Options) CompileWithGenerators(IReadOnlyList<string> sources)
    {
        var parseOptions = CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Latest);
        var trees = sources.Select(path => CSharpSyntaxTree.ParseText(SourceText.From(File.ReadAllText(path), Encoding.UTF8), parseOptions, path)).ToList();
        var references = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(path => Path.GetFileName(path) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Append(typeof(NpgsqlConnection).Assembly.Location)
            .Append(typeof(PgQueryAttribute).Assembly.Location)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
        var options = new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable);
        var compilation = CSharpCompilation.Create("Synthetic.Queries", trees, references, options);

        var generators = Assembly.Load("PgBorrow.Generators").GetTypes()
            .Where(type => !type.IsAbstract && type.GetCustomAttribute<GeneratorAttribute>() is not null && typeof(IIncrementalGenerator).IsAssignableFrom(type))
            .Select(type => ((IIncrementalGenerator)Activator.CreateInstance(type)!).AsSourceGenerator());
        CSharpGeneratorDriver.Create(generators, parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var generated, out _);
        var errors = generated.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error).ToList();
        if (errors.Count > 0)
            throw new InvalidOperationException($"The synthetic project does not compile ({errors.Count} errors), first: {errors[0]}");
        return (generated.SyntaxTrees.ToImmutableArray(), references, options);
    }

    /// <summary>Every analyzer of the PgBorrow.Analyzers assembly, as a build loads them.</summary>
    private static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers()
        => Assembly.Load("PgBorrow.Analyzers").GetTypes()
            .Where(type => !type.IsAbstract && type.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .Select(type => (DiagnosticAnalyzer)Activator.CreateInstance(type)!)
            .ToImmutableArray();

    /// <summary>An additional file read from disk when an analyzer asks for its text, as the compiler hands them over.</summary>
    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default) => SourceText.From(File.ReadAllText(Path), Encoding.UTF8);
    }
}
