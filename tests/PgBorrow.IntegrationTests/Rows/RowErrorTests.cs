using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PgBorrow.IntegrationTests.Rows;

/// <summary>Failures name the row type, the member, the column and the PostgreSQL type; extra columns are ignored.</summary>
public sealed class RowErrorTests : IClassFixture<PgDatabaseFixture>, IDisposable
{
    private readonly PgDatabaseFixture _db;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));

    public RowErrorTests(PgDatabaseFixture db) => _db = db;

    private CancellationToken Ct => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    [PgFact]
    public async Task Null_into_a_non_nullable_member_names_type_member_column_and_postgres_type()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);

        var error = await Assert.ThrowsAsync<PgRowException>(
            () => connection.QueryAsync<Item>("SELECT 1 AS id, NULL::text AS name, NULL::text AS note_text", Ct));

        Assert.Equal(PgRowErrorKind.NullIntoNonNullable, error.Kind);
        Assert.Equal("PgBorrow.IntegrationTests.Rows.Item", error.RowType);
        Assert.Equal("Name", error.Member);
        Assert.Equal("name", error.Column);
        Assert.Equal("string", error.ClrType);
        Assert.Equal("text", error.PostgresType);
        Assert.Contains("'PgBorrow.IntegrationTests.Rows.Item'", error.Message);
        Assert.Contains("column 'name' (text) is NULL", error.Message);
        Assert.Contains("member 'Name' (string) is not nullable", error.Message);
        Assert.Contains("string?", error.Message);
        Assert.IsType<InvalidCastException>(error.InnerException);
    }

    [PgFact]
    public async Task A_missing_column_lists_the_columns_that_are_there()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);

        var error = await Assert.ThrowsAsync<PgRowException>(
            () => connection.QueryAsync<Item>("SELECT 1 AS id, 'x'::text AS name, 2::bigint AS extra", Ct));

        Assert.Equal(PgRowErrorKind.MissingColumn, error.Kind);
        Assert.Equal("Note", error.Member);
        Assert.Equal("note_text", error.Column);
        Assert.Null(error.PostgresType);
        Assert.Contains("member 'Note' (string?) reads column 'note_text', which the result does not have", error.Message);
        Assert.Contains("Columns present: id (integer), name (text), extra (bigint)", error.Message);
        Assert.Contains("[PgColumn", error.Message);
    }

    [PgFact]
    public async Task A_missing_column_is_reported_even_when_there_are_no_rows()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);

        var error = await Assert.ThrowsAsync<PgRowException>(
            () => connection.QueryAsync<Item>("SELECT 1 AS id WHERE false", Ct));

        Assert.Equal("Name", error.Member);
    }

    [PgFact]
    public async Task A_statement_without_a_result_set_is_a_missing_column_with_none_present()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);

        var error = await Assert.ThrowsAsync<PgRowException>(
            () => connection.QueryAsync<Item>("SET LOCAL statement_timeout = 0", Ct));

        Assert.Contains("Columns present: none", error.Message);
    }

    [PgFact]
    public async Task An_unreadable_type_names_the_postgres_type_and_the_member_type()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);

        var error = await Assert.ThrowsAsync<PgRowException>(
            () => connection.QueryAsync<Item>("SELECT 'one'::text AS id, 'x' AS name, NULL AS note_text", Ct));

        Assert.Equal(PgRowErrorKind.UnreadableType, error.Kind);
        Assert.Equal("Id", error.Member);
        Assert.Equal("id", error.Column);
        Assert.Equal("text", error.PostgresType);
        Assert.Contains("column 'id' of PostgreSQL type text cannot be read as member 'Id' (int)", error.Message);
    }

    [PgFact]
    public async Task A_postgres_enum_read_into_an_enum_without_PgEnum_names_the_attribute_as_the_fix()
    {
        await using (var setup = await _db.DataSource.OpenConnectionAsync(Ct))
        {
            await setup.ExecuteAsync("DO $$ BEGIN CREATE TYPE shade AS ENUM ('red', 'green', 'blue'); EXCEPTION WHEN duplicate_object THEN NULL; END $$", Ct);
            await setup.ReloadTypesAsync(); // the data source learns the new type
        }

        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);

        var error = await Assert.ThrowsAsync<PgRowException>(
            () => connection.QueryAsync<ShadeRow>("SELECT 1 AS id, 'green'::shade AS shade", Ct));
        var integer = await Assert.ThrowsAsync<PgRowException>(
            () => connection.QueryAsync<ShadeRow>("SELECT 1 AS id, 'green'::text AS shade", Ct));

        Assert.Equal(PgRowErrorKind.UnreadableType, error.Kind);
        Assert.Equal("Shade", error.Member);
        Assert.Equal("shade", error.Column);
        Assert.Equal("Color", error.ClrType);
        Assert.EndsWith("shade", error.PostgresType);
        Assert.True(error.Message.Contains("cannot be read as member 'Shade' (Color)") && error.Message.Contains("mark it [PgEnum]"), error.Message);
        Assert.Contains("mark it [PgEnum]", error.Message);
        Assert.Contains("MapEnum", error.Message);
        Assert.DoesNotContain("[PgEnum]", integer.Message); // text is not a PostgreSQL enum: no such hint

        // Writing: the number goes out as an integer, which the server refuses for an enum column.
        await connection.ExecuteAsync("CREATE TEMP TABLE shade_rows (id integer, shade shade)", Ct);
        var refused = await Assert.ThrowsAsync<Npgsql.PostgresException>(() => connection.InsertAsync("shade_rows", new ShadeRow(1, Color.Green), Ct));
        Assert.Equal(Npgsql.PostgresErrorCodes.DatatypeMismatch, refused.SqlState);
    }

    [PgFact]
    public async Task A_postgres_enum_the_data_source_maps_with_MapEnum_is_read_into_an_enum_without_PgEnum_by_label()
    {
        await using (var setup = await _db.DataSource.OpenConnectionAsync(Ct))
        {
            await setup.ExecuteAsync("DO $$ BEGIN CREATE TYPE shade AS ENUM ('red', 'green', 'blue'); EXCEPTION WHEN duplicate_object THEN NULL; END $$", Ct);
            await setup.ReloadTypesAsync(); // the shared data source learns the new type
        }
        var builder = new Npgsql.NpgsqlDataSourceBuilder(_db.ConnectionString);
        builder.MapEnum<Color>("shade");
        await using var mapped = builder.Build();

        // Labels, in an order that differs from the numbers (blue = 3 is read first).
        var byLabel = await mapped.QueryAsync<ShadeRow>(
            "SELECT 1 AS id, 'blue'::shade AS shade UNION ALL SELECT 2, 'red'::shade ORDER BY id", Ct);
        var byNumber = await mapped.QueryAsync<ShadeRow>("SELECT 3 AS id, 2 AS shade", Ct);
        var unmappedColumn = await Assert.ThrowsAsync<PgRowException>(
            () => _db.DataSource.QueryAsync<ShadeRow>("SELECT 4 AS id, 'green'::shade AS shade", Ct));

        Assert.Equal(new[] { new ShadeRow(1, Color.Blue), new ShadeRow(2, Color.Red) }, byLabel);
        Assert.Equal(new[] { new ShadeRow(3, Color.Green) }, byNumber); // an integer column is still its number
        Assert.True(unmappedColumn.Message.Contains("MapEnum<Color>(\"shade\")"), unmappedColumn.Message); // without the mapping: both fixes named
        Assert.Contains("mark it [PgEnum]", unmappedColumn.Message);
    }

    [PgFact]
    public async Task The_connection_stays_usable_after_a_mapping_error()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        await Assert.ThrowsAsync<PgRowException>(
            () => connection.QueryAsync<Item>("SELECT g AS id, NULL::text AS name, NULL AS note_text FROM generate_series(1, 1000) g", Ct));

        Assert.Equal(42, await connection.ExecuteScalarAsync<int>("SELECT 42", Ct));
    }

    [PgFact]
    public async Task Extra_columns_are_ignored_column_order_does_not_matter_and_case_is_a_fallback()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);

        var item = await connection.QuerySingleAsync<Item>(
            "SELECT 'spare' AS unused, 'memo' AS note_text, now() AS at, 'pen' AS name, 7 AS id", Ct);
        var asIs = await connection.QuerySingleAsync<AsIsItem>("SELECT 9 AS itemid, 'x' AS other", Ct); // unquoted: folded to lower case
        var exact = await connection.QuerySingleAsync<AsIsItem>("""SELECT 10 AS "itemid", 11 AS "ItemId" """, Ct);

        Assert.Equal(new Item(7, "pen", "memo"), item);
        Assert.Equal(9, asIs.ItemId);
        Assert.Equal("not read", asIs.Computed);
        Assert.Equal(11, exact.ItemId); // the exact match wins over the case-insensitive one
    }

    [PgFact]
    public async Task When_two_columns_share_a_name_the_first_one_is_read()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);

        var item = await connection.QuerySingleAsync<Item>("SELECT 1 AS id, 'first' AS name, 'second' AS name, NULL AS note_text", Ct);

        Assert.Equal("first", item.Name);
    }
}

/// <summary>A C# enum without [PgEnum] (read as its integer value) over a column that may be a PostgreSQL enum.</summary>
[PgRow]
public partial record ShadeRow(int Id, Color Shade);
