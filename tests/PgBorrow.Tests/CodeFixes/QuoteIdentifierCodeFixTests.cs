using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class QuoteIdentifierCodeFixTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<QuoteIdentifierCodeFixTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<QuoteIdentifierCodeFixTests>(name);

    static CodeFixCase Bare_hole_is_wrapped_in_QuoteIdentifier
        => CodeFixCase.Of<IdentifierFromCallerAnalyzer, QuoteIdentifierCodeFix>("""
            class Maintenance
            {
                public long Count(NpgsqlConnection conn, string table)
                {
                    using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {{|PGB203:table|}}", conn);
                    return (long)cmd.ExecuteScalar()!;
                }
            }
            """, """
            class Maintenance
            {
                public long Count(NpgsqlConnection conn, string table)
                {
                    using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {new NpgsqlCommandBuilder().QuoteIdentifier(table)}", conn);
                    return (long)cmd.ExecuteScalar()!;
                }
            }
            """);

    static CodeFixCase Concatenated_name_is_wrapped_in_QuoteIdentifier
        => CodeFixCase.Of<IdentifierFromCallerAnalyzer, QuoteIdentifierCodeFix>("""
            class Maintenance
            {
                public void Empty(NpgsqlConnection conn, string table)
                {
                    using var cmd = new NpgsqlCommand("TRUNCATE " + {|PGB203:table|} + " CASCADE", conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """, """
            class Maintenance
            {
                public void Empty(NpgsqlConnection conn, string table)
                {
                    using var cmd = new NpgsqlCommand("TRUNCATE " + new NpgsqlCommandBuilder().QuoteIdentifier(table) + " CASCADE", conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    static CodeFixCase Name_between_quotes_only_gets_its_quotes_doubled
        => CodeFixCase.Of<IdentifierFromCallerAnalyzer, QuoteIdentifierCodeFix>("""
            class Jobs
            {
                public void Clear(NpgsqlConnection conn, string schema)
                {
                    using var cmd = new NpgsqlCommand($"DELETE FROM \"{{|PGB203:schema|}}\".jobs", conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """, """
            class Jobs
            {
                public void Clear(NpgsqlConnection conn, string schema)
                {
                    using var cmd = new NpgsqlCommand($"DELETE FROM \"{schema.Replace("\"", "\"\"")}\".jobs", conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    static CodeFixCase Formatted_hole_gets_no_fix
        => CodeFixCase.Of<IdentifierFromCallerAnalyzer, QuoteIdentifierCodeFix>("""
            class Maintenance
            {
                public long Count(NpgsqlConnection conn, string table)
                {
                    using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {{|PGB203:table|},10}", conn);
                    return (long)cmd.ExecuteScalar()!;
                }
            }
            """, """
            class Maintenance
            {
                public long Count(NpgsqlConnection conn, string table)
                {
                    using var cmd = new NpgsqlCommand($"SELECT count(*) FROM {{|PGB203:table|},10}", conn);
                    return (long)cmd.ExecuteScalar()!;
                }
            }
            """);
}
