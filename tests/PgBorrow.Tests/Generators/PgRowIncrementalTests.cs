using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PgBorrow.Generators.Rows;
using Xunit;

namespace PgBorrow.Tests.Generators;

/// <summary>
/// The pipeline caches: an edit that does not touch a row type re-runs nothing after the models
/// (every tracked step Cached or Unchanged), and an edit to a row type regenerates that type only.
/// The second test shows the first one can fail.
/// </summary>
public sealed class PgRowIncrementalTests
{
    private const string Rows = GeneratorHarness.Usings + """
        namespace Shop;

        [PgRow]
        public partial record Order(int Id, decimal Total);

        [PgRow]
        public partial class Customer
        {
            public int Id { get; set; }
            public string Name { get; set; } = "";
        }

        public static class Pricing
        {
            public static decimal Tax(decimal total) => total * 0.2m;
        }
        """;

    private const string Unrelated = """
        namespace Shop;

        public static class Clock
        {
            public static int Hour => 12;
        }
        """;

    [Fact]
    public async Task An_edit_in_another_file_leaves_every_step_cached()
    {
        var (first, driver) = await RunTwiceAsync(Unrelated, Unrelated.Replace("Hour => 12", "Hour => 13"));

        AssertAllCachedOrUnchanged(first);
    }

    [Fact]
    public async Task An_edit_to_a_non_row_type_in_the_same_file_leaves_every_step_cached_or_unchanged()
    {
        var (result, _) = await RunTwiceAsync(Unrelated, Unrelated, rowsEdit: Rows.Replace("total * 0.2m", "total * 0.25m"));

        AssertAllCachedOrUnchanged(result);
    }

    [Fact]
    public async Task Adding_a_member_to_a_row_type_regenerates_that_type_only()
    {
        var (result, _) = await RunTwiceAsync(Unrelated, Unrelated,
            rowsEdit: Rows.Replace("public string Name { get; set; } = \"\";", "public string Name { get; set; } = \"\";\n    public string? Email { get; set; }"));

        var sources = Outputs(result, PgRowStepNames.Sources);
        var modified = sources.Where(o => o.Reason == IncrementalStepRunReason.Modified).Select(o => ((PgBorrow.Generators.Model.PgRowSource)o.Value).HintName).ToArray();
        Assert.Equal(new[] { "Shop.Customer.PgRow.g.cs" }, modified);
        Assert.All(sources.Where(o => o.Reason != IncrementalStepRunReason.Modified), o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"Shop.Order: {o.Reason}"));
        Assert.Contains(result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("Email = _email,"));
    }

    private static async Task<(GeneratorRunResult Result, GeneratorDriver Driver)> RunTwiceAsync(string unrelated, string unrelatedEdit, string? rowsEdit = null)
    {
        var compilation = await GeneratorHarness.CompilationAsync(Rows, unrelated);
        var driver = GeneratorHarness.CreateDriver().RunGenerators(compilation);
        Assert.Equal(2, driver.GetRunResult().Results.Single().GeneratedSources.Length);

        var trees = compilation.SyntaxTrees.ToArray();
        var edited = compilation
            .ReplaceSyntaxTree(trees[0], CSharpSyntaxTree.ParseText(rowsEdit ?? Rows, GeneratorHarness.ParseOptions, trees[0].FilePath))
            .ReplaceSyntaxTree(trees[1], CSharpSyntaxTree.ParseText(unrelatedEdit, GeneratorHarness.ParseOptions, trees[1].FilePath));
        driver = driver.RunGenerators(edited);
        var result = driver.GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Equal(2, result.GeneratedSources.Length);
        return (result, driver);
    }

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult result)
        => IncrementalSteps.AssertAllCachedOrUnchanged(result, PgRowStepNames.All);

    private static List<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string stepName)
        => IncrementalSteps.Outputs(result, stepName);
}
