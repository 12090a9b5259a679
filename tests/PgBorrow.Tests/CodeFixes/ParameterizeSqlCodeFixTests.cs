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
                    using var cmd = new NpgsqlCommand("SELECT * FROM customers WHERE name LIKE $1 LIMIT $2", conn);
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
                    cmd.CommandText = "DELETE FROM customers WHERE name = $1";
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    static CodeFixCase Concatenated_value_becomes_a_parameter_and_its_quotes_go
        => CodeFixCase.Of<SqlBuiltFromNonConstantTextAnalyzer, ParameterizeSqlCodeFix>("""
            class Customers
            {
                void Find(NpgsqlConnection conn, string name)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM t WHERE name = '" + {|PGB201:name|} + "'", conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """, """
            class Customers
            {
                void Find(NpgsqlConnection conn, string name)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM t WHERE name = $1", conn);
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    static CodeFixCase Several_concatenated_values_become_parameters_in_order_and_constants_stay
        => CodeFixCase.Of<SqlBuiltFromNonConstantTextAnalyzer, ParameterizeSqlCodeFix>("""
            class Customers
            {
                const string Table = "customers";

                void Rename(NpgsqlConnection conn, string from, string to, int limit)
                {
                    using var cmd = conn.CreateCommand();
                    cmd.CommandText = "UPDATE " + Table + " SET name = '" + {|PGB201:to|} + "' WHERE name = '" + from + "' AND id < " + limit;
                    cmd.ExecuteNonQuery();
                }

                void Find(NpgsqlConnection conn, string city, string name)
                {
                    using var cmd = new NpgsqlCommand(@"SELECT *
                        FROM customers
                        WHERE city = '" + {|PGB201:city|} + @"'
                          AND name = '" + name + @"'", conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """, """
            class Customers
            {
                const string Table = "customers";

                void Rename(NpgsqlConnection conn, string from, string to, int limit)
                {
                    using var cmd = conn.CreateCommand();
                    cmd.CommandText = "UPDATE " + Table + " SET name = $1 WHERE name = $2 AND id < $3";
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = to });
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = from });
                    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
                    cmd.ExecuteNonQuery();
                }

                void Find(NpgsqlConnection conn, string city, string name)
                {
                    using var cmd = new NpgsqlCommand(@"SELECT *
                        FROM customers
                        WHERE city = $1
                          AND name = $2", conn);
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = city });
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    static CodeFixCase Fragments_values_inside_a_literal_and_mixed_literal_kinds_get_no_fix
        => CodeFixCase.Of<SqlBuiltFromNonConstantTextAnalyzer, ParameterizeSqlCodeFix>("""
            class Customers
            {
                void Run(NpgsqlConnection conn, string where, string pattern, string city)
                {
                    using var a = new NpgsqlCommand(@"SELECT * FROM customers WHERE city = '" + {|PGB201:city|} + "'", conn);
                    using var b = new NpgsqlCommand("SELECT * FROM customers WHERE " + {|PGB201:where|}, conn);
                    using var c = new NpgsqlCommand("SELECT * FROM customers WHERE name LIKE '%" + {|PGB201:pattern|} + "%'", conn);
                    using var d = new NpgsqlCommand($"SELECT * FROM customers WHERE name LIKE '%{{|PGB201:pattern|}}%'", conn);
                }
            }
            """, """
            class Customers
            {
                void Run(NpgsqlConnection conn, string where, string pattern, string city)
                {
                    using var a = new NpgsqlCommand(@"SELECT * FROM customers WHERE city = '" + {|PGB201:city|} + "'", conn);
                    using var b = new NpgsqlCommand("SELECT * FROM customers WHERE " + {|PGB201:where|}, conn);
                    using var c = new NpgsqlCommand("SELECT * FROM customers WHERE name LIKE '%" + {|PGB201:pattern|} + "%'", conn);
                    using var d = new NpgsqlCommand($"SELECT * FROM customers WHERE name LIKE '%{{|PGB201:pattern|}}%'", conn);
                }
            }
            """);

    static CodeFixCase A_value_next_to_a_name_is_parameterized_and_the_name_stays
        => CodeFixCase.Of<SqlBuiltFromNonConstantTextAnalyzer, ParameterizeSqlCodeFix>("""
            class Customers
            {
                void Delete(NpgsqlConnection conn, string table, string name)
                {
                    using var cmd = new NpgsqlCommand("DELETE FROM " + table + " WHERE name = '" + {|PGB201:name|} + "'", conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """, """
            class Customers
            {
                void Delete(NpgsqlConnection conn, string table, string name)
                {
                    using var cmd = new NpgsqlCommand("DELETE FROM " + table + " WHERE name = $1", conn);
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                    cmd.ExecuteNonQuery();
                }
            }
            """);
}
