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

    [Fact]
    public Task Gap_in_positional_placeholders_is_reported()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                void Transfer(NpgsqlConnection conn, int from, int to)
                {
                    using var cmd = new NpgsqlCommand({|#0:"UPDATE accounts SET owner = $3 WHERE id = $1"|}, conn);
                    cmd.Parameters.AddWithValue(from);
                    cmd.Parameters.AddWithValue(to);
                    cmd.Parameters.AddWithValue(to);
                    cmd.ExecuteNonQuery();
                }
            }
            """,
            new DiagnosticResult("PGB202", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("The SQL uses $3 but never $2: PostgreSQL cannot infer the type of $2; number the placeholders from $1 without gaps"));

    [Fact]
    public Task Named_parameter_the_sql_never_uses_is_reported_by_name()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                void Find(NpgsqlConnection conn, int id, string owner)
                {
                    using var cmd = new NpgsqlCommand({|#0:"SELECT * FROM accounts WHERE id = @id"|}, conn);
                    cmd.Parameters.AddWithValue("id", id);
                    cmd.Parameters.AddWithValue("@owner", owner);
                    cmd.ExecuteNonQuery();
                }
            }
            """,
            new DiagnosticResult("PGB202", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("The parameter 'owner' is added to the command, but the SQL never uses @owner: use it in the SQL, or remove it"));

    [Fact]
    public Task Named_placeholders_with_only_positional_parameters_are_reported()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                void Find(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand({|#0:"SELECT * FROM accounts WHERE id = @id"|}, conn);
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }
            }
            """,
            new DiagnosticResult("PGB202", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("The SQL and the command's parameters use different placeholder styles ($n against named, or @name against positional): use $n with positional parameters, or @name with named ones"));

    [Fact]
    public Task Placeholders_inside_strings_identifiers_and_comments_do_not_count()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                void Note(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand({|#0:"SELECT $q$ $1 $q$, $fn$ @id $fn$, E'\\' $1', \"@id\" /* $1 /* @id */ */ FROM accounts"|}, conn);
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }
            }
            """,
            new DiagnosticResult("PGB202", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("1 parameter is added to the command, but the SQL has no placeholder: write a placeholder ($1 or @name) for each in the SQL, or do not add any"));

    [Fact]
    public Task Sql_from_a_const_field_a_data_source_and_an_initializer_is_checked()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                const string Debit = "UPDATE accounts SET balance = balance - $2 WHERE id = $1";

                void FromConst(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand({|PGB202:Debit|}, conn);
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }

                void FromDataSource(NpgsqlDataSource dataSource, int id)
                {
                    using var cmd = dataSource.CreateCommand({|PGB202:"SELECT * FROM accounts WHERE id = $1 AND owner = $2"|});
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }

                void FromInitializer(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand { Connection = conn, CommandText = {|PGB202:"SELECT * FROM accounts WHERE id = @id"|} };
                    cmd.Parameters.AddWithValue("account", id);
                    cmd.ExecuteNonQuery();
                }

                void FromConstantInterpolation(NpgsqlConnection conn, int id)
                {
                    const string table = "accounts";
                    using var cmd = new NpgsqlCommand({|PGB202:$"SELECT * FROM {table} WHERE id = $2"|}, conn);
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Names_match_case_insensitively_with_every_way_of_adding_a_named_parameter()
        => VerifyPgb202.AnalyzerAsync("""
            using NpgsqlTypes;

            class Accounts
            {
                void Find(NpgsqlConnection conn, int id, string owner, int limit)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id = @ID AND owner = @Owner AND n < @limit", conn);
                    cmd.Parameters.Add("id", NpgsqlDbType.Integer).Value = id;
                    cmd.Parameters.Add(new NpgsqlParameter<string> { ParameterName = ":owner", TypedValue = owner });
                    cmd.Parameters.Add(new NpgsqlParameter("LIMIT", limit));
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Parameter_collections_changed_elsewhere_or_text_set_twice_are_not_judged()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                NpgsqlCommand? _last;

                void TextSetTwice(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    cmd.CommandText = "SELECT * FROM accounts WHERE id = $1";
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }

                void Cleared(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id = $1", conn);
                    cmd.Parameters.AddWithValue(id);
                    cmd.Parameters.AddWithValue(id);
                    cmd.Parameters.RemoveAt(1);
                    cmd.ExecuteNonQuery();
                }

                void InALambda(NpgsqlConnection conn, int[] ids)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id = $1", conn);
                    Array.ForEach(ids, id => cmd.Parameters.AddWithValue(id));
                    cmd.ExecuteNonQuery();
                }

                void Stored(NpgsqlConnection conn, int id)
                {
                    var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id = $1 AND owner = $2", conn);
                    cmd.Parameters.AddWithValue(id);
                    _last = cmd;
                }

                NpgsqlCommand Returned(NpgsqlConnection conn, int id)
                {
                    var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id = $1 AND owner = $2", conn);
                    cmd.Parameters.AddWithValue(id);
                    return cmd;
                }

                void BuiltElsewhere(NpgsqlConnection conn, NpgsqlParameter p)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id = $1 AND owner = $2", conn);
                    cmd.Parameters.Add(p);
                    cmd.ExecuteNonQuery();
                }

                void LegacyColonNames(NpgsqlConnection conn, string name)
                {
                    using var cmd = new NpgsqlCommand("SELECT oid FROM pg_proc WHERE oid = :proname::regproc", conn);
                    cmd.Parameters.AddWithValue("other", name);
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Dapper_query_members_compare_case_insensitively_and_other_parameter_shapes_are_not_judged()
        => VerifyPgb202.AnalyzerAsync("""
            using Dapper;

            class Accounts
            {
                Task<IEnumerable<int>> Missing(NpgsqlConnection conn, int id)
                    => conn.QueryAsync<int>({|#0:"SELECT id FROM accounts WHERE owner = @owner AND id > @Id"|}, new { id });

                int CaseInsensitive(NpgsqlConnection conn, int id, int amount)
                    => conn.Execute("UPDATE accounts SET balance = balance - @Amount WHERE id = @ID", new { id, amount, unused = 1 });

                int Dynamic(NpgsqlConnection conn, int id)
                {
                    var parameters = new DynamicParameters();
                    parameters.Add("other", id);
                    return conn.Execute("UPDATE accounts SET seen = true WHERE id = @id", parameters);
                }

                int Variable(NpgsqlConnection conn, int id)
                {
                    var parameters = new { other = id };
                    return conn.Execute("UPDATE accounts SET seen = true WHERE id = @id", parameters);
                }

                int Positional(NpgsqlConnection conn, int id)
                    => conn.Execute("UPDATE accounts SET seen = true WHERE id = $1", new { other = id });
            }
            """,
            new DiagnosticResult("PGB202", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("The SQL uses @owner, but the parameter object has no member 'owner': add the member, or fix the name"));

    [Fact]
    public Task Half_written_commands_do_not_throw()
        => VerifyPgb202.AnalyzerAsync("""
            class Accounts
            {
                void NoText(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand();
                    cmd.Parameters.AddWithValue(id);
                    cmd.ExecuteNonQuery();
                }

                void EmptyAndTruncated(NpgsqlConnection conn)
                {
                    using var empty = new NpgsqlCommand("", conn);
                    empty.ExecuteNonQuery();
                    using var truncated = new NpgsqlCommand("SELECT '$1", conn);
                    truncated.ExecuteNonQuery();
                    using var dollar = new NpgsqlCommand("SELECT $", conn);
                    dollar.ExecuteNonQuery();
                }

                void Unfinished(NpgsqlConnection conn, int id)
                {
                    using var cmd = new NpgsqlCommand("SELECT * FROM accounts WHERE id = $1", conn);
                    cmd.Parameters.{|CS1001:|}{|CS1002:|}
                }
            }
            """);
}
