using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Security;
using System.Text;

namespace PgBorrow.Benchmarks.AnalyzerCost;

/// <summary>A generated store class and the scenarios its methods came from.</summary>
internal sealed record GeneratedClass(string Name, Entity Entity, string Source, IReadOnlyList<(Scenario Scenario, int Methods)> Members);

/// <summary>
/// The synthetic project: store classes of ~50 methods each, one table per class, the scenarios
/// dealt from a shuffled deck in which each appears as often as its weight, so the mix is the same
/// for any size. Deterministic for a given seed.
/// </summary>
internal sealed class SyntheticProject
{
    public const string NpgsqlVersion = "10.0.3";
    public const string IDisposableAnalyzersVersion = "4.0.8";

    SyntheticProject(List<GeneratedClass> classes) => Classes = classes;

    public IReadOnlyList<GeneratedClass> Classes { get; }

    public int MethodCount => Classes.Sum(c => c.Members.Sum(m => m.Methods));

    public int CorrectMethods => Classes.Sum(c => c.Members.Where(m => m.Scenario.Correct).Sum(m => m.Methods));

    public static SyntheticProject Create(int methodTarget, int methodsPerClass, int seed)
    {
        var random = new Random(seed);
        var deck = Scenarios.All.SelectMany(s => Enumerable.Repeat(s, s.Weight)).ToList();
        Shuffle(deck, random);

        var classes = new List<GeneratedClass>();
        var dealt = 0;
        var number = 0;
        var total = 0;
        while (total < methodTarget)
        {
            var entity = Entity.All[classes.Count % Entity.All.Length];
            var name = $"{entity.Name}Store{classes.Count + 1:D2}";
            var members = new List<(Scenario, int)>();
            var body = new StringBuilder();
            var inClass = 0;
            while (inClass < methodsPerClass && total < methodTarget)
            {
                if (dealt == deck.Count)
                {
                    Shuffle(deck, random);
                    dealt = 0;
                }
                var scenario = deck[dealt++];
                var methods = scenario.Emit(new MethodContext(entity, ++number, random));
                members.Add((scenario, methods.Length));
                body.Append("// ").Append(scenario.Id).Append(scenario.Correct ? "" : " (bug: " + scenario.Expect + ")").Append('\n');
                foreach (var method in methods)
                    body.Append(method).Append("\n\n");
                inClass += methods.Length;
                total += methods.Length;
            }
            classes.Add(new GeneratedClass(name, entity, ClassSource(name, body.ToString()), members));
        }
        return new SyntheticProject(classes);
    }

    static void Shuffle<T>(List<T> items, Random random)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = random.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    static string ClassSource(string name, string members)
    {
        var code = new CodeWriter();
        code.Write($$"""
            // Written by benchmarks/AnalyzerCost/Generator. Do not edit. (No generated-code marker on
            // purpose: analyzers skip generated code, and this must be analyzed as user code.)
            using System;
            using System.Collections.Generic;
            using System.Data;
            using System.Threading;
            using System.Threading.Tasks;
            using Npgsql;
            using PgBorrow;

            namespace Synthetic.Data;

            public sealed class {{name}}
            {
            private readonly NpgsqlDataSource _dataSource;
            private readonly string _connectionString;
            private readonly Action<string> _log;

            public {{name}}(NpgsqlDataSource dataSource, string connectionString, Action<string> log)
            {
            _dataSource = dataSource;
            _connectionString = connectionString;
            _log = log;
            }

            """);
        code.Write(members);
        code.Write("}");
        return code.ToString();
    }

