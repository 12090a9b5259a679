using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;
using VerifyPgb201 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SqlBuiltFromNonConstantTextAnalyzer>;
using VerifyPgb203 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.IdentifierFromCallerAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>PGB201 and PGB203 on SQL text assembled in one member (a method, a field, a property) and run in another.</summary>
public class SqlAcrossMembersTests
{
    const string PassAsParameter = "pass the value as a parameter ($n) instead";

    /// <summary>A fragment from the caller may be a value or a name: the message gives the remedy for both.</summary>
    const string ValueOrName = "pass a value as a parameter ($n); a table or column name cannot be a parameter: check it against an allow-list of constants, or quote it with NpgsqlCommandBuilder.QuoteIdentifier";

    static DiagnosticResult Pgb201(int location, string sink, string member, string from, string remedy = PassAsParameter)
        => new DiagnosticResult(SqlBuiltFromNonConstantTextAnalyzer.AssembledElsewhereDescriptor).WithLocation(location).WithArguments(sink, member, from, remedy);

    static DiagnosticResult Pgb203(int location, string sink, string member, string from)
        => new DiagnosticResult(IdentifierFromCallerAnalyzer.AssembledElsewhereDescriptor).WithLocation(location).WithArguments(sink, member, from);

    [Fact]
    public Task Value_from_a_callers_argument_in_a_method_that_returns_the_text_is_reported_at_the_sink()
        => VerifyPgb201.AnalyzerAsync("""
            public class OrderQueries
            {
                public static string BuildQuery(string name) => $"SELECT * FROM orders WHERE customer = '{name}'";

                public NpgsqlCommand Find(NpgsqlConnection conn, string name)
                    => new NpgsqlCommand({|#0:BuildQuery(name)|}, conn);
            }
            """,
            Pgb201(0, "new NpgsqlCommand", "OrderQueries.BuildQuery", "its parameter 'name', a caller's argument"));

    [Fact]
    public Task Fragment_from_the_caller_through_a_local_and_two_methods_is_reported()
        => VerifyPgb201.AnalyzerAsync("""
            public class OrderQueries
            {
                static string Where(string filter)
                {
                    var sql = "SELECT * FROM orders WHERE ";
                    sql += filter;
                    return sql;
                }

                static string GetSql(string filter) => Where(filter);

                public NpgsqlCommand Find(NpgsqlDataSource dataSource, string filter)
                {
                    var sql = {|#0:GetSql(filter)|};
                    return dataSource.CreateCommand(sql);
                }
            }
            """,
            Pgb201(0, "CreateCommand", "OrderQueries.Where", "its parameter 'filter', a caller's argument", ValueOrName));

    [Fact]
    public Task Field_and_property_assembled_from_a_value_are_reported_where_the_text_runs()
        => VerifyPgb201.AnalyzerAsync("""
            public sealed class TenantOptions { public string Tenant { get; set; } = "main"; }

            public class Orders
            {
                string _selectSql = "SELECT * FROM orders";
                readonly string _tenantSql;

                readonly string _regionSql;

                public Orders(TenantOptions options)
                    => _tenantSql = $"SELECT * FROM orders WHERE tenant = '{options.Tenant}'";

                public Orders(string region)
                    => _regionSql = $"SELECT * FROM orders WHERE region = '{region}'";

                public void Filter(string customer)
                    => _selectSql = "SELECT * FROM orders WHERE customer = '" + customer + "'";

                string CountSql => "SELECT count(*) FROM orders WHERE region = '" + Region + "'";

                public string Region { get; set; } = "eu";

                public void Run(NpgsqlConnection conn)
                {
                    using var a = conn.CreateCommand();
                    a.CommandText = {|#0:_selectSql|};
                    using var b = new NpgsqlCommand({|#1:_tenantSql|}, conn);
                    using var c = new NpgsqlCommand({|#2:CountSql|}, conn);
                    using var d = new NpgsqlCommand({|#3:_regionSql|}, conn);
                }
            }
            """,
            Pgb201(0, "CommandText", "Orders._selectSql", "its parameter 'customer', a caller's argument"),
            Pgb201(1, "new NpgsqlCommand", "Orders._tenantSql", "'options.Tenant', configuration"),
            Pgb201(2, "new NpgsqlCommand", "Orders.CountSql", "'Region'"),
            Pgb201(3, "new NpgsqlCommand", "Orders._regionSql", "its constructor's parameter 'region', the constructing code's choice"));

