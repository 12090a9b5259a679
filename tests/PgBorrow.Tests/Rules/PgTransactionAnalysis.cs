using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Rules;
using PgBorrow.Generators.Transactions;
using PgBorrow.Tests.Generators;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// Runs the [PgTransaction] generator (beside [PgRow]) and then the PGB321-PGB325 analyzers on its output, as a build
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
    public static Task<(GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> RunAsync(CSharpParseOptions parseOptions, params string[] sources)
        => GeneratedMethodAnalysis.RunAsync(new PgTransactionGenerator(), Analyzers, parseOptions, sources);

    public static Task<(GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> RunAsync(params string[] sources)
        => RunAsync(GeneratorHarness.ParseOptions, sources);
}
