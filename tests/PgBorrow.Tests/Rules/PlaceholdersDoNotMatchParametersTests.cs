using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb202 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.PlaceholdersDoNotMatchParametersAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class PlaceholdersDoNotMatchParametersTests
{
    [Fact]
    public Task Missing_positional_parameter_is_reported()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                void Debit(NpgsqlConnection conn, int id, int amount)
                {
                    using var cmd = new NpgsqlCommand({|#0:"UPDATE accounts SET balance = balance - $2 WHERE id = $1"|}, conn);
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }
            }
            """,
            new DiagnosticResult("PGB202", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("The SQL uses $2, but only 1 positional parameter is added to the command: add a parameter for each placeholder"));

    [Fact]
    public Task Extra_or_misnamed_parameters_are_reported()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                void Positional(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand({|PGB202:"SELECT balance FROM accounts WHERE id = $1"|}, conn);
                    cmd.Parameters.AddWithValue(id);
                    cmd.Parameters.AddWithValue(42);
                }

                void Named(NpgsqlConnection conn, int id)
                {
                    using var cmd = conn.CreateCommand();
                    cmd.CommandText = {|PGB202:"SELECT balance FROM accounts WHERE id = @id"|};
                    cmd.Parameters.AddWithValue("accountId", id);
                }

                void NoPlaceholder(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand({|PGB202:"SELECT count(*) FROM accounts"|}, conn);
                    cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
                }
            }
            """);

    [Fact]
    public Task Matching_parameters_and_uncountable_cases_are_fine()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                void Matching(NpgsqlConnection conn, int id, int amount)
                {
                    using var a = new NpgsqlCommand("UPDATE accounts SET balance = balance - $2 WHERE id = $1 AND note <> '$3' -- $4", conn);
                    a.Parameters.AddWithValue(id);
                    a.Parameters.Add(new NpgsqlParameter<int> { TypedValue = amount });

                    using var b = new NpgsqlCommand("SELECT * FROM accounts WHERE id = @id AND tags @> @tags::text[]", conn);
                    b.Parameters.AddWithValue("id", id);
                    b.Parameters.Add(new NpgsqlParameter("@tags", new[] { "vip" }));
                }

                void InALoop(NpgsqlConnection conn, int[] ids)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id IN ($1, $2, $3)", conn);
                    foreach (var id in ids)
                        cmd.Parameters.AddWithValue(id);
                }

                void PassedToAHelper(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id = $1 AND owner = $2", conn);
                    AddOwner(cmd);
                    cmd.Parameters.AddWithValue(id);
                }

                static void AddOwner(NpgsqlCommand cmd) => cmd.Parameters.AddWithValue("owner");

                void NonConstant(NpgsqlConnection conn, string sql)
                {
                    using var cmd = new NpgsqlCommand(sql, conn);
                    cmd.Parameters.AddWithValue(1);
                }
            }
            """);

    [Fact]
    public Task Dapper_parameter_object_must_have_every_placeholder()
        => VerifyPgb202.AnalyzerAsync("""
            using Dapper;

            class Accounts
            {
                Task<int> Good(NpgsqlConnection conn, int id, int amount)
                    => conn.ExecuteAsync("UPDATE accounts SET balance = balance - @amount WHERE id = @id", new { id, amount });

                Task<int> Bad(NpgsqlConnection conn, int id)
                    => conn.ExecuteAsync({|PGB202:"UPDATE accounts SET balance = balance - @amount WHERE id = @id"|}, new { id });
            }
            """);

    [Fact]
    public Task Mixed_styles_are_reported_and_an_alias_is_not_judged()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                void Mixed(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand({|PGB202:"SELECT * FROM accounts WHERE id = $1 AND owner = @owner"|}, conn);
                    cmd.Parameters.AddWithValue(id);
                }

                void Alias(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id = $1 AND owner = $2", conn);
                    var same = cmd;
                    same.Parameters.AddWithValue(id);
                    same.Parameters.AddWithValue("ada");
                }
            }
            """);

    [Fact]
    public Task Sql_held_by_a_static_readonly_field_of_another_class_is_read()
        => VerifyPgb202.AnalyzerAsync("""
            using Dapper;

            static class AccountSql
            {
                public static readonly string Debit = "UPDATE accounts SET balance = balance - $2 WHERE id = $1";
                public static string Balance => "SELECT balance FROM accounts WHERE id = @id";
                public static string Mutable = "SELECT 1 WHERE $1 = $2";
            }

            class Accounts
            {
                void Debit(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand({|#0:AccountSql.Debit|}, conn);
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }

                long Balance(NpgsqlConnection conn, int id)
                    => conn.ExecuteScalar<long>({|#1:AccountSql.Balance|}, new { account = id });

                void Unknown(NpgsqlConnection conn, int id)
                {
                    // A mutable field can hold anything by the time this runs: not judged.
                    using var cmd = new NpgsqlCommand(AccountSql.Mutable, conn);
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }
            }
            """,
            new DiagnosticResult("PGB202", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("The SQL uses $2, but only 1 positional parameter is added to the command: add a parameter for each placeholder"),
            new DiagnosticResult("PGB202", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("The SQL uses @id, but the parameter object has no member 'id': add the member, or fix the name"));
}
