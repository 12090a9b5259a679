using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PgBorrow.Generators.Rows;
using PgBorrow.Tests.Infrastructure;

namespace PgBorrow.Tests.Generators;

/// <summary>
/// Runs a generator ([PgRow] unless told otherwise) on C# sources against net10.0 with Npgsql and the PgBorrow runtime
/// referenced, nullable enabled and warnings as errors (the SDK's own CS1701/CS1702 suppressions kept).
/// </summary>
internal static class GeneratorHarness
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using PgBorrow;

        """;

    private static readonly Lazy<Task<ImmutableArray<MetadataReference>>> References = new(async () =>
    {
        var framework = await TestReferences.Net100.ResolveAsync(LanguageNames.CSharp, CancellationToken.None);
        return framework.AddRange(TestReferences.Libraries);
    });

    public static readonly CSharpParseOptions ParseOptions = new(LanguageVersion.Latest);

    public static async Task<CSharpCompilation> CompilationAsync(params string[] sources)
        => await CompilationAsync(ParseOptions, sources);

    public static async Task<CSharpCompilation> CompilationAsync(CSharpParseOptions parseOptions, params string[] sources)
    {
        var trees = sources.Select((source, i) => CSharpSyntaxTree.ParseText(source, parseOptions, path: $"/src/File{i}.cs"));
        var options = new CSharpCompilationOptions(
            OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable,
            generalDiagnosticOption: ReportDiagnostic.Error,
            specificDiagnosticOptions: new Dictionary<string, ReportDiagnostic>
            {
                ["CS1701"] = ReportDiagnostic.Suppress,
                ["CS1702"] = ReportDiagnostic.Suppress,
            });
        return CSharpCompilation.Create("RowsUnderTest", trees, await References.Value, options);
    }

    /// <summary>The usings of the [PgTransaction] sources: tasks, tokens, Npgsql and the runtime.</summary>
    public const string TransactionUsings = """
        using System;
        using System.Collections.Generic;
        using System.Data;
        using System.Threading;
        using System.Threading.Tasks;
        using Npgsql;
        using PgBorrow;

        """;

    public static GeneratorDriver CreateDriver() => CreateDriver(new PgRowGenerator());

    public static GeneratorDriver CreateDriver(IIncrementalGenerator generator)
        => CSharpGeneratorDriver.Create(
            new[] { generator.AsSourceGenerator() },
            parseOptions: ParseOptions,
            driverOptions: new GeneratorDriverOptions(IncrementalGeneratorOutputKind.None, trackIncrementalGeneratorSteps: true));

    /// <summary>Runs the generator once; fails if it threw.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(Compilation compilation)
        => Run(compilation, new PgRowGenerator());

    /// <summary>Runs <paramref name="generator"/> once; fails if it threw or reported anything.</summary>
    public static (GeneratorRunResult Result, Compilation Output) Run(Compilation compilation, IIncrementalGenerator generator)
    {
        var driver = CreateDriver(generator).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult().Results.Single();
        if (result.Exception is not null)
            throw new InvalidOperationException("The generator threw.", result.Exception);
        if (!diagnostics.IsEmpty)
            throw new InvalidOperationException("The generator reported: " + string.Join("; ", diagnostics));
        return (result, output);
    }

    /// <summary>Errors and warnings of a compilation (warnings are errors here), as readable lines.</summary>
    public static string[] Problems(Compilation compilation)
        => compilation.GetDiagnostics()
            .Where(d => d.Severity >= DiagnosticSeverity.Warning)
            .Select(d => $"{d.Location.SourceTree?.FilePath}{d.Location.GetLineSpan().StartLinePosition}: {d.Id} {d.GetMessage()}")
            .ToArray();

    /// <summary>Fails with every warning and error of <paramref name="compilation"/>, one per line.</summary>
    public static void AssertNoProblems(Compilation compilation)
    {
        var problems = Problems(compilation);
        Xunit.Assert.True(problems.Length == 0, "The compilation has problems:\n" + string.Join("\n", problems));
    }
}
