using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Rules;
using PgBorrow.Cli.Describe;
using PgBorrow.Cli.Metadata;
using PgBorrow.Generators.Queries;
using PgBorrow.Tests.Generators;
using PgBorrow.Tests.Rules;
using Xunit;
using static PgBorrow.Tests.Offline.PreparedStatementRulesTests;

namespace PgBorrow.Tests.Offline;

/// <summary>
/// PGB331-PGB333 for the SQL sent outside [PgQuery]: the runtime query API, Npgsql commands and Dapper. The statement
/// looked up is the text as sent (holes and <c>@name</c> as <c>$n</c>), the one <c>pgborrow prepare</c> describes.
/// </summary>
public sealed class SentStatementRulesTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new SentStatementPreparedAnalyzer());

    private const string OrdersSql = "SELECT id, customer, total FROM orders WHERE total >= $1";

    private const string Order = "[PgRow] public partial record Order(long Id, string Customer, decimal Total);";

    private static readonly DescribedColumn[] OrderColumns = [Column("id", "bigint", false), Column("customer", "text", false), Column("total", "numeric", false)];

    /// <summary>A file for some other statement: the project uses offline checks.</summary>
    private static readonly AdditionalText Unrelated = Prepared("SELECT 1", Column("?column?", "integer", nullable: true));

    private static string Code(string body, string types = "")
        => GeneratorHarness.TransactionUsings + "using Dapper;\n#nullable enable\n" + types
            + "\npublic static class Store { public static async Task RunAsync(NpgsqlConnection connection, decimal minimum, long id, string table) {\n" + body + "\n} }";

    private static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(string source, params AdditionalText[] files)
    {
        var (_, _, diagnostics) = await GeneratedMethodAnalysis.RunAsync(new PgQueryGenerator(), Analyzers, GeneratorHarness.ParseOptions, files.ToImmutableArray(), source);
        return diagnostics;
    }

    private static string At(Diagnostic diagnostic) => diagnostic.Location.SourceTree!.ToString().Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);

    [Fact]
    public async Task PGB331_reports_a_command_dapper_call_and_runtime_query_without_a_file_at_the_call_naming_the_file_as_sent()
    {
        var source = Code("""
            await using var command = new NpgsqlCommand("SELECT note FROM orders WHERE id = @id OR parent = @id", connection);
            await connection.QueryAsync<long>("SELECT id FROM orders WHERE customer = @customer", new { customer = "x" });
            await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM orders WHERE total >= {minimum} AND id > {0}");
            """);

        var diagnostics = (await DiagnosticsAsync(source, Unrelated)).OrderBy(d => d.Location.SourceSpan.Start).ToArray();

        Assert.All(diagnostics, d => Assert.Equal("PGB331", d.Id));
        Assert.Equal(3, diagnostics.Length);
        Assert.StartsWith("new NpgsqlCommand(", At(diagnostics[0]), System.StringComparison.Ordinal);
        Assert.Equal("'new NpgsqlCommand': its statement has no file .pgborrow/" + StatementFile.FileName("SELECT note FROM orders WHERE id = $1 OR parent = $1")
            + " (a new or edited statement); run 'pgborrow prepare' and commit the folder, so the build checks it against the schema", diagnostics[0].GetMessage());
        Assert.Contains(StatementFile.FileName("SELECT id FROM orders WHERE customer = $1"), diagnostics[1].GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains(StatementFile.FileName("SELECT count(*) FROM orders WHERE total >= $1 AND id > $2"), diagnostics[2].GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task Silent_on_prepared_statements_text_that_cannot_be_described_and_a_project_without_files()
    {
        var source = Code("""
            await using var command = new NpgsqlCommand("SELECT note FROM orders WHERE id = @id", connection);
            await using var built = new NpgsqlCommand("SELECT * FROM " + table, connection);
            await using var ddl = new NpgsqlCommand { CommandText = "CREATE TABLE t (id int)" };
            await using var two = new NpgsqlCommand("SELECT 1; SELECT 2", connection);
            await connection.ExecuteAsync($"UPDATE orders SET total = {minimum} WHERE id = {id}");
            """);

        var prepared = await DiagnosticsAsync(source, Prepared("SELECT note FROM orders WHERE id = $1", Column("note", "text", true)), Prepared("UPDATE orders SET total = $1 WHERE id = $2", []));
        var noFiles = await DiagnosticsAsync(source);

        Assert.Empty(prepared);
        Assert.Empty(noFiles);
    }

    [Fact]
    public async Task The_same_sql_reached_through_a_const_in_another_class_finds_its_file()
    {
        const string Types = "public static class Sql { public const string Columns = \"id, customer, total\"; public const string Large = \"SELECT \" + Columns + \" FROM orders WHERE total >= @minimum\"; }";
        var source = Code("await using var command = new NpgsqlCommand(Sql.Large, connection);", Types);

        var prepared = await DiagnosticsAsync(source, Prepared(OrdersSql, OrderColumns));
        var edited = Assert.Single(await DiagnosticsAsync(source.Replace("total >= @minimum", "total > @minimum"), Prepared(OrdersSql, OrderColumns)));

        Assert.Empty(prepared);
        Assert.Equal("PGB331", edited.Id);
        Assert.Contains(StatementFile.FileName("SELECT id, customer, total FROM orders WHERE total > $1"), edited.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("QueryAsync<Order>", null)]
    [InlineData("QuerySingleOrDefaultAsync<Order>", null)]
    [InlineData("QueryFirstAsync<Order>", "'QueryFirstAsync': the statement returns no column 'customer' for 'Order.Customer' (string)")]
    [InlineData("QueryStreamAsync<Order>", "'QueryStreamAsync': the statement returns no column 'customer'")]
    public async Task PGB332_checks_the_row_a_runtime_query_reads(string call, string? expected)
    {
        var source = Code("await foreach (var _ in AsEnumerable(connection." + call + "($\"SELECT id, customer, total FROM orders WHERE total >= {minimum}\"))) { }", Order)
            .Replace("public static async Task RunAsync", "static async System.Collections.Generic.IAsyncEnumerable<T> AsEnumerable<T>(object value) { await Task.Yield(); yield break; } public static async Task RunAsync");
        var columns = expected is null ? OrderColumns : [Column("id", "bigint", false), Column("client", "text", false), Column("total", "numeric", false)];

        var diagnostics = await DiagnosticsAsync(source, Prepared(OrdersSql, columns));

        if (AssertReportedOnlyWhenExpected(diagnostics, "PGB332", expected) is { } message)
            Assert.StartsWith(expected!, message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("long", null)]
    [InlineData("int", "'ExecuteScalarAsync': the column 'count' is bigint, which is not read into the scalar 'int'")]
    public async Task PGB333_checks_the_scalar_of_ExecuteScalarAsync(string scalar, string? expected)
    {
        var source = Code("await connection.ExecuteScalarAsync<" + scalar + ">($\"SELECT count(*) FROM orders WHERE total >= {minimum}\");");

        var diagnostics = await DiagnosticsAsync(source, Prepared("SELECT count(*) FROM orders WHERE total >= $1", Column("count", "bigint", nullable: true)));

        if (AssertReportedOnlyWhenExpected(diagnostics, "PGB333", expected) is { } message)
            Assert.StartsWith(expected!, message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_commands_the_PgQuery_generator_emits_are_left_to_the_attribute_checks()
    {
        var source = GeneratorHarness.TransactionUsings + Order
            + " public static partial class Q { [PgQuery(\"SELECT id, customer, total FROM orders WHERE total >= @minimum\")] public static partial Task<List<Order>> LargeAsync(this NpgsqlConnection connection, decimal minimum); }";

        var diagnostics = await DiagnosticsAsync(source, Unrelated);

        Assert.Empty(diagnostics);
    }
}
