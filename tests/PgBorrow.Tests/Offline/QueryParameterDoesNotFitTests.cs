using System.Collections.Immutable;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Rules;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Offline;

/// <summary>
/// PGB334: a [PgQuery] parameter whose C# type is not sent as a PostgreSQL type the described placeholder takes
/// (by the parameter types in <c>.pgborrow/*.json</c>); reported at the parameter, silent for a placeholder
/// written with a cast, for a type the table does not list, and for any value into a text type.
/// </summary>
public sealed class QueryParameterDoesNotFitTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new QueryParameterDoesNotFitAnalyzer());

    private const string UpdateSql = "UPDATE orders SET note = 'seen' WHERE id = @id";

    private static string Query(string parameters, string sql = UpdateSql, string declarations = "")
        => GeneratorHarness.TransactionUsings + "#nullable enable\n" + declarations
            + " public static partial class Q { [PgQuery(\"" + sql + "\")] public static partial Task<int> MarkAsync(this NpgsqlConnection connection, " + parameters + "); }";

    private static Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(string source, string sentSql, params string[] parameterTypes)
        => PreparedFiles.DiagnosticsAsync(Analyzers, source, null, PreparedFiles.Prepared(sentSql, parameterTypes));

    private const string MoodEnum = "[PgEnum(\"mood\")] public enum Mood { Happy, Sad } public enum Level { Low, High }";

    [Theory]
    [InlineData("int id", "bigint")]
    [InlineData("long id", "integer")]
    [InlineData("long? id", "bigint")]
    [InlineData("decimal id", "numeric(12,2)")]
    [InlineData("double id", "numeric")]
    [InlineData("string id", "text")]
    [InlineData("string id", "character varying(40)")]
    [InlineData("int id", "text")]
    [InlineData("Guid id", "uuid")]
    [InlineData("DateTime id", "timestamp with time zone")]
    [InlineData("DateTime id", "date")]
    [InlineData("DateTimeOffset id", "timestamp without time zone")]
    [InlineData("DateOnly id", "timestamp without time zone")]
    [InlineData("TimeSpan id", "time without time zone")]
    [InlineData("TimeOnly id", "interval")]
    [InlineData("byte[] id", "bytea")]
    [InlineData("bool id", "boolean")]
    [InlineData("int[] id", "bigint[]")]
    [InlineData("List<string> id", "text[]")]
    [InlineData("long[] id", "text[]")]
    [InlineData("Mood id", "public.mood")]
    [InlineData("Mood id", "text")]
    [InlineData("Level id", "smallint")]
    [InlineData("Level id", "mood")]
    [InlineData("string id", "mood")]
    [InlineData("string id", "positive_amount")]
    [InlineData("System.Net.IPAddress id", "integer")]
    [InlineData("char id", "integer")]
    public async Task A_parameter_sent_as_a_type_the_placeholder_takes_gets_no_diagnostic(string parameter, string pgType)
    {
        // Unlisted PostgreSQL types (an enum for a plain C# enum, a domain) and unlisted C# types (IPAddress, char) always fit.
        var diagnostics = await DiagnosticsAsync(Query(parameter, declarations: MoodEnum), "UPDATE orders SET note = 'seen' WHERE id = $1", pgType);

        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("int id", "uuid", "int is sent as integer, which PostgreSQL does not convert to uuid; pass Guid instead")]
    [InlineData("bool id", "integer", "bool is sent as boolean, which PostgreSQL does not convert to integer; pass short or int or long or float or double or decimal instead")]
    [InlineData("DateOnly id", "interval", "DateOnly is sent as date, which PostgreSQL does not convert to interval; pass TimeOnly or TimeSpan instead")]
    [InlineData("Guid? id", "bigint", "Guid is sent as uuid, which PostgreSQL does not convert to bigint")]
    [InlineData("int id", "integer[]", "int is sent as one integer, and the statement needs an array; pass short[] or int[] or long[] or float[] or double[] or decimal[] instead")]
    [InlineData("List<long> id", "bigint", "an array or a List<T> is sent as an array, and the statement needs one bigint")]
    [InlineData("string[] id", "integer[]", "its elements: string is sent as text, which PostgreSQL does not convert to integer")]
    [InlineData("Mood id", "integer", "the [PgEnum] type 'Mood' is sent as the PostgreSQL enum 'mood', which PostgreSQL does not convert to integer")]
    [InlineData("Mood id", "feeling", "the [PgEnum] type 'Mood' is sent as the PostgreSQL enum 'mood', which PostgreSQL does not convert to feeling")]
    [InlineData("Level id", "uuid", "the enum 'Level' is sent as its integer value, which PostgreSQL does not convert to uuid; pass Guid instead")]
    [InlineData("byte[] id", "jsonb", "byte[] is sent as bytea, which PostgreSQL does not convert to jsonb; pass a string and write a cast on the placeholder in the SQL (@id::jsonb)")]
    public async Task A_parameter_not_sent_as_a_type_the_placeholder_takes_is_reported(string parameter, string pgType, string expected)
    {
        var diagnostics = await DiagnosticsAsync(Query(parameter, declarations: MoodEnum), "UPDATE orders SET note = 'seen' WHERE id = $1", pgType);

        var message = PreparedFiles.AssertReportedOnlyWhenExpected(diagnostics, "PGB334", expected);
        Assert.StartsWith($"'MarkAsync': the parameter 'id' (", message, System.StringComparison.Ordinal);
        Assert.Contains($") fills @id ($1), which the statement needs as {pgType}: ", message, System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_string_into_a_number_is_reported_at_the_parameter_naming_the_placeholder_both_types_and_the_cast()
    {
        var source = Query("string id");

        var diagnostic = Assert.Single(await DiagnosticsAsync(source, "UPDATE orders SET note = 'seen' WHERE id = $1", "integer"));

        Assert.Equal("PGB334", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
        Assert.Equal("'MarkAsync': the parameter 'id' (string) fills @id ($1), which the statement needs as integer: string is sent as text, which PostgreSQL does not convert to integer; pass short or int or long or float or double or decimal instead, or write a cast on the placeholder in the SQL (@id::integer), which converts a string by its text form", diagnostic.GetMessage());
        Assert.Equal("id", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    [Fact]
    public async Task Each_parameter_is_compared_with_its_own_placeholder_by_the_generator_s_numbering()
    {
        // @note comes first in the text, so it is $1; the method lists id first. Case-insensitive binding: @ID binds 'id'.
        var sql = "UPDATE orders SET note = @note WHERE id = @ID";
        var source = Query("long id, int note", sql);

        var diagnostic = Assert.Single(await DiagnosticsAsync(source, "UPDATE orders SET note = $1 WHERE id = $2", "text", "uuid"));

        Assert.StartsWith("'MarkAsync': the parameter 'id' (long) fills @ID ($2), which the statement needs as uuid: ", diagnostic.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("UPDATE orders SET note = 'seen' WHERE id = @id::uuid", "UPDATE orders SET note = 'seen' WHERE id = $1::uuid")]
    [InlineData("UPDATE orders SET note = 'seen' WHERE id = CAST(@id AS uuid)", "UPDATE orders SET note = 'seen' WHERE id = CAST($1 AS uuid)")]
    [InlineData("UPDATE orders SET note = @id WHERE id = @id :: uuid", "UPDATE orders SET note = $1 WHERE id = $1 :: uuid")]
    public async Task A_placeholder_written_with_a_cast_is_not_checked(string sql, string sentSql)
    {
        // The description gives the cast's type; a string reaches it by the cast, at run time.
        var diagnostics = await DiagnosticsAsync(Query("string id", sql), sentSql, "uuid");

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task A_placeholder_inside_a_string_or_comment_does_not_count_as_cast()
    {
        var sql = "UPDATE orders SET note = '@id::uuid' /* @id AS x */ WHERE id = @id";

        var diagnostic = Assert.Single(await DiagnosticsAsync(Query("string id", sql), "UPDATE orders SET note = '@id::uuid' /* @id AS x */ WHERE id = $1", "uuid"));

        Assert.Equal("PGB334", diagnostic.Id);
    }

    [Fact]
    public async Task Silent_without_the_statement_s_file_or_with_another_count_of_described_types_than_placeholders()
    {
        var source = Query("long id, string note", "UPDATE orders SET note = @note WHERE id = @id");

        var otherFile = await PreparedFiles.DiagnosticsAsync(Analyzers, source, null, PreparedFiles.Prepared("SELECT 1", new[] { "uuid" }));
        var shortFile = await DiagnosticsAsync(source, "UPDATE orders SET note = $1 WHERE id = $2", "text");

        Assert.Empty(otherFile);
        Assert.Empty(shortFile);
    }
}
