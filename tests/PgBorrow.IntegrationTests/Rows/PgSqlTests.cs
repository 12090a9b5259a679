using System;
using System.Collections.Generic;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Rows;

/// <summary>The interpolated SQL handler, without a database.</summary>
public sealed class PgSqlTests
{
    [Fact]
    public void Every_hole_becomes_a_numbered_placeholder()
    {
        var id = 7;
        var name = "o'brien";
        PgSql sql = $"SELECT * FROM t WHERE id = {id} AND name = {name} OR id = {id}";

        Assert.Equal("SELECT * FROM t WHERE id = $1 AND name = $2 OR id = $3", sql.ToString());
        Assert.Equal(3, sql.ParameterCount);
    }

    [Fact]
    public void Parameters_are_typed_and_unnamed()
    {
        var when = new DateOnly(2024, 1, 1);
        var ids = new List<long> { 1, 2 };
        PgSql sql = $"SELECT {when}, {ids}, {(int?)null}, {Color.Green}";

        var command = sql.CreateCommand(new NpgsqlConnection());

        Assert.Equal("SELECT $1, $2, $3, $4", command.CommandText);
        Assert.Equal(when, Assert.IsType<NpgsqlParameter<DateOnly>>(command.Parameters[0]).TypedValue);
        Assert.Same(ids, Assert.IsType<NpgsqlParameter<List<long>>>(command.Parameters[1]).TypedValue);
        Assert.Null(Assert.IsType<NpgsqlParameter<int?>>(command.Parameters[2]).TypedValue);
        Assert.Equal(2, Assert.IsType<NpgsqlParameter<int>>(command.Parameters[3]).TypedValue);
        Assert.All(command.Parameters, p => Assert.Equal("", p.ParameterName));
    }

    [Fact]
    public void A_PgEnum_hole_goes_as_the_enum_for_Npgsql_to_write_by_label()
    {
        PgSql sql = $"SELECT {Mood.VeryHappy}";

        var command = sql.CreateCommand(new NpgsqlConnection());

        Assert.Equal(Mood.VeryHappy, Assert.IsType<NpgsqlParameter<Mood>>(command.Parameters[0]).TypedValue);
    }

    [Fact]
    public void A_constant_string_is_taken_as_it_is()
    {
        PgSql sql = "SELECT 1";

        Assert.Equal("SELECT 1", sql.ToString());
        Assert.Equal(0, sql.ParameterCount);
    }

    [Fact]
    public void More_holes_than_the_compiler_announced_still_work()
    {
        var sql = new PgSql(literalLength: 7, formattedCount: 0);
        sql.AppendLiteral("SELECT ");
        sql.AppendFormatted(1);
        sql.AppendLiteral(", ");
        sql.AppendFormatted("two");

        Assert.Equal("SELECT $1, $2", sql.ToString());
        Assert.Equal(2, sql.ParameterCount);
    }

    [Fact]
    public void An_empty_handler_is_refused()
    {
        var error = Assert.Throws<ArgumentException>(() => default(PgSql).CreateCommand(new NpgsqlConnection()));

        Assert.Contains("empty", error.Message);
    }
}
