using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Rules;
using PgBorrow.Generators.Transactions;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// Runs the [PgTransaction] generator and then the PGB321-PGB325 analyzers on its output, as a build
/// does (the analyzers see the generated implementations).
/// </summary>
internal static class PgTransactionAnalysis
{
    public static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
        new TransactionMethodCannotBeGeneratedAnalyzer(),
        new TransactionMethodSourceMissingAnalyzer(),
        new TransactionMethodReturnTypeNotSupportedAnalyzer(),
        new TransactionBodyDoesNotMatchAnalyzer(),
        new TransactionOptionsInvalidAnalyzer());

    /// <summary>The generator's result, the compilation with its output, and the analyzers' diagnostics in source order.</summary>
    public static async Task<(GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> RunAsync(CSharpParseOptions parseOptions, params string[] sources)
    {
        var compilation = await GeneratorHarness.CompilationAsync(parseOptions, sources);
        // The harness's driver parses generated code as the latest C#; a compilation's trees must share one version.
        var driver = CSharpGeneratorDriver.Create(new[] { new PgTransactionGenerator().AsSourceGenerator() }, parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);

        var exceptions = new ConcurrentBag<Exception>();
        var options = new CompilationWithAnalyzersOptions(
            new AnalyzerOptions(ImmutableArray<AdditionalText>.Empty),
            onAnalyzerException: (exception, _, _) => exceptions.Add(exception),
            concurrentAnalysis: false,
            logAnalyzerExecutionTime: false);
        var diagnostics = await output.WithAnalyzers(Analyzers, options).GetAnalyzerDiagnosticsAsync();
        if (!exceptions.IsEmpty)
            throw new AggregateException("A PGB32x analyzer threw.", exceptions);
        return (result, output, diagnostics
            .OrderBy(d => d.Location.SourceTree?.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ToImmutableArray());
    }

    public static Task<(GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> RunAsync(params string[] sources)
        => RunAsync(GeneratorHarness.ParseOptions, sources);
}