    public void WriteTo(string directory, string analyzerPath, string runtimePath)
    {
        Directory.CreateDirectory(directory);
        var stores = Path.Combine(directory, "Stores");
        if (Directory.Exists(stores))
            Directory.Delete(stores, recursive: true);
        Directory.CreateDirectory(stores);

        foreach (var generated in Classes)
            File.WriteAllText(Path.Combine(stores, generated.Name + ".cs"), generated.Source);

        File.WriteAllText(Path.Combine(directory, "Models.cs"), ModelsSource());
        File.WriteAllText(Path.Combine(directory, "Synthetic.Data.csproj"), ProjectFile(analyzerPath, runtimePath));
        File.WriteAllText(Path.Combine(directory, ".editorconfig"), EditorConfig);

        // Cut the generated project off from the repository's build files: its own (empty) props
        // and targets stop MSBuild's upward search, and central package management stays off.
        File.WriteAllText(Path.Combine(directory, "Directory.Build.props"), """
            <Project>
              <!-- Generated: keeps the repository's Directory.Build.props (TreatWarningsAsErrors,
                   central package management) away from the synthetic project. -->
              <PropertyGroup>
                <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
              </PropertyGroup>
            </Project>

            """);
        File.WriteAllText(Path.Combine(directory, "Directory.Build.targets"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "Directory.Packages.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(directory, "MANIFEST.md"), Manifest());
    }

    static string ModelsSource()
    {
        var code = new CodeWriter();
        code.Write("// Written by benchmarks/AnalyzerCost/Generator. Do not edit.\nnamespace Synthetic.Data;\n");
        foreach (var e in Entity.All)
            code.Write($"public sealed record {e.Row}(long Id, long {e.Fk}, string {e.Text}, decimal {e.Num});\n");
        return code.ToString();
    }

    static string ProjectFile(string analyzerPath, string runtimePath) => $$"""
        <Project Sdk="Microsoft.NET.Sdk">
          <!-- Generated by benchmarks/AnalyzerCost/Generator: the analyzer cost benchmark's synthetic project.
               One build runs PgBorrow, IDisposableAnalyzers and the SDK's CA2000 side by side. -->
          <PropertyGroup>
            <TargetFramework>net10.0</TargetFramework>
            <OutputType>Library</OutputType>
            <Nullable>enable</Nullable>
            <ImplicitUsings>disable</ImplicitUsings>
            <LangVersion>latest</LangVersion>
            <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
            <!-- The SDK's analyzers (Microsoft.CodeAnalysis.NetAnalyzers) run during build; CA2000 is
                 switched on in .editorconfig. -->
            <EnableNETAnalyzers>true</EnableNETAnalyzers>
            <AnalysisLevel>latest</AnalysisLevel>
            <RunAnalyzersDuringBuild>true</RunAnalyzersDuringBuild>
            <PgBorrowAnalyzerPath Condition="'$(PgBorrowAnalyzerPath)' == ''">{{SecurityElement.Escape(analyzerPath)}}</PgBorrowAnalyzerPath>
            <PgBorrowRuntimePath Condition="'$(PgBorrowRuntimePath)' == ''">{{SecurityElement.Escape(runtimePath)}}</PgBorrowRuntimePath>
          </PropertyGroup>
          <ItemGroup>
            <PackageReference Include="Npgsql" Version="{{NpgsqlVersion}}" />
            <PackageReference Include="IDisposableAnalyzers" Version="{{IDisposableAnalyzersVersion}}" PrivateAssets="all" />
          </ItemGroup>
          <ItemGroup>
            <Analyzer Include="$(PgBorrowAnalyzerPath)" />
            <Reference Include="PgBorrow" HintPath="$(PgBorrowRuntimePath)" />
          </ItemGroup>
          <Target Name="_CheckPgBorrowBuilt" BeforeTargets="ResolveAssemblyReferences;CoreCompile">
            <Error Condition="!Exists('$(PgBorrowAnalyzerPath)')" Text="PgBorrow analyzers not found at $(PgBorrowAnalyzerPath). Build src/Analyzers in Release first (run.sh does)." />
            <Error Condition="!Exists('$(PgBorrowRuntimePath)')" Text="PgBorrow runtime not found at $(PgBorrowRuntimePath). Build src/Runtime in Release first (run.sh does)." />
          </Target>
        </Project>

        """;

    const string EditorConfig = """
        # Generated by benchmarks/AnalyzerCost/Generator.
        root = true

        [*.cs]
        # CA2000 (dispose objects before losing scope) is off by default; the benchmark compares against it.
        dotnet_diagnostic.CA2000.severity = warning
        dotnet_code_quality.CA2000.dispose_analysis_kind = AllPaths

        """;

    string Manifest()
    {
        var text = new StringBuilder();
        text.Append("# Synthetic project for the analyzer cost benchmark\n\n");
        text.Append($"{MethodCount} methods in {Classes.Count} classes: {CorrectMethods} correct, {MethodCount - CorrectMethods} with a bug.\n\n");
        text.Append("| Scenario | Correct | Expected rule | Instances | Methods | Shape |\n|---|---|---|---|---|---|\n");
        var byScenario = Classes.SelectMany(c => c.Members)
            .GroupBy(m => m.Scenario)
            .ToDictionary(g => g.Key, g => (Instances: g.Count(), Methods: g.Sum(m => m.Methods)));
        foreach (var scenario in Scenarios.All)
        {
            var (instances, methods) = byScenario.TryGetValue(scenario, out var counts) ? counts : (0, 0);
            text.Append($"| {scenario.Id} | {(scenario.Correct ? "yes" : "no")} | {scenario.Expect} | {instances} | {methods} | {scenario.Description} |\n");
        }
        return text.ToString();
    }
}
