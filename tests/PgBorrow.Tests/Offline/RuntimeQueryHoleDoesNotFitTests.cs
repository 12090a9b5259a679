using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Rules;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Offline;

/// <summary>
/// PGB334 for the runtime query API: each hole of the interpolated SQL is sent as <c>$n</c> (numbered from the left,
/// a constant hole too) with the type Npgsql gives its C# type, and is compared with the type the statement's file
/// gives that <c>$n</c>; reported at the hole's expression, silent for a hole written with a cast or a format.
/// </summary>
public sealed class RuntimeQueryHoleDoesNotFitTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new SentStatementPreparedAnalyzer());

    private const string MoodEnum = "[PgEnum(\"mood\")] public enum Mood { Happy, Sad }";

    private static string Code(string parameters, string body)
        => GeneratorHarness.TransactionUsings + "#nullable enable\n" + MoodEnum
            + "\npublic static class Store { public static async Task RunAsync(NpgsqlConnection connection, NpgsqlDataSource dataSource, " + parameters + ") {\n" + body + "\n} }";

    /// <summary>The PGB334 diagnostics on <paramref name="source"/>, with a file for <paramref name="sentSql"/> whose placeholders are <paramref name="parameterTypes"/>.</summary>
    private static async Task<Diagnostic[]> HoleDiagnosticsAsync(string source, string sentSql, params string[] parameterTypes)
    {
        var diagnostics = await PreparedFiles.DiagnosticsAsync(Analyzers, source, null, PreparedFiles.Prepared(sentSql, parameterTypes));
        return diagnostics.Where(d => d.Id == "PGB334").ToArray();
    }

    private static string At(string source, Diagnostic diagnostic) => source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length);

    [Theory]
    [InlineData("int value", "bigint")]
    [InlineData("long value", "integer")]
    [InlineData("string value", "text")]
    [InlineData("int value", "character varying(20)")]
    [InlineData("Guid value", "uuid")]
    [InlineData("DateOnly value", "timestamp without time zone")]
    [InlineData("long[] value", "bigint[]")]
    [InlineData("Mood value", "mood")]
    [InlineData("string value", "positive_amount")]
    [InlineData("System.Net.IPAddress value", "integer")]
    public async Task A_hole_sent_as_a_type_its_placeholder_takes_gets_no_diagnostic(string parameter, string pgType)
    {
        // A type either side of the table does not list (a domain, IPAddress) always fits, as for [PgQuery].
        var source = Code(parameter, "await connection.ExecuteAsync($\"UPDATE orders SET note = 'seen' WHERE id = {value}\");");

        Assert.Empty(await HoleDiagnosticsAsync(source, "UPDATE orders SET note = 'seen' WHERE id = $1", pgType));
    }

    [Theory]
    [InlineData("int value", "uuid", "int is sent as integer, which PostgreSQL does not convert to uuid; pass Guid instead")]
    [InlineData("Guid value", "bigint", "Guid is sent as uuid, which PostgreSQL does not convert to bigint")]
    [InlineData("int value", "integer[]", "int is sent as one integer, and the statement needs an array")]
    [InlineData("Mood value", "integer", "the [PgEnum] type 'Mood' is sent as the PostgreSQL enum 'mood', which PostgreSQL does not convert to integer")]
    [InlineData("byte[] value", "jsonb", "byte[] is sent as bytea, which PostgreSQL does not convert to jsonb; pass a string and write a cast on the placeholder in the SQL ({value}::jsonb)")]
    public async Task A_hole_not_sent_as_a_type_its_placeholder_takes_is_reported_at_the_hole(string parameter, string pgType, string expected)
    {
        var source = Code(parameter, "await dataSource.ExecuteAsync($\"UPDATE orders SET note = 'seen' WHERE id = {value}\");");

        var diagnostic = Assert.Single(await HoleDiagnosticsAsync(source, "UPDATE orders SET note = 'seen' WHERE id = $1", pgType));

        Assert.StartsWith("'ExecuteAsync': the hole {value} (", diagnostic.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains($") fills $1, which the statement needs as {pgType}: {expected}", diagnostic.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal("value", At(source, diagnostic));
    }

    [Fact]
    public async Task A_string_expression_into_a_number_names_the_expression_both_types_and_the_cast()
    {
        var source = Code("string[] codes", "var total = await connection.ExecuteScalarAsync<long>($\"SELECT count(*) FROM orders WHERE id = {codes[0].Trim()}\");");

        var diagnostic = Assert.Single(await HoleDiagnosticsAsync(source, "SELECT count(*) FROM orders WHERE id = $1", "bigint"));

        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("'ExecuteScalarAsync': the hole {codes[0].Trim()} (string) fills $1, which the statement needs as bigint: string is sent as text, which PostgreSQL does not convert to bigint; pass short or int or long or float or double or decimal instead, or write a cast on the placeholder in the SQL ({codes[0].Trim()}::bigint), which converts a string by its text form", diagnostic.GetMessage());
        Assert.Equal("codes[0].Trim()", At(source, diagnostic));
    }

    [Theory]
    // Of two holes only the second does not fit: reported with its own number, at its own expression.
    [InlineData("long id, string code", "UPDATE orders SET note = 'seen' WHERE id = {id} AND token = {code}", "UPDATE orders SET note = 'seen' WHERE id = $1 AND token = $2", "bigint", "code", "the hole {code} (string) fills $2, which the statement needs as uuid: ")]
    // The handler sends the constant {true} as $1 like any other hole (it does not inline constants), so {id} is $2.
    [InlineData("Guid id", "UPDATE orders SET shipped = {true} WHERE id = {id}", "UPDATE orders SET shipped = $1 WHERE id = $2", "integer", "true", "the hole {true} (bool) fills $1, which the statement needs as integer: ")]
    public async Task Each_hole_is_compared_with_the_placeholder_of_its_number(string parameters, string sql, string sentSql, string firstType, string reportedAt, string expected)
    {
        var source = Code(parameters, "await connection.ExecuteAsync($\"" + sql + "\");");

        var diagnostic = Assert.Single(await HoleDiagnosticsAsync(source, sentSql, firstType, "uuid"));

        Assert.StartsWith("'ExecuteAsync': " + expected, diagnostic.GetMessage(), System.StringComparison.Ordinal);
        Assert.Equal(reportedAt, At(source, diagnostic));
    }

    [Theory]
    [InlineData("{code}::uuid", "$1::uuid")]
    [InlineData("CAST({code} AS uuid)", "CAST($1 AS uuid)")]
    [InlineData("{code} :: uuid", "$1 :: uuid")]
    [InlineData("{code:uuid}", "$1")]
    public async Task A_hole_written_with_a_cast_or_a_format_is_not_checked(string hole, string placeholder)
    {
        // A cast converts a string by its text; a format makes the handler send the hole as the type it names.
        var source = Code("string code", "await connection.ExecuteAsync($\"UPDATE orders SET note = 'seen' WHERE id = " + hole + "\");");

        Assert.Empty(await HoleDiagnosticsAsync(source, "UPDATE orders SET note = 'seen' WHERE id = " + placeholder, "uuid"));
    }

    [Fact]
    public async Task A_cast_in_a_string_literal_of_the_sql_does_not_skip_the_hole()
    {
        var source = Code("string code", "await connection.ExecuteAsync($\"UPDATE orders SET note = '$1::uuid' WHERE id = {code}\");");

        var diagnostic = Assert.Single(await HoleDiagnosticsAsync(source, "UPDATE orders SET note = '$1::uuid' WHERE id = $1", "uuid"));

        Assert.Equal("code", At(source, diagnostic));
    }

    [Fact]
    public async Task A_statement_without_its_file_gets_PGB331_and_no_PGB334()
    {
        var source = Code("string code", "await connection.ExecuteAsync($\"UPDATE orders SET note = 'seen' WHERE id = {code}\");");

        var diagnostics = await PreparedFiles.DiagnosticsAsync(Analyzers, source, null, PreparedFiles.Prepared("SELECT id FROM orders WHERE id = $1", new[] { "uuid" }));

        Assert.Equal("PGB331", Assert.Single(diagnostics).Id);
    }

    [Theory]
    [InlineData("await connection.ExecuteAsync($\"UPDATE orders SET note = 'seen' WHERE id = {missing}\");")]
    [InlineData("await connection.ExecuteAsync($\"UPDATE orders SET note = 'seen' WHERE id = {code.}\");")]
    [InlineData("await connection.ExecuteAsync($\"UPDATE orders SET note = 'seen' WHERE id = {}\");")]
    [InlineData("await connection.ExecuteAsync($\"UPDATE orders SET note = 'seen' WHERE id = {code,5}\");")]
    [InlineData("await connection.ExecuteAsync($\"UPDATE orders SET note = 'seen' WHERE id = {code")]
    public async Task Half_written_code_does_not_throw_nor_report_a_hole_whose_type_is_unknown(string body)
    {
        // DiagnosticsAsync fails the test when an analyzer throws.
        var diagnostics = await HoleDiagnosticsAsync(Code("string code", body), "UPDATE orders SET note = 'seen' WHERE id = $1", "uuid");

        Assert.Empty(diagnostics);
    }
}
