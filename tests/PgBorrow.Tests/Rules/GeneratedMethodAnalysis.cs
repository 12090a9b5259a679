using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Generators.Rows;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// Runs a method generator ([PgTransaction], [PgQuery]) beside the [PgRow] generator, then the generator's
/// rules on the output, as a build does (the analyzers see the generated implementations).
/// </summary>
internal static class GeneratedMethodAnalysis
{
    /// <summary>The method generator's result, the compilation with all output, and the analyzers' diagnostics in source order.</summary>
    public static Task<(GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> RunAsync(
        IIncrementalGenerator generator, ImmutableArray<DiagnosticAnalyzer> analyzers, CSharpParseOptions parseOptions, params string[] sources)
        => RunAsync(generator, analyzers, parseOptions, ImmutableArray<AdditionalText>.Empty, sources);

    /// <summary>The same, with the additional files a build hands the analyzers.</summary>
    public static Task<(GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> RunAsync(
        IIncrementalGenerator generator, ImmutableArray<DiagnosticAnalyzer> analyzers, CSharpParseOptions parseOptions, ImmutableArray<AdditionalText> additionalFiles, params string[] sources)
        => RunAsync(generator, analyzers, parseOptions, additionalFiles, null, warningsAsErrors: true, sources);

    /// <summary>
    /// The same, with the .editorconfig and MSBuild-property options a build hands the analyzers (none when null);
    /// without <paramref name="warningsAsErrors"/>, a diagnostic keeps the severity it was reported at.
    /// </summary>
    public static async Task<(GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> RunAsync(
        IIncrementalGenerator generator, ImmutableArray<DiagnosticAnalyzer> analyzers, CSharpParseOptions parseOptions, ImmutableArray<AdditionalText> additionalFiles,
        AnalyzerConfigOptionsProvider? configOptions, bool warningsAsErrors, params string[] sources)
    {
        var compilation = await GeneratorHarness.CompilationAsync(parseOptions, sources);
        // The harness's driver parses generated code as the latest C#; a compilation's trees must share one version.
        var driver = CSharpGeneratorDriver.Create(new[] { generator.AsSourceGenerator(), new PgRowGenerator().AsSourceGenerator() }, parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var results = driver.GetRunResult().Results;
        Assert.All(results, r => Assert.Null(r.Exception));
        if (!warningsAsErrors)
            output = output.WithOptions(output.Options.WithGeneralDiagnosticOption(ReportDiagnostic.Default));

        var exceptions = new ConcurrentBag<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            configOptions is null ? new AnalyzerOptions(additionalFiles) : new AnalyzerOptions(additionalFiles, configOptions),
            onAnalyzerException: (exception, _, _) => exceptions.Add(exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var diagnostics = await output.WithAnalyzers(analyzers, options).GetAnalyzerDiagnosticsAsync();
        if (!exceptions.IsEmpty)
            throw new AggregateException("An analyzer threw.", exceptions);
        return (results[0], output, diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray());
    }
}
