extern alias generators;

using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using PgBorrow.Generators.Transactions;
using Xunit;
using PgTransactionSource = generators::PgBorrow.Generators.Model.PgTransactionSource;

namespace PgBorrow.Tests.Generators;

/// <summary>
/// The [PgTransaction] pipeline caches: an unrelated edit re-runs nothing after the models, and an edit
/// to one [PgTransaction] method regenerates that method only (which shows the first test can fail).
/// </summary>
public sealed class PgTransactionIncrementalTests
{
    private const string Methods = GeneratorHarness.TransactionUsings + """
        namespace Bank;

        public static partial class TransferCommands
        {
            [PgTransaction]
            public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, long to, CancellationToken ct);

            static Task<bool> TransferBody(PgTx tx, long from, long to, CancellationToken ct) => Task.FromResult(from != to);

            [PgTransaction(ReadOnly = true)]
            public static partial Task<long> BalanceAsync(NpgsqlDataSource dataSource, long account);

            static Task<long> BalanceBody(PgTx tx, long account) => Task.FromResult(account * 2);
        }
        """;

    private const string Unrelated = """
        namespace Bank;

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
    public async Task An_edit_to_a_body_in_the_same_file_leaves_every_step_cached_or_unchanged()
    {
        var result = await RunTwiceAsync(Unrelated, Methods.Replace("account * 2", "account * 3"));

        AssertAllCachedOrUnchanged(result);
    }

    [Fact]
    public async Task Editing_a_methods_options_regenerates_that_method_only()
    {
        var result = await RunTwiceAsync(Unrelated, Methods.Replace("[PgTransaction(ReadOnly = true)]", "[PgTransaction(ReadOnly = true, MaxAttempts = 2)]"));

        var sources = Outputs(result, PgTransactionStepNames.Sources);
        var modified = sources.Where(o => o.Reason == IncrementalStepRunReason.Modified).Select(o => ((PgTransactionSource)o.Value).HintName).ToArray();
        Assert.Equal(new[] { "Bank.TransferCommands.BalanceAsync.PgTransaction.g.cs" }, modified);
        Assert.All(sources.Where(o => o.Reason != IncrementalStepRunReason.Modified), o => Assert.True(
            o.Reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"TransferAsync: {o.Reason}"));
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("MaxAttempts = 2,"));
    }

    [Fact]
    public async Task Adding_a_parameter_regenerates_the_method()
    {
        var result = await RunTwiceAsync(Unrelated, Methods
            .Replace("BalanceAsync(NpgsqlDataSource dataSource, long account)", "BalanceAsync(NpgsqlDataSource dataSource, long account, CancellationToken ct)")
            .Replace("BalanceBody(PgTx tx, long account)", "BalanceBody(PgTx tx, long account, CancellationToken ct)"));

        Assert.Contains(Outputs(result, PgTransactionStepNames.Sources), o => o.Reason == IncrementalStepRunReason.Modified);
        Assert.Contains(result.GeneratedSources, s => s.SourceText.ToString().Contains("BalanceBody(__tx, __state, __ct)"));
    }

    private static Task<GeneratorRunResult> RunTwiceAsync(string unrelatedEdit, string methodsEdit)
        => IncrementalSteps.RunTwiceAsync(new PgTransactionGenerator(), 2, new[] { Methods, Unrelated }, new[] { methodsEdit, unrelatedEdit });

    private static void AssertAllCachedOrUnchanged(GeneratorRunResult result)
        => IncrementalSteps.AssertAllCachedOrUnchanged(result, PgTransactionStepNames.All);

    private static List<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string stepName)
        => IncrementalSteps.Outputs(result, stepName);
}