    [Fact]
    public Task A_database_value_and_a_passed_local_are_named_as_such()
        => VerifyPgb201.AnalyzerAsync("""
            public class Copies
            {
                static string ByName(string name) => $"SELECT * FROM orders WHERE name = '{name}'";
                static string Latest(DbDataReader reader) => $"SELECT * FROM orders WHERE name = '{reader.GetString(0)}'";

                public void Run(NpgsqlConnection conn, DbDataReader reader)
                {
                    var label = reader.GetString(1);
                    using var a = new NpgsqlCommand({|#0:Latest(reader)|}, conn);
                    using var b = new NpgsqlCommand({|#1:ByName(label)|}, conn);
                }
            }
            """,
            Pgb201(0, "new NpgsqlCommand", "Copies.Latest", "'reader.GetString(0)', a database value"),
            Pgb201(1, "new NpgsqlCommand", "Copies.ByName", "its parameter 'name', passed 'label'"));

    [Fact]
    public Task Constant_arguments_safe_types_and_quoting_leave_the_text_alone()
        => VerifyPgb201.AnalyzerAsync("""
            enum Status { Open, Closed }

            static class Queries
            {
                public const string Table = "orders";
                public static readonly string Select = "SELECT * FROM " + Table;
                public static string ByName(string name) => $"SELECT * FROM orders WHERE name = '{name}'";
                public static string ById(int id) => $"SELECT * FROM orders WHERE id = {id}";
                public static string ByValue(object value) => "SELECT * FROM orders WHERE id = " + value;
                public static string ByStatus(Status status, Guid id, DateTime since) => $"SELECT * FROM orders WHERE status = {status} AND id = '{id}' AND at > '{since:O}'";
                public static string Escaped(string name) => $"SELECT * FROM orders WHERE name = '{name.Replace("'", "''")}'";
                public static string Recursive(string name) => name.Length > 3 ? Recursive(name.Substring(1)) : name;
            }

            class Orders
            {
                void Run(NpgsqlConnection conn, int id, string name)
                {
                    using var a = new NpgsqlCommand(Queries.Select, conn);
                    using var b = new NpgsqlCommand(Queries.ByName("bob"), conn);
                    using var c = new NpgsqlCommand(Queries.ById(id), conn);
                    using var d = new NpgsqlCommand(Queries.ByValue(id), conn);
                    using var e = new NpgsqlCommand(Queries.ByStatus(Status.Open, Guid.NewGuid(), DateTime.UtcNow), conn);
                    using var f = new NpgsqlCommand(Queries.Escaped(name), conn);
                    using var g = new NpgsqlCommand(Queries.Recursive(name), conn);
                }
            }
            """);

    [Fact]
    public Task Identifiers_from_a_constructor_parameter_or_configuration_are_trusted()
        => VerifyPgb203.AnalyzerAsync(""""
            public sealed class StoreOptions { public string Schema { get; set; } = "app"; }

            public class JobStore
            {
                readonly string _selectSql;
                readonly string _countSql;
                string Table { get; }

                public JobStore(string table, StoreOptions options)
                {
                    Table = table;
                    _selectSql = $"SELECT * FROM {table} WHERE id = $1";
                    _countSql = $@"SELECT count(*) FROM ""{options.Schema}"".""{table}""";
                }

                string DeleteSql => $"DELETE FROM {Table} WHERE id = $1";

