using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb201 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SqlBuiltFromNonConstantTextAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class SqlBuiltFromNonConstantTextTests
{
    [Fact]
    public Task Interpolated_string_hole_is_reported_with_the_sink_and_the_piece()
        => VerifyPgb201.AnalyzerAsync("""
            class Customers
            {
                NpgsqlCommand Find(NpgsqlConnection conn, string name)
                    => new NpgsqlCommand($"SELECT * FROM customers WHERE name = '{{|#0:name|}}'", conn);
            }
            """,
            new DiagnosticResult("PGB201", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("new NpgsqlCommand", "name", "pass the value as a parameter ($n) instead"));

    [Fact]
    public Task Concatenation_format_concat_and_command_text_are_reported()
        => VerifyPgb201.AnalyzerAsync("""
            class Customers
            {
                void Run(NpgsqlConnection conn, NpgsqlDataSource dataSource, string name, string order)
                {
                    using var a = new NpgsqlCommand("SELECT * FROM customers WHERE name = '" + {|PGB201:name|} + "'", conn);
                    using var b = conn.CreateCommand();
                    b.CommandText = string.Format("SELECT * FROM customers WHERE name = '{0}' ORDER BY id", {|PGB201:name|});
                    using var c = dataSource.CreateCommand(string.Concat("DELETE FROM customers WHERE name = '", {|PGB201:name|}, "'"));
                }
            }
            """);

    [Fact]
    public Task Text_built_in_a_local_and_a_string_builder_is_reported()
        => VerifyPgb201.AnalyzerAsync("""
            class Customers
            {
                void Run(NpgsqlConnection conn, string name, string column)
                {
                    var sql = "SELECT * FROM customers";
                    if (name.Length > 0)
                        sql += " WHERE name = '" + {|PGB201:name|} + "'";
                    using var a = new NpgsqlCommand(sql, conn);

                    var builder = new System.Text.StringBuilder("SELECT * FROM customers WHERE ");
                    builder.Append("city = ").Append({|PGB201:column|});
                    using var b = new NpgsqlCommand(builder.ToString(), conn);
                }
            }
            """);

    [Fact]
    public Task Dapper_sql_argument_is_a_sink()
        => VerifyPgb201.AnalyzerAsync("""
            using Dapper;

            class Customers
            {
                Task<int> Rename(NpgsqlConnection conn, string from, string to)
                    => conn.ExecuteAsync($"UPDATE customers SET name = @to WHERE name = '{{|PGB201:from|}}'", new { to });
            }
            """);

    [Fact]
    public Task With_Dapper_and_PgBorrow_imported_only_the_call_that_binds_to_Dapper_splices_the_hole()
        => VerifyPgb201.AnalyzerAsync("""
            using Dapper;

            sealed class CustomerDto { public long Id { get; set; } }

            class Customers
            {
                async Task Run(NpgsqlConnection conn, string name, CancellationToken ct)
                {
                    // CustomerDto is not a [PgRow] type: Dapper's QueryAsync, which takes the text as it is.
                    await conn.QueryAsync<CustomerDto>($"SELECT id FROM customers WHERE name = '{{|PGB201:name|}}'");
                    // A hole and a token: PgBorrow's ExecuteAsync, where the hole is a parameter.
                    await conn.ExecuteAsync($"DELETE FROM customers WHERE name = {name}", ct);
                }
            }
            """);

    [Fact]
    public Task Constants_nameof_safe_types_and_parameters_are_fine()
        => VerifyPgb201.AnalyzerAsync(""""
            enum Status { Open, Closed }

            class Customers
            {
                const string Table = "customers";
                static readonly string Schema = "public";

                void Run(NpgsqlConnection conn, int limit, Guid id, DateTime since, Status status, decimal min, bool active, string sqlFromCaller)
                {
                    using var a = new NpgsqlCommand($"SELECT * FROM {Table} WHERE id = $1 LIMIT {limit}", conn);
                    using var b = new NpgsqlCommand($"SELECT * FROM {Schema}.{nameof(Customers)} WHERE created > '{since:O}' AND status = {(int)status} AND id <> '{id}'", conn);
                    using var c = new NpgsqlCommand("SELECT * FROM customers WHERE balance > " + min + " AND active = " + active, conn);
                    using var d = new NpgsqlCommand(sqlFromCaller, conn);
                    var raw = """
                        SELECT *
                        FROM customers
                        WHERE id = $1
                        """;
                    using var e = new NpgsqlCommand(raw, conn);
                    using var f = new NpgsqlCommand(status == Status.Open ? "SELECT 1" : "SELECT 2", conn);
                }
            }
            """");

    [Fact]
    public Task Additional_sinks_come_from_editorconfig()
        => VerifyPgb201.AnalyzerAsync("""
            static class Db
            {
                public static int Run(NpgsqlConnection conn, string sql) => 0;
            }

            class Customers
            {
                int Delete(NpgsqlConnection conn, string name) => Db.Run(conn, "DELETE FROM customers WHERE name = '" + {|PGB201:name|} + "'");
            }
            """,
            "dotnet_code_quality.PGB201.additional_sinks = Db.Run");

    [Fact]
    public Task Appending_a_bare_variable_is_reported_and_constant_switch_arms_are_fine()
        => VerifyPgb201.AnalyzerAsync("""
            class Customers
            {
                void Run(NpgsqlConnection conn, string filter, int sort)
                {
                    var sql = "SELECT * FROM customers WHERE ";
                    sql += {|PGB201:filter|};
                    using var a = new NpgsqlCommand(sql, conn);

                    var order = sort switch { 0 => "name", 1 => "created", _ => "id" };
                    using var b = new NpgsqlCommand("SELECT * FROM customers ORDER BY " + order, conn);
                }
            }
            """);

    [Fact]
    public Task PgBorrow_query_api_accepts_interpolation_and_constants_but_no_other_string()
        => VerifyPgb201.AnalyzerAsync("""
            class Customers
            {
                const string Count = "SELECT count(*) FROM customers";

                async Task Run(NpgsqlConnection conn, string name, string sqlFromCaller, CancellationToken ct)
                {
                    await conn.ExecuteAsync($"DELETE FROM customers WHERE name = {name}", ct);
                    await conn.ExecuteScalarAsync<long>(Count, ct);
                    await conn.ExecuteAsync({|PGB201:sqlFromCaller|}, ct);
                    await conn.ExecuteAsync("DELETE FROM customers WHERE name = '" + {|PGB201:name|} + "'", ct);
                    // The connection overloads that take constant SQL as a string (beside Dapper's).
                    await conn.ExecuteAsync(Count, PgQueryOptions.Prepared, ct);
                    await conn.ExecuteAsync({|PGB201:sqlFromCaller|}, PgQueryOptions.Prepared, ct);
                    await conn.ExecuteScalarAsync<long>("SELECT count(*) FROM customers WHERE name = '" + {|PGB201:name|} + "'", PgQueryOptions.Prepared, ct);
                }
            }
            """);

    [Fact]
    public Task Identifiers_are_not_values_whatever_their_source()
        => VerifyPgb201.AnalyzerAsync("""
            sealed class StorageOptions { public string Schema { get; set; } = "app"; }

            class Jobs(StorageOptions options)
            {
                static string Table() => Environment.GetEnvironmentVariable("JOBS_TABLE") ?? "job";

                void Run(NpgsqlConnection conn, string schema, string column, long id)
                {
                    using var a = new NpgsqlCommand($@"UPDATE ""{options.Schema}"".""job"" SET expireat = NULL WHERE id = {id}", conn);
                    using var b = new NpgsqlCommand($"SELECT count(*) FROM {schema}.{Table()}", conn);
                    using var c = new NpgsqlCommand("INSERT INTO " + Table() + " (" + column + ") VALUES ($1)", conn);
                    using var d = new NpgsqlCommand($"CREATE INDEX IF NOT EXISTS ix ON {schema}.job ({column})", conn);
                }
            }
            """);

    [Fact]
    public Task Value_from_configuration_is_still_a_value()
        => VerifyPgb201.AnalyzerAsync("""
            sealed class StorageOptions { public string Schema { get; set; } = "app"; }

            class Jobs(StorageOptions options)
            {
                void Run(NpgsqlConnection conn)
                {
                    using var a = new NpgsqlCommand($"SELECT 1 FROM information_schema.tables WHERE table_schema = '{{|PGB201:options.Schema|}}'", conn);
                }
            }
            """);

    [Fact]
    public Task Environment_new_line_and_number_to_string_are_constants()
        => VerifyPgb201.AnalyzerAsync("""
            using System.Linq;

            enum Kind { A, B }

            class Index
            {
                void Insert(NpgsqlCommand command, IReadOnlyList<string> names, int count, Kind kind)
                {
                    var inserts = names.Select(p => "INSERT INTO idx (key, value) VALUES (@key, " + p + ")");
                    command.CommandText = string.Join(";" + Environment.NewLine, inserts);
                    command.CommandText = "SELECT * FROM t WHERE n = " + count.ToString() + " AND k = '" + kind.ToString() + "'";
                }
            }
            """);

    [Fact]
    public Task Value_escaped_by_a_function_that_doubles_quotes_is_fine_and_other_helpers_are_not()
        => VerifyPgb201.AnalyzerAsync("""
            static class Sql
            {
                public static string Literal(string text) => text.Replace("'", "''");
                public static string Trimmed(string text) => text.Trim();
            }

            class Sequences
            {
                void Advance(NpgsqlConnection conn, string sequence, string name)
                {
                    using var a = new NpgsqlCommand($"SELECT setval('{Sql.Literal(sequence)}', 1)", conn);
                    using var b = new NpgsqlCommand($"SELECT * FROM t WHERE name = '{{|PGB201:Sql.Trimmed(name)|}}'", conn);
                }
            }
            """);

    [Fact]
    public Task Fragment_from_configuration_is_fine_and_from_the_caller_is_reported()
        => VerifyPgb201.AnalyzerAsync("""
            class Reports
            {
                string Columns => "id, name";

                void Run(NpgsqlConnection conn, string where)
                {
                    using var a = new NpgsqlCommand($"SELECT {Columns} FROM t", conn);
                    using var b = new NpgsqlCommand($"SELECT * FROM t WHERE {{|PGB201:where|}}", conn);
                }
            }
            """);

    [Fact]
    public Task Code_fix_leaves_identifiers_in_place_and_parameterizes_the_values()
        => Infrastructure.Verify<PgBorrow.Analyzers.Rules.SqlBuiltFromNonConstantTextAnalyzer>.CodeFixAsync<PgBorrow.CodeFixes.ParameterizeSqlCodeFix>("""
            sealed class StorageOptions { public string Schema { get; set; } = "app"; }

            class Jobs(StorageOptions options)
            {
                void Run(NpgsqlConnection conn, string name)
                {
                    using var cmd = new NpgsqlCommand($"SELECT * FROM {options.Schema}.job WHERE name = '{{|PGB201:name|}}'", conn);
                }
            }
            """, """
            sealed class StorageOptions { public string Schema { get; set; } = "app"; }

            class Jobs(StorageOptions options)
            {
                void Run(NpgsqlConnection conn, string name)
                {
                    using var cmd = new NpgsqlCommand($"SELECT * FROM {options.Schema}.job WHERE name = $1", conn);
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                }
            }
            """);

    [Fact]
    public Task Ado_net_abstractions_are_sinks_too()
        => VerifyPgb201.AnalyzerAsync("""
            class Sagas
            {
                void Find(DbConnection connection, IDbConnection legacy, string correlation)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = string.Format("SELECT data FROM saga WHERE correlation = '{0}'", {|PGB201:correlation|});
                    using var other = legacy.CreateCommand();
                    other.CommandText = "DELETE FROM saga WHERE correlation = '" + {|PGB201:correlation|} + "'";
                    var batch = new NpgsqlBatch();
                    DbBatchCommand part = batch.CreateBatchCommand();
                    part.CommandText = $"SELECT 1 FROM saga WHERE id = '{{|PGB201:correlation|}}'";
                }
            }
            """);

    [Fact]
    public Task Dialect_quoting_methods_behind_an_interface_are_quoting_functions()
        => VerifyPgb201.AnalyzerAsync("""
            interface ISqlDialect
            {
                string QuoteForColumnName(string name);
                string QuoteForTableName(string name, string schema);
                string Normalize(string name);
            }

            class Ids(ISqlDialect dialect)
            {
                void Max(DbConnection connection, string table, string schema, string name)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = "SELECT MAX(" + dialect.QuoteForColumnName("Id") + ") FROM " + dialect.QuoteForTableName(table, schema);
                    command.CommandText = "SELECT id FROM t WHERE name = '" + {|PGB201:dialect.Normalize(name)|} + "'";
                }
            }
            """);

    [Fact]
    public Task String_builder_interpolated_appends_are_read_piece_by_piece()
        => VerifyPgb201.AnalyzerAsync("""
            class Merge(string trackingTable)
            {
                void Build(NpgsqlCommand command, string scope)
                {
                    var sb = new System.Text.StringBuilder();
                    sb.AppendLine($"MERGE INTO {trackingTable} AS base");
                    sb.AppendLine($"USING (SELECT 1) AS changes ON base.scope = '{{|PGB201:scope|}}'");
                    command.CommandText = sb.ToString();
                }
            }
            """);

    [Fact]
    public Task Literal_list_passed_down_a_chain_of_private_helpers_is_constant()
        => VerifyPgb201.AnalyzerAsync("""
            static class Model
            {
                public static void Create(NpgsqlConnection connection, bool cockroach, string extra)
                {
                    var internalSchemas = "'pg_catalog', 'information_schema'";
                    if (cockroach)
                        internalSchemas += ", 'crdb_internal'";
                    GetTables(connection, internalSchemas);
                    Other(connection, extra);
                }

                static void GetTables(NpgsqlConnection connection, string internalSchemas) => GetColumns(connection, internalSchemas);

                static void GetColumns(NpgsqlConnection connection, string internalSchemas)
                {
                    using var cmd = new NpgsqlCommand($"SELECT attname FROM pg_attribute a JOIN pg_namespace n ON n.nspname NOT IN ({internalSchemas})", connection);
                }

                static void Other(NpgsqlConnection connection, string schemas)
                {
                    using var cmd = new NpgsqlCommand($"SELECT 1 FROM pg_namespace WHERE nspname IN ({{|PGB201:schemas|}})", connection);
                }
            }
            """);

    [Fact]
    public Task Fragment_a_private_helper_receives_from_a_computing_caller_is_the_programs_own()
        => VerifyPgb201.AnalyzerAsync("""
            static class Scaffold
            {
                public static void Create(NpgsqlConnection connection, string[] tables, string where)
                {
                    var filter = BuildFilter(tables);
                    GetTables(connection, filter);
                    GetTables(connection, where);
                }

                static string BuildFilter(string[] tables) => tables.Length == 0 ? "" : "AND relname = ANY($1)";

                static void GetTables(NpgsqlConnection connection, string tableFilter)
                {
                    using var cmd = new NpgsqlCommand($"SELECT relname FROM pg_class WHERE relkind = 'r' {{|PGB201:tableFilter|}} ORDER BY 1", connection);
                }

                public static void Columns(NpgsqlConnection connection, string[] tables)
                    => GetColumns(connection, BuildFilter(tables));

                static void GetColumns(NpgsqlConnection connection, string tableFilter)
                {
                    using var cmd = new NpgsqlCommand($"SELECT attname FROM pg_attribute WHERE attnum > 0 {tableFilter}", connection);
                }
            }
            """);

    [Fact]
    public Task Default_expression_and_values_built_in_another_string_builder_are_read_in_place()
        => VerifyPgb201.AnalyzerAsync("""
            sealed class Column { public string DefaultValue { get; set; } = ""; public string Name { get; set; } = ""; }

            static class Ddl
            {
                public static void Add(NpgsqlCommand command, Column column, string[] names, string value)
                {
                    command.CommandText = $"ALTER TABLE t ADD COLUMN c text DEFAULT {column.DefaultValue}";
                    var values = new System.Text.StringBuilder();
                    var separator = "";
                    foreach (var name in names)
                    {
                        values.Append(string.Concat(separator, $"changes.{name}"));
                        separator = ", ";
                    }
                    values.Append(", '").Append({|PGB201:value|}).Append("'");
                    command.CommandText = $"INSERT INTO t VALUES ({values})";
                }
            }
            """);
}
