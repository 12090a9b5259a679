extern alias generators;

using System.Linq;
using Xunit;
// The [PgQuery] SQL reader is compiled into the generator and analyzer assemblies: name the generator's copy.
using PgQuerySqlText = generators::PgBorrow.Generators.Queries.PgQuerySqlText;

namespace PgBorrow.Tests.Sql;

/// <summary>How the [PgQuery] generator reads a statement: placeholders, the rewritten text, statements and whether rows come back.</summary>
public sealed class PgQuerySqlTextTests
{
    [Fact]
    public void Placeholders_are_numbered_by_first_appearance_and_a_repeated_name_keeps_its_number()
    {
        var sql = PgQuerySqlText.Parse("SELECT * FROM t WHERE a = @b OR c = @a OR d = @b::int");

        Assert.Equal(new[] { "b", "a" }, sql.Names);
        Assert.Equal("SELECT * FROM t WHERE a = $1 OR c = $2 OR d = $1::int", sql.CommandText);
        Assert.Equal(new[] { 26, 36, 46 }, sql.Placeholders.Select(p => p.Start));
        Assert.All(sql.Placeholders, p => Assert.Equal(2, p.Length));
    }

    [Fact]
    public void Text_that_only_looks_like_a_placeholder_is_copied_as_it_is()
    {
        const string text = "SELECT '@a', \"@b\", $$@c$$, E'\\'@d' /* @e */ FROM t WHERE x @> y AND v @@ q AND r <@ s -- @f";

        var sql = PgQuerySqlText.Parse(text);

        Assert.Empty(sql.Names);
        Assert.Equal(text, sql.CommandText);
        Assert.False(sql.HasPositionalParameters);
    }

    [Theory]
    [InlineData("SELECT 1", 1)]
    [InlineData("SELECT 1;", 1)]
    [InlineData("SELECT 1; SELECT 2", 2)]
    [InlineData("SELECT ';' AS semicolon; -- ;", 1)]
    [InlineData("CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql", 1)]
    [InlineData("-- only a comment", 0)]
    [InlineData(" ; ; ", 0)]
    public void Statements_are_counted_at_the_top_level(string text, int statements)
        => Assert.Equal(statements, PgQuerySqlText.Parse(text).StatementCount);

    [Theory]
    [InlineData("SELECT 1", true)]
    [InlineData("  values (1)", true)]
    [InlineData("TABLE orders", true)]
    [InlineData("SHOW search_path", true)]
    [InlineData("INSERT INTO t VALUES (1)", false)]
    [InlineData("INSERT INTO t VALUES (1) RETURNING id", true)]
    [InlineData("UPDATE t SET a = (SELECT 1)", false)]
    [InlineData("DELETE FROM t WHERE id IN (SELECT id FROM u)", false)]
    [InlineData("WITH RECURSIVE x AS (SELECT 1) SELECT * FROM x", true)]
    [InlineData("WITH x AS (DELETE FROM t RETURNING id) INSERT INTO log SELECT id FROM x", false)]
    [InlineData("WITH x AS MATERIALIZED (SELECT 1) UPDATE t SET a = 1 RETURNING a", true)]
    [InlineData("CREATE TABLE t (id int)", false)]
    public void A_statement_returns_rows_when_it_reads_or_has_a_top_level_returning(string text, bool returnsRows)
        => Assert.Equal(returnsRows, PgQuerySqlText.Parse(text).ReturnsRows);

    [Fact]
    public void Positional_parameters_are_noticed()
        => Assert.True(PgQuerySqlText.Parse("SELECT * FROM t WHERE id = $1").HasPositionalParameters);
}
