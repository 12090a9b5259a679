using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Tests.Infrastructure;

/// <summary>
/// Runs every PgBorrow analyzer over whole source files, as a build does, with the running
/// framework, Npgsql, Dapper and the runtime referenced. For tests that read files as they are
/// (the robustness sweep, the precision cases) rather than markup.
/// </summary>
internal static class AnalyzeAll
{
    /// <summary>The running framework's assemblies, every assembly the tests loaded, and the libraries.</summary>
    public static MetadataReference[] References => s_references.Value;

    static readonly Lazy<MetadataReference[]> s_references = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!)
            .Split(Path.PathSeparator)
            .Concat(AppDomain.CurrentDomain.GetAssemblies().Where(a => !a.IsDynamic && a.Location.Length > 0).Select(a => a.Location))
            .Distinct(StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .Concat(TestReferences.Libraries)
            .ToArray());

    public sealed record Result(Compilation Compilation, ImmutableArray<string> Exceptions, ImmutableArray<Diagnostic> Diagnostics);

    /// <summary>The analyzer diagnostics (at their default severities), and every analyzer exception.</summary>
    public static async Task<Result> RunAsync(params SyntaxTree[] trees)
    {
        var compilation = CSharpCompilation.Create(
            "AnalyzeAll",
            trees,
            s_references.Value,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var exceptions = ImmutableArray.CreateBuilder<string>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            (exception, analyzer, diagnostic) => { lock (exceptions) exceptions.Add(analyzer.GetType().Name + ": " + exception); },
            concurrentAnalysis: true,
            logAnalyzerExecutionTime: false);
        var analyzers = VerifyAllRules.CreateAnalyzers().ToImmutableArray();
        var diagnostics = await compilation.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync();
        return new Result(compilation, exceptions.ToImmutable(), diagnostics);
    }
}
