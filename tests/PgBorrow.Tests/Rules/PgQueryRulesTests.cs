using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Rules;
using PgBorrow.Generators.Queries;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB311-PGB316: each rule reports its problem on the right span with a message that says what to change,
/// stays silent on the methods the generator implements (placeholders inside literals, quoted identifiers
/// and comments, casts and operators included), and never throws on incomplete code.
/// </summary>
public sealed class PgQueryRulesTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(
        new QueryMethodCannotBeGeneratedAnalyzer(),
        new QueryPlaceholderUnknownAnalyzer(),
        new QueryParameterUnusedAnalyzer(),
        new QueryReturnTypeNotSupportedAnalyzer(),
        new QueryParameterTypeNotSupportedAnalyzer(),
        new QuerySqlNotConstantAnalyzer());

    private const string Row = "[PgRow] public partial record Order(long Id, string Customer); ";

    private static Task<(GeneratorRunResult Result, Compilation Output, ImmutableArray<Diagnostic> Diagnostics)> RunAsync(params string[] sources)
        => GeneratedMethodAnalysis.RunAsync(new PgQueryGenerator(), Analyzers, GeneratorHarness.ParseOptions, sources);

    [Fact]
    public async Task The_sample_methods_get_no_diagnostic_and_an_implementation()
    {
        var (result, output, diagnostics) = await RunAsync(
            GeneratorHarness.TransactionUsings + PgQuerySources.Rows,
            GeneratorHarness.TransactionUsings + PgQuerySources.Scalars);

        Assert.Empty(diagnostics);
        Assert.Equal(13, result.GeneratedSources.Length);
        GeneratorHarness.AssertNoProblems(output);
    }

    [Theory]
    [InlineData("SELECT id, customer FROM orders WHERE customer = @name::text AND id = @id")]
    [InlineData("SELECT id, customer FROM orders WHERE tags @> ARRAY[@name] AND id=@id")]
    [InlineData("SELECT id, customer FROM orders WHERE id = @id AND customer = @NAME")]
    [InlineData("SELECT id, customer FROM orders WHERE id = @id AND customer = @name AND note = 'a@b.org' /* @c */ -- @d")]
    [InlineData("SELECT id, customer, \"@e\" FROM orders WHERE id = @id AND $$@f$$ <> @name AND E'\\'@g' <> ''")]
    [InlineData("WITH x AS (SELECT @id AS id) SELECT id, customer FROM orders JOIN x USING (id) WHERE customer = @name")]
    public async Task Placeholders_among_casts_operators_literals_and_comments_bind_without_diagnostics(string sql)
    {
        var source = GeneratorHarness.TransactionUsings + Row + "public static partial class Q { [PgQuery(" + SymbolDisplay.FormatLiteral(sql, quote: true) + ")] public static partial Task<List<Order>> FindAsync(this NpgsqlConnection connection, long id, string name); }";

        var (result, output, diagnostics) = await RunAsync(source);

        Assert.Empty(diagnostics);
        var generated = Assert.Single(result.GeneratedSources).SourceText.ToString();
        GeneratorHarness.AssertNoProblems(output);
        Assert.DoesNotContain("@id", generated.Split('\n').Single(l => l.Contains("SELECT")), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("PGB311", "public static class [|Q|] { [PgQuery(\"SELECT 1\")] public static partial Task<int> OneAsync(NpgsqlConnection connection); }", "its type 'Q' is not declared partial")]
    [InlineData("PGB311", "public static partial class Q { [PgQuery(\"SELECT 1\")] public static Task<int> [|OneAsync|](NpgsqlConnection connection) => Task.FromResult(1); }", "it is not declared partial")]
    [InlineData("PGB311", "public static partial class Q { [PgQuery(\"SELECT 1\")] public static partial Task<int> OneAsync[|(CancellationToken ct)|]; }", "it has nothing to run on")]
    [InlineData("PGB311", "public static partial class Q { [PgQuery(\"SELECT 1\")] public static partial Task<int> OneAsync(NpgsqlConnection connection, NpgsqlTransaction [|transaction|]); }", "it takes both 'connection' and 'transaction'")]
    [InlineData("PGB311", "public static partial class Q { [PgQuery(\"SELECT 1\")] public static partial Task<int> [|OneAsync|]<T>(NpgsqlConnection connection); }", "it is generic")]
    [InlineData("PGB311", "public static partial class Q { [PgQuery(\"SELECT 1\")] public static partial Task<int> OneAsync(NpgsqlConnection connection, CancellationToken a, CancellationToken [|b|]); }", "'b' is a second CancellationToken")]
    [InlineData("PGB311", "public static partial class Q { [[|PgQuery(\"SELECT 1\", CommandTimeoutSeconds = -5)|]] public static partial Task<int> OneAsync(NpgsqlConnection connection); }", "CommandTimeoutSeconds is -5")]
    [InlineData("PGB312", "public static partial class Q { [PgQuery(\"SELECT id, customer FROM orders WHERE id = [|@idd|]\")] public static partial Task<Order> OneAsync(NpgsqlConnection connection); }", "the placeholder '@idd' names no parameter of the method (it has no value parameters)")]
    [InlineData("PGB314", "public static partial class Q { [PgQuery(\"SELECT 1\")] public static partial [|Task<Dictionary<long, int>>|] OneAsync(NpgsqlConnection connection); }", "'Dictionary<long, int>' is neither a [PgRow] type nor a scalar")]
    [InlineData("PGB314", "public static partial class Q { [PgQuery(\"SELECT 1\")] public static partial [|int|] One(NpgsqlConnection connection); }", "it returns 'int'")]
    [InlineData("PGB314", "[PgRow] public partial struct S { public long Id { get; set; } } public static partial class Q { [PgQuery(\"SELECT 1 AS id\")] public static partial [|Task<S?>|] OneAsync(NpgsqlConnection connection); }", "an optional [PgRow] struct")]
    [InlineData("PGB315", "public static partial class Q { [PgQuery(\"SELECT id, customer FROM orders WHERE id = @filter\")] public static partial Task<Order> OneAsync(NpgsqlConnection connection, object [|filter|]); }", "the parameter 'filter' is a 'object', which is not sent")]
    [InlineData("PGB315", "public static partial class Q { [PgQuery(\"SELECT id, customer FROM orders WHERE id = @id\")] public static partial Task<Order> OneAsync(NpgsqlConnection connection, ref long [|id|]); }", "is passed by reference")]
    [InlineData("PGB316", "public static partial class Q { [[|PgQuery(\"SELECT 1; SELECT 2\")|]] public static partial Task<int> OneAsync(NpgsqlConnection connection); }", "its SQL holds 2 statements")]
    [InlineData("PGB316", "public static partial class Q { [[|PgQuery(\"  -- nothing\")|]] public static partial Task<int> OneAsync(NpgsqlConnection connection); }", "holds no statement")]
    [InlineData("PGB316", "public static partial class Q { [[|PgQuery(\"SELECT id, customer FROM orders WHERE id = $1\")|]] public static partial Task<Order> OneAsync(NpgsqlConnection connection, long id); }", "its SQL has $n parameters")]
    [InlineData("PGB316", "public static partial class Q { [[|PgQuery(\"\")|]] public static partial Task<int> OneAsync(NpgsqlConnection connection); }", "null or empty")]
    public async Task Reports_the_problem_on_its_span_and_generates_nothing(string id, string markup, string message)
    {
        var start = markup.IndexOf("[|", System.StringComparison.Ordinal);
        var end = markup.IndexOf("|]", System.StringComparison.Ordinal) - 2;
        var prefix = GeneratorHarness.TransactionUsings + Row;
        var source = prefix + markup.Replace("[|", "").Replace("|]", "");

        var (result, _, diagnostics) = await RunAsync(source);

        var diagnostic = Assert.Single(diagnostics.Where(d => d.Id != "PGB313"));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains(message, diagnostic.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal(new Microsoft.CodeAnalysis.Text.TextSpan(prefix.Length + start, end - start), diagnostic.Location.SourceSpan);
        Assert.Empty(result.GeneratedSources);
    }

    [Theory]
    [InlineData("SELECT id, customer FROM orders WHERE id = @id AND note = '@name'")]
    [InlineData("SELECT id, customer FROM orders WHERE id = @id -- AND customer = @name")]
    [InlineData("SELECT id, customer, \"@name\" FROM orders WHERE id = @id")]
    [InlineData("SELECT id, customer FROM orders WHERE id = @id AND tags @@name")]
    public async Task A_parameter_named_only_inside_a_literal_comment_identifier_or_operator_is_unused_and_the_method_still_generated(string sql)
    {
        var source = GeneratorHarness.TransactionUsings + Row + "public static partial class Q { [PgQuery(" + SymbolDisplay.FormatLiteral(sql, quote: true) + ")] public static partial Task<List<Order>> FindAsync(this NpgsqlConnection connection, long id, string name); }";

        var (result, output, diagnostics) = await RunAsync(source);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("PGB313", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
        Assert.Contains("the parameter 'name' is named by no placeholder '@name', so it is not sent; write its placeholder where its value belongs, or remove the parameter", diagnostic.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal("name", output.SyntaxTrees.First().GetText().ToString(diagnostic.Location.SourceSpan));
        var generated = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Contains("global::PgBorrow.PgQueryStatement.Parameter(id) }", generated, System.StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter(name)", generated, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_placeholder_in_a_raw_string_is_reported_on_the_attribute_argument()
    {
        var source = GeneratorHarness.TransactionUsings + Row + "public static partial class Q\n{\n    [PgQuery(\"\"\"\n        SELECT id, customer FROM orders\n        WHERE id = @other\n        \"\"\")]\n    public static partial Task<List<Order>> FindAsync(this NpgsqlConnection connection, long id);\n}\n";

        var (_, _, diagnostics) = await RunAsync(source);

        Assert.Equal(new[] { "PGB312", "PGB313" }, diagnostics.Select(d => d.Id));
        Assert.Contains("its value parameters are 'id'", diagnostics[0].GetMessage(), System.StringComparison.Ordinal);
        Assert.StartsWith("\"\"\"", diagnostics[0].Location.SourceTree!.GetText().ToString(diagnostics[0].Location.SourceSpan), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_placeholder_used_twice_is_sent_once()
    {
        var source = GeneratorHarness.TransactionUsings + Row + "public static partial class Q { [PgQuery(\"SELECT id, customer FROM orders WHERE id = @id OR parent = @id OR customer = @name\")] public static partial Task<List<Order>> FindAsync(this NpgsqlConnection connection, string name, long id); }";

        var (result, output, diagnostics) = await RunAsync(source);

        Assert.Empty(diagnostics);
        GeneratorHarness.AssertNoProblems(output);
        var generated = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Contains("\"SELECT id, customer FROM orders WHERE id = $1 OR parent = $1 OR customer = $2\"", generated, System.StringComparison.Ordinal);
        Assert.Contains("{ global::PgBorrow.PgQueryStatement.Parameter(id), global::PgBorrow.PgQueryStatement.Parameter(name) }", generated, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE orders SET customer = @name", "ExecuteAsync(")]
    [InlineData("UPDATE orders SET customer = @name RETURNING id", "ReadValueAsync<int>(")]
    [InlineData("WITH gone AS (DELETE FROM orders RETURNING id) UPDATE stats SET removed = removed + 1 WHERE name = @name", "ExecuteAsync(")]
    [InlineData("WITH gone AS (DELETE FROM orders WHERE customer = @name RETURNING id) SELECT count(*)::int FROM gone", "ReadValueAsync<int>(")]
    [InlineData("VALUES (length(@name))", "ReadValueAsync<int>(")]
    public async Task Task_of_int_is_affected_rows_for_a_statement_without_rows_and_a_scalar_otherwise(string sql, string call)
    {
        var source = GeneratorHarness.TransactionUsings + "public static partial class Q { [PgQuery(" + SymbolDisplay.FormatLiteral(sql, quote: true) + ")] public static partial Task<int> RunAsync(NpgsqlConnection connection, string name); }";

        var (result, output, diagnostics) = await RunAsync(source);

        Assert.Empty(diagnostics);
        GeneratorHarness.AssertNoProblems(output);
        Assert.Contains(call, Assert.Single(result.GeneratedSources).SourceText.ToString(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("public static partial class Q { [PgQuery(\"SELECT 1\")] public static partial Task<int> OneAsync(NpgsqlConnection connection")]
    [InlineData("public static partial class Q { [PgQuery] public static partial Task<int> OneAsync(NpgsqlConnection connection); }")]
    [InlineData("public static partial class Q { [PgQuery(null)] public static partial Task<Missing> OneAsync(Missing connection, int @id); }")]
    [InlineData("public static partial class Q { [PgQuery(\"SELECT @\")] public static partial Task OneAsync(NpgsqlConnection connection, __arglist); }")]
    [InlineData("[PgQuery(\"SELECT 1\")] static partial Task<int> OneAsync(NpgsqlConnection connection);")]
    public async Task Incomplete_code_makes_no_analyzer_or_generator_throw(string source)
    {
        var (result, _, _) = await RunAsync(GeneratorHarness.TransactionUsings + source);

        Assert.Null(result.Exception);
    }
}
