extern alias generators;

using System.Linq;
using Xunit;
// The lexer is compiled into the analyzer and generator assemblies (the [PgQuery] generator reads placeholders
// with it): name one copy. Both are the same source file.
using SqlLexer = generators::PgBorrow.Analyzers.Sql.SqlLexer;
using SqlTokenKind = generators::PgBorrow.Analyzers.Sql.SqlTokenKind;

namespace PgBorrow.Tests.Sql;

public class SqlLexerTests
{
    static string Kinds(string sql) => string.Join(" ", SqlLexer.Lex(sql).Select(t => t.Kind + ":" + t.Value));

    [Fact]
    public void Comments_are_skipped_including_nested_block_comments()
        => Assert.Equal("Word:SELECT Number:1",
            Kinds("-- FOR UPDATE\nSELECT /* outer /* FOR UPDATE */ still comment */ 1"));

    [Fact]
    public void Quoted_identifiers_unquote_and_keep_doubled_quotes()
        => Assert.Equal("Word:SELECT QuotedIdentifier:for update Dot:. QuotedIdentifier:a\"b",
            Kinds("SELECT \"for update\".\"a\"\"b\""));

    [Fact]
    public void String_constants_with_doubled_quotes_and_escape_strings()
    {
        var tokens = SqlLexer.Lex("SELECT 'it''s FOR UPDATE', E'back\\'slash FOR SHARE', B'1010', X'1F', U&'d\\0061t'");
        Assert.Equal(new[] { SqlTokenKind.Word, SqlTokenKind.String, SqlTokenKind.Comma, SqlTokenKind.String, SqlTokenKind.Comma, SqlTokenKind.String, SqlTokenKind.Comma, SqlTokenKind.String, SqlTokenKind.Comma, SqlTokenKind.String },
            tokens.Select(t => t.Kind).ToArray());
        Assert.Equal("'it''s FOR UPDATE'", tokens[1].Value);
        Assert.Equal("E'back\\'slash FOR SHARE'", tokens[3].Value);
    }

    [Fact]
    public void Dollar_quoted_strings_with_and_without_tags()
        => Assert.Equal("Word:SELECT String:$$FOR UPDATE$$ Comma:, String:$fn$ SELECT 'x' FOR UPDATE $fn$",
            Kinds("SELECT $$FOR UPDATE$$, $fn$ SELECT 'x' FOR UPDATE $fn$"));

    [Fact]
    public void Placeholders_and_casts()
        => Assert.Equal("Word:SELECT PositionalParameter:1 Cast::: Word:int Comma:, NamedParameter:name Comma:, Word:a$b",
            Kinds("SELECT $1::int, @name, a$b"));

    [Fact]
    public void Unterminated_text_runs_to_the_end_without_throwing()
    {
        Assert.Single(SqlLexer.Lex("'never closed"));
        Assert.Single(SqlLexer.Lex("$tag$ never closed"));
        Assert.Empty(SqlLexer.Lex("/* never closed"));
        Assert.Single(SqlLexer.Lex("\"never closed"));
    }

    [Fact]
    public void An_at_sign_after_at_or_less_than_belongs_to_an_operator_not_a_placeholder()
        => Assert.Equal("Word:v Operator:@ Operator:@ Word:q Word:a Operator:< Operator:@ Word:b Word:c Operator:@ Operator:> NamedParameter:d",
            Kinds("v @@q a <@b c @>@d"));
}
