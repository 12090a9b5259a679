using System.Data;
using System.Linq;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Cli.Describe;
using Xunit;

namespace PgBorrow.IntegrationTests.Prepare;

/// <summary>The pgborrow tool's describer on the real server: parameter types, columns, nullability, errors, and nothing run.</summary>
public sealed class StatementDescriberTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    protected override async Task SetUpAsync()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS d_customers (id bigint PRIMARY KEY, name text NOT NULL);
            CREATE TABLE IF NOT EXISTS d_orders (id bigint PRIMARY KEY, customer_id bigint NOT NULL, total numeric NOT NULL, note text, tags text[] NOT NULL DEFAULT '{}');
            TRUNCATE d_orders, d_customers;
            """, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    private async Task<StatementDescription> DescribeAsync(string sql)
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        return await new StatementDescriber(connection).DescribeAsync(sql, Ct);
    }

    [PgFact]
    public async Task A_select_gives_parameter_types_and_table_columns_with_their_not_null_flags()
    {
        var description = await DescribeAsync("SELECT id, total, note, tags FROM d_orders WHERE total >= $1 AND note <> $2");

        Assert.Null(description.Error);
        Assert.Equal(["numeric", "text"], description.ParameterTypes);
        Assert.Equal(["id", "total", "note", "tags"], description.Columns.Select(c => c.Name));
        Assert.Equal(["bigint", "numeric", "text", "text[]"], description.Columns.Select(c => c.Type));
        Assert.Equal([false, false, true, false], description.Columns.Select(c => c.Nullable));
        Assert.All(description.Columns, c => Assert.Equal("d_orders", c.Table));
        Assert.All(description.Columns, c => Assert.NotEqual(0u, c.TableOid));
        Assert.Equal([1, 3, 4, 5], description.Columns.Select(c => (int)c.AttributeNumber));
    }

    [PgFact]
    public async Task Expressions_and_aggregates_are_nullable_and_belong_to_no_table()
    {
        var description = await DescribeAsync("SELECT count(*) AS n, max(total) AS top, id + 1 AS next FROM d_orders GROUP BY id");

        Assert.Null(description.Error);
        Assert.Empty(description.ParameterTypes);
        Assert.Equal(["bigint", "numeric", "bigint"], description.Columns.Select(c => c.Type));
        Assert.All(description.Columns, c => Assert.True(c.Nullable));
        Assert.All(description.Columns, c => Assert.Null(c.Table));
        Assert.All(description.Columns, c => Assert.Equal(0, c.AttributeNumber));
    }

    [PgFact]
    public async Task An_outer_join_makes_every_column_nullable_and_an_inner_join_does_not()
    {
        var outer = await DescribeAsync("SELECT c.name, o.total FROM d_customers c LEFT JOIN d_orders o ON o.customer_id = c.id");
        var inner = await DescribeAsync("SELECT c.name, o.total FROM d_customers c JOIN d_orders o ON o.customer_id = c.id");

        Assert.All(outer.Columns, c => Assert.True(c.Nullable));
        Assert.All(inner.Columns, c => Assert.False(c.Nullable));
        Assert.Equal(["d_customers", "d_orders"], inner.Columns.Select(c => c.Table));
    }

    [PgFact]
    public async Task An_insert_without_returning_has_parameters_and_no_columns_and_is_not_run()
    {
        var description = await DescribeAsync("INSERT INTO d_orders (id, customer_id, total) VALUES ($1, $2, $3)");

        Assert.Null(description.Error);
        Assert.Equal(["bigint", "bigint", "numeric"], description.ParameterTypes);
        Assert.Empty(description.Columns);
        Assert.Equal(0L, await CountOrdersAsync());
    }

    [PgFact]
    public async Task Npgsql_schema_only_does_not_execute_the_statement_even_outside_a_transaction()
    {
        // The describer rolls back anyway; this checks the Npgsql fact it relies on, with no transaction around it.
        await using (var connection = await Db.DataSource.OpenConnectionAsync(Ct))
        await using (var command = new NpgsqlCommand("INSERT INTO d_orders (id, customer_id, total) VALUES (1, 1, 10) RETURNING id", connection))
        await using (var reader = await command.ExecuteReaderAsync(CommandBehavior.SchemaOnly, Ct))
        {
            Assert.Equal("id", reader.GetName(0));
            Assert.False(await reader.ReadAsync(Ct));
        }

        Assert.Equal(0L, await CountOrdersAsync());
    }

    [PgFact]
    public async Task An_unknown_column_returns_the_server_message_sqlstate_and_position()
    {
        const string sql = "SELECT id, totl FROM d_orders";
        var description = await DescribeAsync(sql);

        Assert.NotNull(description.Error);
        Assert.Equal("42703", description.Error.SqlState);
        Assert.Contains("totl", description.Error.Message);
        Assert.Equal(sql.IndexOf("totl") + 1, description.Error.Position);
        Assert.Empty(description.Columns);
    }

    [PgFact]
    public async Task A_syntax_error_is_reported_and_the_connection_stays_usable()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var describer = new StatementDescriber(connection);

        var broken = await describer.DescribeAsync("SELEC id FROM d_orders", Ct);
        var next = await describer.DescribeAsync("SELECT id FROM d_orders WHERE id = $1", Ct);

        Assert.Equal("42601", broken.Error?.SqlState);
        Assert.Equal(1, broken.Error?.Position);
        Assert.Null(next.Error);
        Assert.Equal(["bigint"], next.ParameterTypes);
    }

    private async Task<long> CountOrdersAsync()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var count = new NpgsqlCommand("SELECT count(*) FROM d_orders", connection);
        return (long)(await count.ExecuteScalarAsync(Ct))!;
    }
}