                public void Run(NpgsqlConnection conn)
                {
                    using var a = new NpgsqlCommand(_selectSql, conn);
                    using var b = new NpgsqlCommand(_countSql, conn);
                    using var c = new NpgsqlCommand(DeleteSql, conn);
                }
            }
            """");

    [Fact]
    public Task Identifier_from_the_caller_quoted_by_hand_in_another_method_is_reported_as_information()
        => VerifyPgb203.AnalyzerAsync("""
            public class Reports
            {
                public static string CountSql(string table) => "SELECT count(*) FROM \"" + table + "\"";
                public static string QuotedCountSql(string table) => "SELECT count(*) FROM \"" + table.Replace("\"", "\"\"") + "\"";

                public long Count(NpgsqlConnection conn, string table)
                {
                    using var a = new NpgsqlCommand({|#0:CountSql(table)|}, conn);
                    using var b = new NpgsqlCommand(QuotedCountSql(table), conn);
                    using var c = new NpgsqlCommand(CountSql("orders"), conn);
                    return 0;
                }
            }
            """,
            Pgb203(0, "new NpgsqlCommand", "Reports.CountSql", "its parameter 'table', a caller's argument"));

    [Fact]
    public Task Hand_quoted_identifier_doubled_with_replace_is_not_reported_in_the_method_either()
        => VerifyPgb203.AnalyzerAsync("""
            class Reports
            {
                void Run(NpgsqlConnection conn, string table)
                {
                    using var a = new NpgsqlCommand($"SELECT count(*) FROM \"{table.Replace("\"", "\"\"")}\"", conn);
                    using var b = new NpgsqlCommand($"SELECT count(*) FROM \"{{|#0:table|}}\"", conn);
                }
            }
            """,
            new DiagnosticResult("PGB203", DiagnosticSeverity.Info).WithLocation(0).WithArguments("new NpgsqlCommand", "table"));

    [Fact]
    public Task Placeholders_from_a_dialect_and_columns_from_a_formatter_are_not_values_but_quoted_names_and_literals_are()
        => VerifyPgb201.AnalyzerAsync("""
            using System.Linq;

            public interface IDialect
            {
                string PrefixParameter(string name);
                string FormatColumn(string table, string column);
            }

            public class Queries
            {
                public void Run(NpgsqlConnection conn, IDialect dialect, List<string> names)
                {
                    using var a = new NpgsqlCommand($"SELECT * FROM t WHERE id = {dialect.PrefixParameter("id")}", conn);
                    using var b = new NpgsqlCommand($"INSERT INTO t (a, b) VALUES ({string.Join(", ", names.Select(n => "@" + n))})", conn);
                    using var c = new NpgsqlCommand($"SELECT * FROM t JOIN u ON u.id = {dialect.FormatColumn("t", "id")}", conn);
                    using var d = new NpgsqlCommand($"INSERT INTO t (a, b) VALUES ({string.Join(", ", {|PGB201:names.Select(n => "'" + n + "'")|})})", conn);
                    using var e = new NpgsqlCommand($"SELECT * FROM pg_class WHERE relname = '{{|PGB201:dialect.FormatColumn("t", "id")|}}'", conn);
                }
            }
            """);

    [Fact]
    public async Task Half_written_members_mutual_recursion_and_generic_and_extension_methods_do_not_throw()
    {
        var tree = Microsoft.CodeAnalysis.CSharp.CSharpSyntaxTree.ParseText(Verify<SqlBuiltFromNonConstantTextAnalyzer>.Usings + """
            public static partial class Queries
            {
                public static partial string Declared(string name);
                public static string Ping(string name) => name.Length > 1 ? Pong(name) : $"SELECT * FROM t WHERE a = '{name}'";
                public static string Pong(string name) => Ping(name.Substring(1));
                public static string Generic<T>(T value, string name) => $"SELECT * FROM t WHERE a = '{name}' AND b = '{value}'";
                public static string Where(this string table, string name) => $"SELECT * FROM {table} WHERE a = '{name}'";
                static string _field = ;
                static string Broken { get => ; }

                public static void Run(NpgsqlConnection conn, string name)
                {
                    using var a = new NpgsqlCommand(Declared(name), conn);
                    using var b = new NpgsqlCommand(Ping(name), conn);
                    using var c = new NpgsqlCommand(Generic(1, name), conn);
                    using var d = new NpgsqlCommand("t".Where(name), conn);
                    using var e = new NpgsqlCommand(Unfinished(name), conn);
                    using var f = new NpgsqlCommand(_field, conn);
                    using var g = new NpgsqlCommand(Broken, conn);
                    using var h = new NpgsqlCommand(Missing(name), conn);
                }

                public static string Unfinished(string name) => $"SELECT * FROM t WHERE a = '{name
            """);
        var result = await AnalyzeAll.RunAsync(tree);
        Assert.True(result.Exceptions.IsEmpty, string.Join(System.Environment.NewLine, result.Exceptions));
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "AD0001");
        // The recursion is read once: Ping's own text, from the caller's name, is reported at its sink.
        Assert.Contains(result.Diagnostics, d => d.Id == "PGB201" && d.GetMessage().Contains("'Queries.Ping'"));
        // A generic method's and an extension method's parameters map to what the call passes ("t" is a constant).
        Assert.Contains(result.Diagnostics, d => d.Id == "PGB201" && d.GetMessage().Contains("'Queries.Generic' from its parameter 'name'"));
        Assert.Contains(result.Diagnostics, d => d.Id == "PGB201" && d.GetMessage().Contains("'Queries.Where' from its parameter 'name'"));
        Assert.DoesNotContain(result.Diagnostics, d => d.Id == "PGB203");
    }

    [Fact]
    public Task No_fix_is_offered_where_the_text_was_assembled_in_another_member()
        => Verify<SqlBuiltFromNonConstantTextAnalyzer>.CodeFixAsync<ParameterizeSqlCodeFix>("""
            public class OrderQueries
            {
                public static string BuildQuery(string name) => $"SELECT * FROM orders WHERE customer = '{name}'";

                public void Find(NpgsqlConnection conn, string name)
                {
                    using var cmd = new NpgsqlCommand({|PGB201:BuildQuery(name)|}, conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """, """
            public class OrderQueries
            {
                public static string BuildQuery(string name) => $"SELECT * FROM orders WHERE customer = '{name}'";

                public void Find(NpgsqlConnection conn, string name)
                {
                    using var cmd = new NpgsqlCommand({|PGB201:BuildQuery(name)|}, conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """);
}
