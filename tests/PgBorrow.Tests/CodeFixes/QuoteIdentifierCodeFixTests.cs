using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class QuoteIdentifierCodeFixTests
{
    [Fact]
    public Task Bare_hole_is_wrapped_in_QuoteIdentifier()
        => Verify<IdentifierFromCallerAnalyzer>.CodeFixAsync<QuoteIdentifierCodeFix>("""
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

    [Fact]
    public Task Concatenated_name_is_wrapped_in_QuoteIdentifier()
        => Verify<IdentifierFromCallerAnalyzer>.CodeFixAsync<QuoteIdentifierCodeFix>("""
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

    [Fact]
    public Task Name_between_quotes_only_gets_its_quotes_doubled()
        => Verify<IdentifierFromCallerAnalyzer>.CodeFixAsync<QuoteIdentifierCodeFix>("""
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

    [Fact]
    public Task Formatted_hole_gets_no_fix()
        => Verify<IdentifierFromCallerAnalyzer>.CodeFixAsync<QuoteIdentifierCodeFix>("""
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
