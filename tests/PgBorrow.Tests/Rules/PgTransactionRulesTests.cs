using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB321-PGB325: each rule reports its problem on the right span with a message that says what to change,
/// stays silent on the methods the generator implements, and never throws on incomplete code.
/// </summary>
public sealed class PgTransactionRulesTests
{
    private const string Body = "static Task<bool> TransferBody(PgTx tx, long from, CancellationToken ct) => Task.FromResult(true);";
    private const string Good = "[PgTransaction] public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, CancellationToken ct);";

    [Fact]
    public async Task The_sample_methods_get_no_diagnostic_and_an_implementation()
    {
        var (result, output, diagnostics) = await PgTransactionAnalysis.RunAsync(
            GeneratorHarness.TransactionUsings + PgTransactionSources.Transfer,
            GeneratorHarness.TransactionUsings + PgTransactionSources.Connection,
            GeneratorHarness.TransactionUsings + PgTransactionSources.Instance);

        Assert.Empty(diagnostics);
        Assert.Equal(6, result.GeneratedSources.Length);
        GeneratorHarness.AssertNoProblems(output);
    }

    [Theory]
    [InlineData("PGB321", "public static class [|T|] { [PgTransaction] public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, CancellationToken ct); " + Body + " }", "its type 'T' is not declared partial")]
    [InlineData("PGB321", "public static partial class T { [PgTransaction] public static Task<bool> [|TransferAsync|](NpgsqlDataSource dataSource, long from, CancellationToken ct) => Task.FromResult(true); " + Body + " }", "it is not declared partial")]
    [InlineData("PGB321", "public static partial class T { [PgTransaction] public static partial Task<bool> [|TransferAsync|](NpgsqlDataSource dataSource, long from, CancellationToken ct); public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, CancellationToken ct) => Task.FromResult(true); " + Body + " }", "already has an implementing declaration")]
    [InlineData("PGB321", "public class [|Outer|] { public static partial class T { " + Good + " " + Body + " } }", "the type 'Outer' around it is not declared partial")]
    [InlineData("PGB321", "public static partial class T { [PgTransaction] public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, ref long [|from|], CancellationToken ct); static Task<bool> TransferBody(PgTx tx, long from, CancellationToken ct) => Task.FromResult(true); }", "the parameter 'from' is passed by reference")]
    [InlineData("PGB321", "public static partial class T { [PgTransaction] public static partial Task<bool> [|TransferAsync|]<TKey>(NpgsqlDataSource dataSource, long from, CancellationToken ct); " + Body + " }", "it is generic")]
    [InlineData("PGB321", "public partial struct T { [PgTransaction] public partial Task<bool> [|TransferAsync|](NpgsqlDataSource dataSource, long from, CancellationToken ct); Task<bool> TransferBody(PgTx tx, long from, CancellationToken ct) => Task.FromResult(true); }", "instance method of the struct 'T'")]
    [InlineData("PGB322", "public static partial class T { [PgTransaction] public static partial Task<bool> TransferAsync(long [|from|], CancellationToken ct); static Task<bool> TransferBody(PgTx tx, CancellationToken ct) => Task.FromResult(true); }", "its first parameter 'from' is a 'long'")]
    [InlineData("PGB322", "public static partial class T { [PgTransaction] public static partial Task<bool> TransferAsync(NpgsqlDataSource? [|dataSource|], long from, CancellationToken ct); " + Body + " }", "is declared nullable")]
    [InlineData("PGB322", "public static partial class T { [PgTransaction] public static partial Task<bool> TransferAsync[|()|]; static Task<bool> TransferBody(PgTx tx) => Task.FromResult(true); }", "it has no parameters")]
    [InlineData("PGB323", "public static partial class T { [PgTransaction] public static partial [|ValueTask<bool>|] TransferAsync(NpgsqlDataSource dataSource, long from, CancellationToken ct); static ValueTask<bool> TransferBody(PgTx tx, long from, CancellationToken ct) => default; }", "it returns 'ValueTask<bool>'")]
    [InlineData("PGB324", "public static partial class T { [PgTransaction] public static partial Task<bool> [|TransferAsync|](NpgsqlDataSource dataSource, long from, CancellationToken ct); }", "there is no method 'TransferBody' in 'T'; write 'static Task<bool> TransferBody(PgTx tx, long from, CancellationToken ct)'")]
    [InlineData("PGB324", "public static partial class T { [PgTransaction] public static partial Task<bool> [|TransferAsync|](NpgsqlDataSource dataSource, long from, CancellationToken ct); static Task<bool> TransferBody(NpgsqlConnection c, long from, CancellationToken ct) => Task.FromResult(true); }", "its first parameter is a 'NpgsqlConnection', not a PgTx")]
    [InlineData("PGB324", "public static partial class T { [PgTransaction] public static partial Task<bool> [|TransferAsync|](NpgsqlDataSource dataSource, long from, CancellationToken ct); static Task<bool> TransferBody(PgTx tx, int from, CancellationToken ct) => Task.FromResult(true); }", "its parameter 'from' is a 'int', but 'from' is a 'long'")]
    [InlineData("PGB324", "public static partial class T { [PgTransaction] public static partial Task<bool> [|TransferAsync|](NpgsqlDataSource dataSource, long from, CancellationToken ct); static Task TransferBody(PgTx tx, long from, CancellationToken ct) => Task.CompletedTask; }", "it returns 'Task', not 'Task<bool>'")]
    [InlineData("PGB324", "public partial class T { [PgTransaction] public partial Task<bool> [|TransferAsync|](NpgsqlDataSource dataSource, long from, CancellationToken ct); static Task<bool> TransferBody(PgTx tx, long from, CancellationToken ct) => Task.FromResult(true); }", "it is static, and the [PgTransaction] method is an instance method")]
    [InlineData("PGB324", "public static partial class T { [PgTransaction(Body = \"Missing\")] public static partial Task<bool> [|TransferAsync|](NpgsqlDataSource dataSource, long from, CancellationToken ct); " + Body + " }", "there is no method 'Missing'")]
    [InlineData("PGB325", "public static partial class T { [[|PgTransaction(IsolationLevel.RepeatableRead, ReadOnly = true, Deferrable = true)|]] public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, CancellationToken ct); " + Body + " }", "Deferrable needs ReadOnly = true and IsolationLevel.Serializable")]
    [InlineData("PGB325", "public static partial class T { [[|PgTransaction(MaxAttempts = 0)|]] public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, CancellationToken ct); " + Body + " }", "MaxAttempts is 0")]
    [InlineData("PGB325", "public static partial class T { [[|PgTransaction(BaseDelayMilliseconds = 100, MaxDelayMilliseconds = 10)|]] public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, CancellationToken ct); " + Body + " }", "MaxDelayMilliseconds (10) is less than BaseDelayMilliseconds (100)")]
    [InlineData("PGB325", "public static partial class T { [[|PgTransaction(IsolationLevel.Chaos)|]] public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, CancellationToken ct); " + Body + " }", "is not one PostgreSQL has")]
    public async Task Reports_the_problem_on_its_span_and_generates_nothing(string id, string markup, string message)
    {
        var start = markup.IndexOf("[|", System.StringComparison.Ordinal);
        var end = markup.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        var source = GeneratorHarness.TransactionUsings + markup.Replace("[|", "").Replace("|]", "");
        var offset = GeneratorHarness.TransactionUsings.Length;

        var (result, _, diagnostics) = await PgTransactionAnalysis.RunAsync(source);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(message, diagnostic.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(offset + start, end - start), diagnostic.Location.SourceSpan);
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public async Task Several_problems_of_one_method_are_all_reported()
    {
        var (result, _, diagnostics) = await PgTransactionAnalysis.RunAsync(GeneratorHarness.TransactionUsings + """
            public static class T
            {
                [PgTransaction(MaxAttempts = 0)]
                public static partial ValueTask Run(long id);
            }
            """);

        Assert.Equal(new[] { "PGB321", "PGB325", "PGB323", "PGB324", "PGB322" }, diagnostics.Select(d => d.Id));
        Assert.Empty(result.GeneratedSources);
    }

    [Fact]
    public async Task Csharp_8_is_reported_and_gets_no_code()
    {
        var (result, _, diagnostics) = await PgTransactionAnalysis.RunAsync(
            new CSharpParseOptions(LanguageVersion.CSharp8),
            GeneratorHarness.TransactionUsings + "public static partial class T { " + Good + " " + Body + " }");

        Assert.Contains(diagnostics, d => d.Id == "PGB321" && d.GetMessage().Contains("below 9", System.StringComparison.Ordinal));
        Assert.Empty(result.GeneratedSources);
    }

    [Theory]
    [InlineData("public static partial class T { [PgTransaction] public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource, long from, ")]
    [InlineData("public static partial class T { [PgTransaction(Missing = 1)] public static partial Task<Nope> TransferAsync(Unknown dataSource); }")]
    [InlineData("public static partial class T { [PgTransaction(Body = )] public static partial Task TransferAsync(NpgsqlDataSource d) }")]
    [InlineData("[PgTransaction] public static partial Task<bool> TransferAsync(NpgsqlDataSource dataSource);")]
    [InlineData("public partial interface I { [PgTransaction] static partial Task TransferAsync(NpgsqlDataSource dataSource); }")]
    public async Task Incomplete_code_neither_throws_nor_generates(string source)
    {
        var (result, _, _) = await PgTransactionAnalysis.RunAsync(GeneratorHarness.TransactionUsings + source);

        Assert.Empty(result.GeneratedSources);
    }
}
