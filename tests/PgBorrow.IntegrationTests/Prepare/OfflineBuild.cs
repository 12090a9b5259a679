using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using Xunit;

namespace PgBorrow.IntegrationTests.Prepare;

/// <summary>
/// Compiles a project folder in-process the way a build through the PgBorrow packages does, with no database: every
/// <c>*.cs</c> outside <c>bin/</c> and <c>obj/</c>, the generators writing their code, and every analyzer given the
/// folder's <c>.pgborrow/*.json</c> as additional files (what the packages' build targets hand them).
/// </summary>
internal static class OfflineBuild
{
    /// <param name="Errors">Compiler errors in the project with the generated code.</param>
    /// <param name="Diagnostics">The analyzers' diagnostics, in file and position order.</param>
    public sealed record Result(ImmutableArray<Diagnostic> Errors, ImmutableArray<Diagnostic> Diagnostics)
    {
        /// <summary>The offline checks' diagnostics (PGB33x), rendered as <c>ID file(line): message</c>.</summary>
        public string[] OfflineChecks() => Diagnostics
            .Where(d => d.Id.StartsWith("PGB33", StringComparison.Ordinal))
            .Select(d => $"{d.Id} {Path.GetFileName(d.Location.SourceTree?.FilePath)}({d.Location.GetLineSpan().StartLinePosition.Line + 1}): {d.GetMessage()}")
            .ToArray();
    }

    private static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    /// <summary>The running framework and every assembly this test run loaded (Npgsql and the PgBorrow runtime among them).</summary>
    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Append(typeof(Npgsql.NpgsqlConnection).Assembly.Location)
            .Append(typeof(PgBorrow.PgQueryAttribute).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToArray());

    public static async Task<Result> RunAsync(string projectFolder, CancellationToken cancellationToken)
    {
        var sources = Directory.EnumerateFiles(projectFolder, "*.cs", SearchOption.AllDirectories)
            .Where(path => !IsBuildOutput(Path.GetRelativePath(projectFolder, path)))
            .Order(StringComparer.Ordinal)
            .Select(path => CSharpSyntaxTree.ParseText(File.ReadAllText(path), ParseOptions, path, cancellationToken: cancellationToken))
            .ToArray();
        // A program's top-level statements make it an executable, as its project file says.
        var outputKind = sources.Any(tree => tree.GetRoot(cancellationToken).ChildNodes().OfType<GlobalStatementSyntax>().Any())
            ? OutputKind.ConsoleApplication
            : OutputKind.DynamicallyLinkedLibrary;
        var metadataFolder = Path.Combine(projectFolder, ".pgborrow");
        var metadata = Directory.Exists(metadataFolder)
            ? Directory.GetFiles(metadataFolder, "*.json").Order(StringComparer.Ordinal).Select(path => (AdditionalText)new FileText(path)).ToImmutableArray()
            : ImmutableArray<AdditionalText>.Empty;

        var compilation = CSharpCompilation.Create(
            "OfflineBuild",
            sources,
            References.Value,
            new CSharpCompilationOptions(outputKind, nullableContextOptions: NullableContextOptions.Enable));
        CSharpGeneratorDriver.Create(Create<IIncrementalGenerator>(typeof(PgBorrow.Generators.Queries.PgQueryGenerator)).Select(g => g.AsSourceGenerator()), parseOptions: ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var generatorErrors, cancellationToken);
        Assert.Empty(generatorErrors);

        var exceptions = new System.Collections.Concurrent.ConcurrentBag<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(metadata),
            (exception, analyzer, _) => exceptions.Add(analyzer.GetType().Name + ": " + exception),
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var diagnostics = await output
            .WithAnalyzers(Create<DiagnosticAnalyzer>(typeof(PgBorrow.Analyzers.RuleIdentifiers)).ToImmutableArray(), options)
            .GetAnalyzerDiagnosticsAsync(cancellationToken);
        Assert.True(exceptions.IsEmpty, "An analyzer threw: " + string.Join(Environment.NewLine, exceptions));

        return new Result(
            output.GetDiagnostics(cancellationToken).Where(d => d.Severity == DiagnosticSeverity.Error).ToImmutableArray(),
            diagnostics
                .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
                .ThenBy(d => d.Location.SourceSpan.Start)
                .ToImmutableArray());
    }

    private static bool IsBuildOutput(string relativePath)
    {
        var top = relativePath.Split(Path.DirectorySeparatorChar)[0];
        return top is "bin" or "obj";
    }

    /// <summary>Every concrete <typeparamref name="T"/> in the assembly that holds <paramref name="marker"/>, as a build loads them.</summary>
    private static T[] Create<T>(Type marker) => marker.Assembly.GetTypes()
        .Where(type => !type.IsAbstract && typeof(T).IsAssignableFrom(type))
        .Select(type => (T)Activator.CreateInstance(type)!)
        .ToArray();

    /// <summary>An additional file read from disk, as the compiler reads <c>AdditionalFiles</c>.</summary>
    private sealed class FileText(string path) : AdditionalText
    {
        public override string Path { get; } = path;

        public override SourceText GetText(CancellationToken cancellationToken = default)
            => SourceText.From(File.ReadAllText(Path, Encoding.UTF8), Encoding.UTF8);
    }
}
