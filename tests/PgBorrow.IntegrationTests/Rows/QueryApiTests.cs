using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Rows;

/// <summary>The query methods on connections, transactions and data sources.</summary>
public sealed class QueryApiTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    protected override async Task SetUpAsync()
    {
        await RowsDatabase.CreateTablesAsync(Db.DataSource, Ct);
        await Db.DataSource.ExecuteAsync("TRUNCATE items", Ct);
        await Db.DataSource.ExecuteAsync("INSERT INTO items VALUES (1, 'one', NULL), (2, 'two', 'second'), (3, 'three', NULL)", Ct);
    }

    [PgFact]
    public async Task QueryAsync_reads_every_row_in_order_with_parameters()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var minimum = 2;

        var items = await connection.QueryAsync<Item>($"SELECT id, name, note_text FROM items WHERE id >= {minimum} ORDER BY id", Ct);

        Assert.Equal(new[] { new Item(2, "two", "second"), new Item(3, "three", null) }, items);
    }

    [PgFact]
    public async Task QuerySingleAsync_wants_exactly_one_row()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        Assert.Equal("two", (await connection.QuerySingleAsync<Item>($"SELECT * FROM items WHERE id = {2}", Ct)).Name);
        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.QuerySingleAsync<Item>($"SELECT * FROM items WHERE id = {99}", Ct));
        var many = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.QuerySingleAsync<Item>("SELECT * FROM items", Ct));

        Assert.Contains("returned none", none.Message);
        Assert.Contains("more than one", many.Message);
        Assert.Equal(3, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct)); // still usable
    }

    [PgFact]
    public async Task QueryFirstOrDefaultAsync_reads_the_first_row_or_default()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var first = await connection.QueryFirstOrDefaultAsync<Item>("SELECT * FROM items ORDER BY id DESC", Ct);
        var none = await connection.QueryFirstOrDefaultAsync<AsIsItem>("SELECT 1 AS itemid WHERE false", Ct);

        Assert.Equal(3, first.Id);
        Assert.Null(none);
    }

    [PgFact]
    public async Task ExecuteScalarAsync_reads_typed_values_and_default_for_null_or_no_row()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
        Assert.Equal("two", await connection.ExecuteScalarAsync<string>($"SELECT name FROM items WHERE id = {2}", Ct));
        Assert.Null(await connection.ExecuteScalarAsync<string>($"SELECT note_text FROM items WHERE id = {1}", Ct));
        Assert.Null(await connection.ExecuteScalarAsync<int?>($"SELECT id FROM items WHERE id = {99}", Ct));
        Assert.Equal(5, await connection.ExecuteScalarAsync<int?>($"SELECT {2} + {3}", Ct));
    }

    [PgFact]
    public async Task ExecuteAsync_returns_the_affected_row_count()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var updated = await connection.ExecuteAsync($"UPDATE items SET note_text = {"noted"} WHERE id <> {2}", Ct);

        Assert.Equal(2, updated);
    }

    [PgFact]
    public async Task Transaction_overloads_run_inside_the_transaction_and_refuse_a_completed_one()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);

        await transaction.ExecuteAsync($"INSERT INTO items VALUES ({4}, {"four"}, NULL)", Ct);
        Assert.Equal(4, (await transaction.QueryAsync<Item>("SELECT * FROM items", Ct)).Count);
        Assert.Equal("four", (await transaction.QuerySingleAsync<Item>($"SELECT * FROM items WHERE id = {4}", Ct)).Name);
        Assert.Equal(3L, await Db.DataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct)); // not visible outside
        await transaction.RollbackAsync(Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => transaction.QueryAsync<Item>("SELECT * FROM items", Ct));
        Assert.Contains("completed", error.Message); // Npgsql's own message, or PgBorrow's when Connection is already null
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgFact]
    public async Task Data_source_overloads_open_and_return_a_pooled_connection()
    {
        var items = await Db.DataSource.QueryAsync<Item>("SELECT * FROM items ORDER BY id", Ct);
        var single = await Db.DataSource.QuerySingleAsync<Item>($"SELECT * FROM items WHERE id = {1}", Ct);
        var streamed = 0;
        await foreach (var item in Db.DataSource.QueryStreamAsync<Item>("SELECT * FROM items", Ct))
            streamed++;

        Assert.Equal(3, items.Count);
        Assert.Equal("one", single.Name);
        Assert.Equal(3, streamed);
    }

    [PgFact]
    public async Task An_interpolated_value_is_a_parameter_never_sql()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var hostile = "x'); DROP TABLE items; --";

        await connection.ExecuteAsync($"INSERT INTO items VALUES ({5}, {hostile}, NULL)", Ct);

        Assert.Equal(hostile, await connection.ExecuteScalarAsync<string>($"SELECT name FROM items WHERE id = {5}", Ct));
        Assert.Equal(4L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgFact]
    public async Task A_format_sets_the_parameter_type_and_enums_go_as_integers()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var document = """{"b": 1, "a": [true]}""";

        var type = await connection.ExecuteScalarAsync<string>($"SELECT pg_typeof({document:jsonb})::text", Ct);
        var normalized = await connection.ExecuteScalarAsync<string>($"SELECT ({document:jsonb})::text", Ct);
        var color = await connection.ExecuteScalarAsync<int>($"SELECT {Color.Blue}", Ct);
        var size = await connection.ExecuteScalarAsync<string>($"SELECT pg_typeof({Size.Large})::text", Ct);

        Assert.Equal("jsonb", type);
        Assert.Equal("""{"a": [true], "b": 1}""", normalized);
        Assert.Equal(3, color);
        Assert.Equal("smallint", size);
    }

    [PgFact]
    public async Task CreateCommand_gives_a_command_with_the_text_and_parameters()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        PgSql sql = $"SELECT name FROM items WHERE id = {3}";

        await using var command = sql.CreateCommand(connection);

        Assert.Equal("SELECT name FROM items WHERE id = $1", command.CommandText);
        Assert.IsType<NpgsqlParameter<int>>(Assert.Single(command.Parameters));
        Assert.Equal("three", await command.ExecuteScalarAsync(Ct));
    }
}
