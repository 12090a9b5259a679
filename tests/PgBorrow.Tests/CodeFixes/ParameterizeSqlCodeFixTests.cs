using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class ParameterizeSqlCodeFixTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<ParameterizeSqlCodeFixTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<ParameterizeSqlCodeFixTests>(name);

    static CodeFixCase Holes_become_positional_parameters_and_quotes_go
        => CodeFixCase.Of<SqlBuiltFromNonConstantTextAnalyzer, ParameterizeSqlCodeFix>("""
            class Customers
            {
                const string Table = "customers";

                void Rename(NpgsqlConnection conn, string from, string to)
                {
                    using var cmd = new NpgsqlCommand($"UPDATE {Table} SET name = '{{|PGB201:to|}}' WHERE name = '{from}'", conn);
                    cmd.ExecuteNonQuery();
                }

                void Find(NpgsqlConnection conn, string name, int limit)
                {
                    using var cmd = new NpgsqlCommand($"SELECT * FROM customers WHERE name LIKE {{|PGB201:name|}} LIMIT {limit}", conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """, """
            class Customers
            {
                const string Table = "customers";

                void Rename(NpgsqlConnection conn, string from, string to)
                {
                    using var cmd = new NpgsqlCommand($"UPDATE {Table} SET name = $1 WHERE name = $2", conn);
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = to });
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = from });
                    cmd.ExecuteNonQuery();
                }

                void Find(NpgsqlConnection conn, string name, int limit)
                {
                    using var cmd = new NpgsqlCommand($"SELECT * FROM customers WHERE name LIKE $1 LIMIT $2", conn);
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    static CodeFixCase CommandText_assignment_gets_parameters_after_it
        => CodeFixCase.Of<SqlBuiltFromNonConstantTextAnalyzer, ParameterizeSqlCodeFix>("""
            class Customers
            {
                void Delete(NpgsqlConnection conn, string name)
                {
                    using var cmd = conn.CreateCommand();
                    cmd.CommandText = $"DELETE FROM customers WHERE name = '{{|PGB201:name|}}'";
                    cmd.ExecuteNonQuery();
                }
            }
            """, """
            class Customers
            {
                void Delete(NpgsqlConnection conn, string name)
                {
                    using var cmd = conn.CreateCommand();
                    cmd.CommandText = $"DELETE FROM customers WHERE name = $1";
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                    cmd.ExecuteNonQuery();
                }
            }
            """);
}
