using System.Linq;
using System.Threading.Tasks;
using PgBorrow.Generators.Transactions;
using Xunit;

namespace PgBorrow.Tests.Generators;

/// <summary>The generated [PgTransaction] implementations, pinned by checked-in snapshots (<c>Snapshots/Transactions*</c>).</summary>
public sealed class PgTransactionSnapshotTests
{
    [Fact]
    public Task Static_data_source_task_of_result_with_token_and_conventional_body()
        => VerifyAsync("TransactionsTransfer", PgTransactionSources.Transfer);

    [Fact]
    public Task Connection_extension_without_token_named_body_read_only_deferrable_and_no_state()
        => VerifyAsync("TransactionsConnection", PgTransactionSources.Connection);

    [Fact]
    public Task Instance_overloads_in_a_nested_generic_type_with_keyword_params_and_nullable_types()
        => VerifyAsync("TransactionsInstance", PgTransactionSources.Instance);

    private static async Task VerifyAsync(string name, string source)
    {
        var compilation = await GeneratorHarness.CompilationAsync(GeneratorHarness.TransactionUsings + source);
        var (result, output) = GeneratorHarness.Run(compilation, new PgTransactionGenerator());

        Assert.NotEmpty(result.GeneratedSources);
        GeneratorHarness.AssertNoProblems(output);
        Snapshot.Match(name, result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));
    }
}
