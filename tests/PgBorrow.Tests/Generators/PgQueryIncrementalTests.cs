extern alias generators;

using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using PgBorrow.Generators.Queries;
using Xunit;
using PgQuerySource = generators::PgBorrow.Generators.Model.PgQuerySource;

namespace PgBorrow.Tests.Generators;

/// <summary>
/// The [PgQuery] pipeline caches: an unrelated edit re-runs nothing after the models, and an edit to one
/// method's SQL regenerates that method only (which shows the first test can fail).
/// </summary>
public sealed class PgQueryIncrementalTests
{
    private const string Methods = GeneratorHarness.TransactionUsings + """
        namespace Shop;

        public static partial class OrderQueries
        {
            [PgQuery("SELECT count(*) FROM orders WHERE total >= @minimum")]
            public static partial Task<long> CountAsync(this NpgsqlConnection connection, decimal minimum, CancellationToken ct);

            [PgQuery("DELETE FROM orders WHERE id = @id")]
            public static partial Task<int> DeleteAsync(this NpgsqlConnection connection, long id);

            static int Helper() => 2;
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
        var result = await RunTwiceAsync(Unrelated.Replace("Hour => 12", "Hour => 13"), Methods);

        AssertAllCachedOrUnchanged(result);
    }

    [Fact]
    public async Task An_edit_to_another_member_of_the_same_file_leaves_every_step_cached_or_unchanged()
    {
        var result = await RunTwiceAsync(Unrelated, Methods.Replace("Helper() => 2", "Helper() => 3"));

        AssertAllCachedOrUnchanged(result);
    }

    [Fact]
    public async Task Editing_a_methods_sql_regenerates_that_method_only()
    {
        var result = await RunTwiceAsync(Unrelated, Methods.Replace("WHERE id = @id", "WHERE id = @id AND total = 0"));

        var sources = IncrementalSteps.Outputs(result, PgQueryStepNames.Sources);
        var modified = sources.Where(o => o.Reason == IncrementalStepRunReason.Modified).Select(o => ((PgQuerySource)o.Value).HintName).ToArray();
        Assert.Equal(new[] { "Shop.OrderQueries.DeleteAsync.PgQuery.g.cs" }, modified);
        Assert.All(sources.Where(o => o.Reason != IncrementalStepRunReason.Modified), o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"CountAsync: {o.Reason}"));
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("WHERE id = $1 AND total = 0"));
    }

    private static Task<GeneratorRunResult> RunTwiceAsync(string unrelatedEdit, string methodsEdit)
        => IncrementalSteps.RunTwiceAsync(new PgQueryGenerator(), 2, new[] { Methods, Unrelated }, new[] { methodsEdit, unrelatedEdit });

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult result)
        => IncrementalSteps.AssertAllCachedOrUnchanged(result, PgQueryStepNames.All);
}
