using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Rules;
using PgBorrow.Tests.Generators;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// Runs <see cref="PgRowMisuseAnalyzer"/> on the compilation the generator tests build (net10.0, the
/// runtime referenced), for cases the markup verifier cannot express: another language version, code
/// that does not parse, and the same compilation handed to the generator.
/// </summary>
internal static class PgRowAnalysis
{
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(CSharpParseOptions parseOptions, params string[] sources)
        => await DiagnosticsAsync(await GeneratorHarness.CompilationAsync(parseOptions, sources));

    /// <summary>The analyzer's diagnostics, in source order; throws if the analyzer threw.</summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(Compilation compilation)
    {
        var exceptions = new ConcurrentBag<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, _, _) => exceptions.Add(exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var withAnalyzers = compilation.WithAnalyzers(ImmutableArray.Create<DiagnosticAnalyzer>(new PgRowMisuseAnalyzer()), options);
        var diagnostics = await withAnalyzers.GetAnalyzerDiagnosticsAsync();
        if (!exceptions.IsEmpty)
            throw new AggregateException("PgRowMisuseAnalyzer threw.", exceptions);
        return diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray();
    }
}
