using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Offline;
using PgBorrow.Analyzers.Rules;
using PgBorrow.Cli.Describe;
using PgBorrow.Cli.Metadata;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Offline;

/// <summary>
/// PGB331-PGB333: the build-time checks read the files <c>pgborrow prepare</c> writes (made here by the tool's own
/// writer), find a statement's file by the tool's hash, and report a missing file, result columns that do not fit
/// the [PgRow] type, and a scalar that does not fit; silent without a <c>.pgborrow</c> folder.
/// </summary>
public sealed class PreparedStatementRulesTests
{
    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new PreparedStatementAnalyzer());

    private const string OrdersSql = "SELECT id, customer, total, note FROM orders WHERE total >= $1";

    private static readonly DescribedColumn Id = Column("id", "bigint", nullable: false);
    private static readonly DescribedColumn Customer = Column("customer", "text", nullable: false);
    private static readonly DescribedColumn Total = Column("total", "numeric", nullable: false);
    private static readonly DescribedColumn Note = Column("note", "text", nullable: true);

    internal static DescribedColumn Column(string name, string type, bool nullable) => PreparedFiles.Column(name, type, nullable);

    private static string OrdersQuery(string row, string returns = "Task<List<Order>>")
        => GeneratorHarness.TransactionUsings + "#nullable enable\n" + row
            + " public static partial class Q { [PgQuery(\"SELECT id, customer, total, note FROM orders WHERE total >= @minimum\")] public static partial "
            + returns + " LargeAsync(this NpgsqlConnection connection, decimal minimum); }";

    private const string FittingRow = "[PgRow] public partial record Order(long Id, string Customer, decimal Total, string? Note);";

    /// <summary>The file of a statement with no placeholder, or with one, <c>$1</c>, the numeric minimum.</summary>
    internal static AdditionalText Prepared(string sql, params DescribedColumn[] columns)
        => PreparedFiles.Prepared(sql, sql.Contains("$1", System.StringComparison.Ordinal) ? new[] { "numeric" } : System.Array.Empty<string>(), columns);

    private static Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(string source, params AdditionalText[] files)
        => PreparedFiles.DiagnosticsAsync(Analyzers, source, null, files);

    [Fact]
    public async Task Silent_when_the_project_has_no_prepared_statement()
    {
        var diagnostics = await DiagnosticsAsync(OrdersQuery(FittingRow), new InMemoryFile("/shop/appsettings.json", "{}"));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task A_statement_that_fits_its_file_gets_no_diagnostic()
    {
        var diagnostics = await DiagnosticsAsync(OrdersQuery(FittingRow), Prepared(OrdersSql, Id, Customer, Total, Note));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task PGB331_reports_a_statement_without_a_file_at_its_attribute_naming_the_file()
    {
        var otherSql = "SELECT 1";
        var source = OrdersQuery(FittingRow);

        var diagnostic = Assert.Single(await DiagnosticsAsync(source, Prepared(otherSql, Column("?column?", "integer", true))));

        Assert.Equal("PGB331", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Info, diagnostic.DefaultSeverity);
        Assert.StartsWith("PgQuery(", diagnostic.Location.SourceTree!.ToString().Substring(diagnostic.Location.SourceSpan.Start), System.StringComparison.Ordinal);
        Assert.Contains(".pgborrow/" + StatementFile.FileName(OrdersSql), diagnostic.GetMessage(), System.StringComparison.Ordinal);
        Assert.Contains("pgborrow prepare", diagnostic.GetMessage(), System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, DiagnosticSeverity.Info)]
    [InlineData("false", DiagnosticSeverity.Info)]
    [InlineData("always", DiagnosticSeverity.Info)]
    [InlineData("true", DiagnosticSeverity.Warning)]
    [InlineData(" Warning ", DiagnosticSeverity.Warning)]
    [InlineData("error", DiagnosticSeverity.Error)]
    public async Task PGB331_is_raised_by_the_PgBorrowRequirePrepared_build_property(string? property, DiagnosticSeverity expected)
    {
        // MSBuild hands <CompilerVisibleProperty> values to analyzers as global options named build_property.<name>.
        var options = new PreparedFiles.OptionsProvider(
            new Dictionary<string, string>(),
            property is null ? null : new Dictionary<string, string> { ["build_property.PgBorrowRequirePrepared"] = property });
        var damaged = new InMemoryFile("/shop/.pgborrow/" + StatementFile.FileName("SELECT 1"), "not json");
        var otherQuery = " public static partial class R { [PgQuery(\"SELECT 1\")] public static partial Task<int> OneAsync(this NpgsqlConnection connection); }";

        var diagnostics = await PreparedFiles.DiagnosticsAsync(Analyzers, OrdersQuery(FittingRow) + otherQuery, options, damaged);

        // Both kinds of PGB331: the orders statement has no file, and the file of SELECT 1 is damaged.
        Assert.Equal(2, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal(("PGB331", expected, DiagnosticSeverity.Info), (d.Id, d.Severity, d.DefaultSeverity)));
    }

    [Fact]
    public async Task PGB331_raised_by_the_build_property_leaves_the_other_rules_at_their_severity()
    {
        var options = new PreparedFiles.OptionsProvider(new Dictionary<string, string>(), new Dictionary<string, string> { ["build_property.PgBorrowRequirePrepared"] = "error" });

        var diagnostic = Assert.Single(await PreparedFiles.DiagnosticsAsync(Analyzers, OrdersQuery(FittingRow), options, Prepared(OrdersSql, Id, Customer, Total)));

        Assert.Equal(("PGB332", DiagnosticSeverity.Warning), (diagnostic.Id, diagnostic.Severity));
    }

    [Fact]
    public async Task PGB331_reports_a_file_whose_content_is_not_its_statement_and_a_damaged_file_without_throwing()
    {
        var edited = new InMemoryFile("/shop/.pgborrow/" + StatementFile.FileName(OrdersSql), "{\n  \"sql\": \"SELECT 2\",\n  \"parameters\": [],\n  \"columns\": []\n}\n");
        var damaged = new InMemoryFile("/shop/.pgborrow/" + StatementFile.FileName(OrdersSql), "{ \"sql\": \"SELECT id, customer");

        foreach (var file in new[] { edited, damaged })
        {
            var diagnostic = Assert.Single(await DiagnosticsAsync(OrdersQuery(FittingRow), file));
            Assert.Equal("PGB331", diagnostic.Id);
            Assert.Contains("is not the description of its statement", diagnostic.GetMessage(), System.StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("numeric,text")]
    public async Task PGB331_reports_a_file_with_another_count_of_parameter_types_than_the_statement_has_placeholders(string parameterTypes)
    {
        // The generator numbers @minimum as $1, and PostgreSQL describes exactly one parameter for it: prepare never writes these.
        var file = PreparedFiles.Prepared(OrdersSql, parameterTypes.Split(',', System.StringSplitOptions.RemoveEmptyEntries), Id, Customer, Total, Note);

        var diagnostic = Assert.Single(await DiagnosticsAsync(OrdersQuery(FittingRow), file));

        Assert.Equal("PGB331", diagnostic.Id);
        Assert.Contains("is not the description of its statement", diagnostic.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_statement_written_with_CRLF_line_ends_finds_the_file_prepared_from_LF()
    {
        var source = GeneratorHarness.TransactionUsings + FittingRow
            + " public static partial class Q { [PgQuery(\"\\r\\n  SELECT id, customer, total, note\\r\\n  FROM orders WHERE total >= @minimum\\r\\n\")] public static partial Task<List<Order>> LargeAsync(this NpgsqlConnection connection, decimal minimum); }";

        var diagnostics = await DiagnosticsAsync(source, Prepared("SELECT id, customer, total, note\n  FROM orders WHERE total >= $1", Id, Customer, Total, Note));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task PGB332_reports_a_member_without_a_column_naming_the_member_and_the_columns()
    {
        var diagnostic = Assert.Single(await DiagnosticsAsync(OrdersQuery(FittingRow), Prepared(OrdersSql, Id, Column("client", "text", false), Total, Note)));

        Assert.Equal("PGB332", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.DefaultSeverity);
        Assert.Equal("'LargeAsync': the statement returns no column 'customer' for 'Order.Customer' (string) (its columns are 'id', 'client', 'total', 'note'); add the column to the select list, or name it with [PgColumn]", diagnostic.GetMessage());
    }

    [Theory]
    [InlineData("numeric", "[PgRow] public partial record Order(long Id, string Customer, int Total, string? Note);", "the column 'total' is numeric, which is not read into 'Order.Total' (int): numeric is read into decimal or double")]
    [InlineData("text", "[PgRow] public partial record Order(long Id, string Customer, decimal Total, string? Note);", "the column 'total' is text, which is not read into 'Order.Total' (decimal): text is read into string or char")]
    [InlineData("numeric[]", "[PgRow] public partial record Order(long Id, string Customer, decimal Total, string? Note);", "an array column is read into an array or a List<T>")]
    [InlineData("integer[]", "[PgRow] public partial record Order(long Id, string Customer, string[] Total, string? Note);", "its elements: integer is read into int or long or decimal or double")]
    [InlineData("text", "public enum Mood { Happy } [PgRow] public partial record Order(long Id, string Customer, Mood Total, string? Note);", "the enum 'Mood' is read as its integer value, from smallint, integer or bigint")]
    [InlineData("integer", "[PgEnum] public enum Mood { Happy } [PgRow] public partial record Order(long Id, string Customer, Mood Total, string? Note);", "the [PgEnum] type 'Mood' reads the PostgreSQL enum 'mood' (or text)")]
    [InlineData("mood", "[PgRow] public partial record Order(long Id, string Customer, decimal Total, string? Note);", null)]
    [InlineData("mood", "public enum Mood { Happy } [PgRow] public partial record Order(long Id, string Customer, Mood Total, string? Note);", null)]
    [InlineData("text", "public sealed class Doc { } [PgRow] public partial record Order(long Id, string Customer, [property: PgJson] Doc Total, string? Note);", null)]
    [InlineData("integer", "public sealed class Doc { } [PgRow] public partial record Order(long Id, string Customer, [property: PgJson] Doc Total, string? Note);", "a [PgJson] member reads json, jsonb or text")]
    public async Task PGB332_reports_a_column_type_the_member_cannot_read(string totalType, string row, string? expected)
    {
        // A type the table does not list ('mood', maybe a domain over numeric or integer) is never a misfit.
        var diagnostics = await DiagnosticsAsync(OrdersQuery(row), Prepared(OrdersSql, Id, Customer, Column("total", totalType, false), Note));

        if (PreparedFiles.AssertReportedOnlyWhenExpected(diagnostics, "PGB332", expected) is { } message)
            Assert.EndsWith("; make the member's type one that reads it, or cast the column in the SQL", message, System.StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[PgRow] public partial record Order(long Id, string Customer, decimal Total, string Note);", "'Order.Note' (string)")]
    [InlineData("[PgRow] public partial record Order(long Id, string Customer, decimal Total, string? Note) { }", null)]
    [InlineData("#nullable disable\n[PgRow] public partial record Order(long Id, string Customer, decimal Total, string Note);\n#nullable enable", null)]
    public async Task PGB332_reports_a_nullable_column_into_a_non_nullable_reference_member_under_nullable_enable(string row, string? expected)
    {
        var diagnostics = await DiagnosticsAsync(OrdersQuery(row), Prepared(OrdersSql, Id, Customer, Total, Note));

        var message = PreparedFiles.AssertReportedOnlyWhenExpected(diagnostics, "PGB332", expected);

        if (message is not null)
            Assert.Equal($"'LargeAsync': the column 'note' (text) can be NULL, and {expected} cannot hold null; make the member nullable, or make the column NOT NULL (or coalesce it)", message);
    }

    [Fact]
    public async Task PGB332_reports_a_nullable_column_into_a_non_nullable_value_member_and_not_into_a_nullable_one()
    {
        var nullableId = Column("id", "bigint", nullable: true);

        var reported = Assert.Single(await DiagnosticsAsync(OrdersQuery(FittingRow), Prepared(OrdersSql, nullableId, Customer, Total, Note)));
        var silent = await DiagnosticsAsync(OrdersQuery("[PgRow] public partial record Order(long? Id, string Customer, decimal Total, string? Note);"), Prepared(OrdersSql, nullableId, Customer, Total, Note));

        Assert.Equal("PGB332", reported.Id);
        Assert.Contains("the column 'id' (bigint) can be NULL, and 'Order.Id' (long) cannot hold null", reported.GetMessage(), System.StringComparison.Ordinal);
        Assert.Empty(silent);
    }

    private static PreparedFiles.OptionsProvider Strict(string value)
        => new(new Dictionary<string, string> { [PreparedStatementAnalyzer.StrictOption] = value });

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("yes")]
    public async Task PGB332_does_not_report_an_extra_column_unless_strict_is_true(string? strict)
    {
        var file = Prepared(OrdersSql, Id, Customer, Total, Note, Column("placed_at", "timestamp with time zone", false));

        var diagnostics = await PreparedFiles.DiagnosticsAsync(Analyzers, OrdersQuery(FittingRow), strict is null ? null : Strict(strict), file);

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task PGB332_strict_reports_each_column_no_member_reads_and_nothing_when_every_column_is_read()
    {
        var extra = Prepared(OrdersSql, Id, Customer, Column("placed_at", "timestamp with time zone", false), Total, Note, Column("TOTAL", "numeric", false));

        var reported = await PreparedFiles.DiagnosticsAsync(Analyzers, OrdersQuery(FittingRow), Strict("True"), extra);
        var fitting = await PreparedFiles.DiagnosticsAsync(Analyzers, OrdersQuery(FittingRow), Strict("true"), Prepared(OrdersSql, Id, Customer, Total, Note));

        // 'total' is read by its exact name, so the second, 'TOTAL', is read by nobody.
        Assert.Equal(
            new[]
            {
                "'LargeAsync': the statement returns the column 'placed_at' (timestamp with time zone), which no member of 'Order' reads (strict); remove it from the select list, or add a member that reads it",
                "'LargeAsync': the statement returns the column 'TOTAL' (numeric), which no member of 'Order' reads (strict); remove it from the select list, or add a member that reads it",
            },
            reported.Select(d => d.GetMessage()));
        Assert.All(reported, d => Assert.Equal("PGB332", d.Id));
        Assert.Empty(fitting);
    }

    [Fact]
    public async Task PGB332_strict_counts_a_column_found_ignoring_case_as_read_and_one_only_an_ignored_member_names_as_not()
    {
        const string Row = "[PgRow] public partial class Order { public long Id { get; init; } public string Customer { get; init; } = \"\"; public decimal Total { get; init; } public string? Note { get; init; } [PgIgnore] public int Cached { get; set; } }";
        var file = Prepared(OrdersSql, Column("ID", "bigint", false), Customer, Total, Note, Column("cached", "integer", true));

        var diagnostic = Assert.Single(await PreparedFiles.DiagnosticsAsync(Analyzers, OrdersQuery(Row), Strict("true"), file));

        Assert.Contains("the column 'cached' (integer), which no member of 'Order' reads (strict)", diagnostic.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task PGB332_strict_does_not_apply_to_a_scalar_query()
    {
        var source = GeneratorHarness.TransactionUsings + "public static partial class Q { [PgQuery(\"SELECT count(*) FROM orders\")] public static partial Task<long> CountAsync(this NpgsqlConnection connection); }";

        var diagnostics = await PreparedFiles.DiagnosticsAsync(Analyzers, source, Strict("true"), Prepared("SELECT count(*) FROM orders", Column("count", "bigint", true)));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public async Task The_row_naming_rules_decide_the_column_a_member_reads()
    {
        // [PgColumn] renames, [PgIgnore] skips, snake_case maps CustomerName, and a column differing only in case is found.
        const string Row = "[PgRow] public partial class Order { public long Id { get; init; } [PgColumn(\"customer\")] public string Buyer { get; init; } = \"\"; public decimal Total { get; init; } public string? NoteText { get; init; } [PgIgnore] public int Cached { get; set; } }";
        var sql = OrdersSql;
        var source = OrdersQuery(Row);

        var fits = await DiagnosticsAsync(source, Prepared(sql, Column("ID", "bigint", false), Customer, Total, Column("note_text", "character varying(200)", true)));
        var missing = Assert.Single(await DiagnosticsAsync(source, Prepared(sql, Id, Customer, Total, Note)));

        Assert.Empty(fits);
        Assert.Contains("no column 'note_text' for 'Order.NoteText' (string?)", missing.GetMessage(), System.StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_documented_type_table_reads_each_listed_pair_without_a_diagnostic()
    {
        const string Row = """
            public sealed class Doc { public int A { get; set; } }
            [PgEnum("mood")] public enum Mood { Happy, Sad }
            [PgRow] public partial record Order(int I, long L, string T, string V, decimal N, bool B, DateTime Ts, DateTimeOffset Tz, Guid U, byte[] Bytes, [property: PgJson] Doc J, Mood M, int[] Ia, List<string> Ta, short S);
            """;
        var sql = "SELECT i, l, t, v, n, b, ts, tz, u, bytes, j, m, ia, ta, s FROM everything";
        var source = GeneratorHarness.TransactionUsings + "#nullable enable\n" + Row
            + " public static partial class Q { [PgQuery(\"" + sql + "\")] public static partial Task<Order> OneAsync(this NpgsqlConnection connection); }";
        var columns = new[]
        {
            Column("i", "integer", false), Column("l", "bigint", false), Column("t", "text", false), Column("v", "character varying(40)", false),
            Column("n", "numeric(12,2)", false), Column("b", "boolean", false), Column("ts", "timestamp without time zone", false),
            Column("tz", "timestamp with time zone", false), Column("u", "uuid", false), Column("bytes", "bytea", false),
            Column("j", "jsonb", false), Column("m", "public.mood", false), Column("ia", "integer[]", false), Column("ta", "text[]", false),
            Column("s", "smallint", false),
        };

        var diagnostics = await DiagnosticsAsync(source, Prepared(sql, columns));

        Assert.Empty(diagnostics);
    }

    [Theory]
    [InlineData("Task<long>", "SELECT count(*) FROM orders", null)]
    [InlineData("Task<long?>", "SELECT max(id) FROM orders", null)]
    [InlineData("Task<long>", "SELECT id, customer FROM orders", "it returns the scalar 'long', read from one column, and the statement returns 2 columns ('id', 'customer')")]
    [InlineData("Task<int>", "SELECT count(*) FROM orders", "the column 'count' is bigint, which is not read into the scalar 'int': bigint is read into long or decimal")]
    [InlineData("Task<List<string>>", "SELECT count(*) FROM orders", "the column 'count' is bigint, which is not read into the scalar 'string'")]
    public async Task PGB333_reports_a_scalar_query_with_several_columns_or_a_type_that_does_not_fit(string returns, string sql, string? expected)
    {
        var source = GeneratorHarness.TransactionUsings + "public static partial class Q { [PgQuery(\"" + sql + "\")] public static partial " + returns + " CountAsync(this NpgsqlConnection connection); }";
        var columns = sql.Contains("customer", System.StringComparison.Ordinal)
            ? new[] { Id, Customer }
            : new[] { Column(sql.Contains("max", System.StringComparison.Ordinal) ? "max" : "count", "bigint", nullable: true) };

        var diagnostics = await DiagnosticsAsync(source, Prepared(sql, columns));

        if (PreparedFiles.AssertReportedOnlyWhenExpected(diagnostics, "PGB333", expected) is { } message)
            Assert.Matches("; make the (statement return one column, or return a \\[PgRow\\] type|scalar a type that reads it, or cast the column in the SQL)$", message);
    }

    [Fact]
    public async Task A_method_the_generator_does_not_implement_and_a_statement_returning_no_rows_are_not_checked()
    {
        var source = GeneratorHarness.TransactionUsings
            + "public static partial class Q { [PgQuery(\"SELECT id FROM orders WHERE id = @missing\")] public static partial Task<long> OneAsync(this NpgsqlConnection connection);"
            + " [PgQuery(\"DELETE FROM orders\")] public static partial Task<int> ClearAsync(this NpgsqlConnection connection); }";

        var diagnostics = await DiagnosticsAsync(source, Prepared("DELETE FROM orders"));

        Assert.Empty(diagnostics);
    }

    [Fact]
    public void The_analyzer_hash_is_the_SHA256_of_the_normalised_text_and_the_reader_reads_what_the_tool_writes()
    {
        const string Sql = "\r\nSELECT 'é \"quoted\" \\ <tag>' AS \"odd\tname\", $1::text AS v\r\n";
        var bytes = StatementFile.Write(new StatementDescription(Sql, new[] { "text" }, new[] { new DescribedColumn("odd\tname", "text", 0, null, 0, true), Column("v", "text", false) }, null));

        var read = PreparedStatement.Parse(Encoding.UTF8.GetString(bytes));

        Assert.Equal(System.Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.Trim()))), PreparedStatementName.Hash(Sql));
        Assert.NotNull(read);
        Assert.Equal(Sql.Trim(), read!.Sql);
        Assert.Equal(new[] { "text" }, read.Parameters);
        Assert.Equal(new[] { new PreparedColumn("odd\tname", "text", true), new PreparedColumn("v", "text", false) }, read.Columns);
        Assert.Null(PreparedStatement.Parse("[1, 2]"));
        Assert.Null(PreparedStatement.Parse("{\"sql\": \"x\"} trailing"));
    }

    /// <summary>No diagnostic when <paramref name="expected"/> is null; otherwise exactly one of the rule, whose message contains it (returned).</summary>
    internal static string? AssertReportedOnlyWhenExpected(ImmutableArray<Diagnostic> diagnostics, string id, string? expected)
        => PreparedFiles.AssertReportedOnlyWhenExpected(diagnostics, id, expected);
}
