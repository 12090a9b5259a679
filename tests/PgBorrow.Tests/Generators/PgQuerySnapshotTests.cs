using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PgBorrow.Generators.Queries;
using PgBorrow.Generators.Rows;
using Xunit;

namespace PgBorrow.Tests.Generators;

/// <summary>The generated [PgQuery] implementations, pinned by checked-in snapshots (<c>Snapshots/Queries*</c>), and compiled.</summary>
public sealed class PgQuerySnapshotTests
{
    [Fact]
    public Task Row_results_list_single_optional_value_task_and_stream_on_each_target()
        => VerifyAsync("QueriesRows", PgQuerySources.Rows);

    [Fact]
    public Task Scalar_results_affected_rows_and_no_result_in_an_instance_type()
        => VerifyAsync("QueriesScalars", PgQuerySources.Scalars);

    private static async Task VerifyAsync(string name, string source)
    {
        var compilation = await GeneratorHarness.CompilationAsync(GeneratorHarness.TransactionUsings + source);
        var driver = CSharpGeneratorDriver.Create(new[] { new PgQueryGenerator().AsSourceGenerator(), new PgRowGenerator().AsSourceGenerator() }, parseOptions: GeneratorHarness.ParseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var result = driver.GetRunResult().Results[0];

        Assert.Null(result.Exception);
        Assert.Empty(diagnostics);
        Assert.NotEmpty(result.GeneratedSources);
        GeneratorHarness.AssertNoProblems(output);
        Snapshot.Match(name, result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));
    }
}
