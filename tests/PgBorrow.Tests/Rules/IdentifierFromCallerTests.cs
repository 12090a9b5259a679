using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using PgBorrow.Analyzers.Sql;
using Xunit;
using VerifyPgb203 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.IdentifierFromCallerAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class IdentifierFromCallerTests
{
    [Fact]
    public Task Caller_string_in_identifier_position_is_reported_as_information()
        => VerifyPgb203.AnalyzerAsync("""
            class Reports
            {
                void Run(NpgsqlConnection conn, string order, string table)
                {
                    using var a = new NpgsqlCommand(string.Format("SELECT * FROM customers ORDER BY {0}", {|#0:order|}), conn);
                    var sql = $"SELECT count(*) FROM {{|#1:table|}}";
                    using var b = new NpgsqlCommand(sql, conn);
                }
            }
            """,
            new DiagnosticResult("PGB203", DiagnosticSeverity.Info).WithLocation(0).WithArguments("new NpgsqlCommand", "order"),
            new DiagnosticResult("PGB203", DiagnosticSeverity.Info).WithLocation(1).WithArguments("new NpgsqlCommand", "table"));

    [Fact]
    public Task Identifiers_from_configuration_are_trusted()
        => VerifyPgb203.AnalyzerAsync(""""
            sealed class StorageOptions { public string Schema { get; set; } = "app"; }

            class Jobs(StorageOptions options)
            {
                readonly string _table = "job";
                const string Prefix = "app_";
                static string SchemaFromEnvironment() => Environment.GetEnvironmentVariable("SCHEMA") ?? "app";

                void Run(NpgsqlConnection conn, long id)
                {
                    using var a = new NpgsqlCommand($@"UPDATE ""{options.Schema}"".""{_table}"" SET expireat = NULL WHERE id = {id}", conn);
                    using var b = new NpgsqlCommand($"SELECT count(*) FROM {SchemaFromEnvironment()}.{Prefix}counter", conn);
                }
            }
            """");

    [Fact]
    public Task Identifier_quoted_by_npgsql_or_by_a_function_that_doubles_double_quotes_is_fine()
        => VerifyPgb203.AnalyzerAsync("""
            static class Names
            {
                public static string Quote(string name) => "\"" + name.Replace("\"", "\"\"") + "\"";
            }

            class Jobs
            {
                void Run(NpgsqlConnection conn, string schema, string table)
                {
                    using var a = new NpgsqlCommand($"SELECT * FROM {Names.Quote(schema)}.{Names.Quote(table)}", conn);
                    using var b = new NpgsqlCommand($"TRUNCATE {new NpgsqlCommandBuilder().QuoteIdentifier(table)}", conn);
                }
            }
            """);

    [Fact]
    public Task Values_are_not_identifiers()
        => VerifyPgb203.AnalyzerAsync("""
            class Jobs
            {
                void Run(NpgsqlConnection conn, string name)
                {
                    using var a = new NpgsqlCommand($"SELECT * FROM job WHERE name = '{name}'", conn);
                }
            }
            """);

    [Fact]
    public Task Raised_to_warning_in_editorconfig()
        => VerifyPgb203.AnalyzerAsync("""
            class Jobs
            {
                void Run(NpgsqlConnection conn, string table)
                    => conn.CreateCommand().CommandText = "DROP TABLE " + {|#0:table|};
            }
            """,
            "dotnet_diagnostic.PGB203.severity = warning",
            new DiagnosticResult("PGB203", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("CommandText", "table"));

    [Theory]
    [InlineData("SELECT * FROM t WHERE name = '", "'", "Value")]
    [InlineData("SELECT * FROM t WHERE id = ", "", "Value")]
    [InlineData("SELECT * FROM t WHERE id IN (", ")", "Value")]
    [InlineData("INSERT INTO t (a, b) VALUES ($1, ", ")", "Value")]
    [InlineData("SELECT pg_advisory_lock(", ")", "Fragment")]
    [InlineData("SELECT MAX(", ") FROM t", "Fragment")]
    [InlineData("SELECT * FROM t LIMIT ", "", "Value")]
    [InlineData("SELECT * FROM t WHERE note LIKE '%", "%'", "Value")]
    [InlineData("SELECT $tag$ ", " $tag$", "Value")]
    [InlineData("DO $$ BEGIN DELETE FROM ", "; END $$", "Identifier")]
    [InlineData("CREATE FUNCTION f() RETURNS void AS $BODY$ UPDATE t SET a = '", "'; $BODY$ LANGUAGE sql", "Value")]
    [InlineData("SELECT * FROM \"", "\".\"job\"", "Identifier")]
    [InlineData("SELECT * FROM ", " WHERE id = 1", "Identifier")]
    [InlineData("SELECT * FROM ", ".job", "Identifier")]
    [InlineData("SELECT * FROM app.", "", "Identifier")]
    [InlineData("UPDATE ", " SET x = 1", "Identifier")]
    [InlineData("INSERT INTO ", " (a) VALUES (1)", "Identifier")]
    [InlineData("INSERT INTO t (", ") VALUES (1)", "Identifier")]
    [InlineData("CREATE TABLE IF NOT EXISTS ", " (id int)", "Identifier")]
    [InlineData("CREATE INDEX ix ON ", " (id)", "Identifier")]
    [InlineData("SELECT * FROM t ORDER BY ", "", "Identifier")]
    [InlineData("LISTEN ", "", "Identifier")]
    [InlineData("SET search_path TO ", "", "Identifier")]
    [InlineData("SELECT * FROM t WHERE ", "", "Fragment")]
    [InlineData("SELECT ", " FROM t", "Fragment")]
    [InlineData("", "", "Fragment")]
    [InlineData("SELECT 'it''s' AS a, -- a comment with a quote '\nb FROM ", "", "Identifier")]
    public void Position_is_read_from_the_text_around_the_hole(string before, string after, string expected)
        => Assert.Equal(expected, SqlHolePositions.Classify(before, after).ToString());

    // Opt-in (community-extensions-cache-postgres f9e5df6, Dapper.Contrib 87bdbcf): names the program configures,
    // spliced in unquoted, fold to lower case and break on reserved words.
    const string ConfiguredNames = """
        sealed class CacheOptions { public string SchemaName { get; set; } = "Cache"; public string TableName { get; set; } = "Entries"; }

        class DatabaseOperations
        {
            readonly CacheOptions _options;
            readonly string _fixedTable = "entries";

            public DatabaseOperations(CacheOptions options) => _options = options;

            string SchemaName => _options.SchemaName;
            string QuotedTableName => "\"" + _options.TableName.Replace("\"", "\"\"") + "\"";

            void Create(NpgsqlConnection conn)
            {
                using var a = new NpgsqlCommand($"CREATE TABLE IF NOT EXISTS [[SCHEMA]].entries (id text)", conn);
                using var b = new NpgsqlCommand($"SELECT * FROM \"{NpgsqlCommandBuilderQuote(SchemaName)}\".entries", conn);
                using var c = new NpgsqlCommand($"SELECT * FROM {_fixedTable}", conn);
                using var d = new NpgsqlCommand($"SELECT id FROM entries WHERE name = $1", conn);
                using var e = new NpgsqlCommand($"SELECT * FROM {QuotedTableName}", conn);
            }

            static string NpgsqlCommandBuilderQuote(string name) => name.Replace("\"", "\"\"");
        }
        """;

    [Fact]
    public Task Configured_names_unquoted_are_reported_only_when_the_option_asks()
        => Task.WhenAll(
            VerifyPgb203.AnalyzerAsync(ConfiguredNames.Replace("[[SCHEMA]]", "{{|#0:SchemaName|}}"), "dotnet_code_quality.PGB203.configured_names = true",
                new DiagnosticResult(Analyzers.Rules.IdentifierFromCallerAnalyzer.ConfiguredNameDescriptor).WithLocation(0).WithArguments("new NpgsqlCommand", "SchemaName")),
            VerifyPgb203.AnalyzerAsync(ConfiguredNames.Replace("[[SCHEMA]]", "{SchemaName}")),
            VerifyPgb203.AnalyzerAsync(ConfiguredNames.Replace("[[SCHEMA]]", "{SchemaName}"), "dotnet_code_quality.PGB203.configured_names = false"));

    // Opt-in (Serilog.Sinks.Postgresql.Alternative 8c66cb6): the table name the sink's constructor keeps in a
    // readonly field, interpolated unquoted into the COPY and INSERT text a helper builds.
    const string ReadonlyConfiguredName = """
        class PostgreSqlSink
        {
            readonly string tableName;
            readonly string quotedTableName;

            public PostgreSqlSink(string tableName)
            {
                this.tableName = tableName;
                quotedTableName = "\"" + tableName.Replace("\"", "\"\"") + "\"";
            }

            string GetCopyCommand() => $"COPY [[TABLE]](message, level) FROM STDIN BINARY;";
            string GetQuotedInsert() => $"INSERT INTO {quotedTableName}(message) VALUES ($1)";
            string GetValueInsert() => $"INSERT INTO logs(message) VALUES ('{tableName}')";

            void Write(NpgsqlConnection conn)
            {
                using var importer = conn.BeginBinaryImport(GetCopyCommand());
                using var insert = new NpgsqlCommand(GetQuotedInsert(), conn);
                using var value = new NpgsqlCommand(GetValueInsert(), conn);
            }
        }
        """;

    [Fact]
    public Task Readonly_configured_name_is_reported_only_when_the_option_asks()
        => Task.WhenAll(
            VerifyPgb203.AnalyzerAsync(ReadonlyConfiguredName.Replace("[[TABLE]]", "{this.tableName}").Replace("GetCopyCommand())", "{|#0:GetCopyCommand()|})"),
                "dotnet_code_quality.PGB203.configured_names = true",
                new DiagnosticResult(Analyzers.Rules.IdentifierFromCallerAnalyzer.ConfiguredNameDescriptor).WithLocation(0).WithArguments("BeginBinaryImport", "this.tableName, assembled in PostgreSqlSink.GetCopyCommand")),
            VerifyPgb203.AnalyzerAsync(ReadonlyConfiguredName.Replace("[[TABLE]]", "{this.tableName}")));

    [Fact]
    public Task Caller_table_name_in_a_COPY_statement_is_reported()
        => VerifyPgb203.AnalyzerAsync("""
            class Import
            {
                async Task CopyAsync(NpgsqlConnection conn, string table, CancellationToken ct)
                {
                    await using var importer = await conn.BeginBinaryImportAsync($"COPY {{|#0:table|}} (id) FROM STDIN (FORMAT BINARY)", ct);
                    using var reader = conn.BeginTextExport($"COPY {{|#1:table|}} TO STDOUT");
                    using var quoted = conn.BeginTextExport($"COPY \"{table.Replace("\"", "\"\"")}\" TO STDOUT");
                }
            }
            """,
            new DiagnosticResult("PGB203", DiagnosticSeverity.Info).WithLocation(0).WithArguments("BeginBinaryImportAsync", "table"),
            new DiagnosticResult("PGB203", DiagnosticSeverity.Info).WithLocation(1).WithArguments("BeginTextExport", "table"));

    // Serilog.Sinks.Postgresql.Alternative at 8c66cb6 (the fix): quotes stripped in the constructor, the name appended
    // between '"' by a StringBuilder. It keeps its case: nothing for the configured-names option to report.
    [Fact]
    public Task Readonly_configured_name_between_double_quotes_is_not_reported()
        => VerifyPgb203.AnalyzerAsync("""
            class PostgreSqlSink
            {
                readonly string tableName;

                public PostgreSqlSink(string tableName) => this.tableName = tableName.Replace("\"", string.Empty);

                string[] ColumnNames() => new[] { "message" };

                string GetCopyCommand()
                {
                    var columns = "\"" + string.Join("\", \"", this.ColumnNames()) + "\"";
                    var builder = new System.Text.StringBuilder();
                    builder.Append("COPY ");
                    builder.Append("\"");
                    builder.Append(this.tableName);
                    builder.Append("\"(");
                    builder.Append(columns);
                    builder.Append(") FROM STDIN BINARY;");
                    return builder.ToString();
                }

                void Write(NpgsqlConnection conn)
                {
                    using var importer = conn.BeginBinaryImport(GetCopyCommand());
                }
            }
            """, "dotnet_code_quality.PGB203.configured_names = true");

    [Fact]
    public Task Readonly_configured_text_in_a_value_position_stays_trusted_by_PGB201()
        => Infrastructure.Verify<Analyzers.Rules.SqlBuiltFromNonConstantTextAnalyzer>.AnalyzerAsync(ReadonlyConfiguredName.Replace("[[TABLE]]", "{this.tableName}"));
}
