using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using NpgsqlTypes;
using Xunit;

namespace PgBorrow.IntegrationTests.Rows;

/// <summary>
/// The generated writers on the real server: every type round-trips through binary COPY
/// (<c>CopyInAsync</c>) and through insert parameters (<c>InsertAsync</c>), a failed or cancelled
/// COPY leaves no row behind, and bad input is refused before anything is sent.
/// </summary>
public sealed class CopyAndInsertTests(PgDatabaseFixture db) : PgDatabaseTests(db, timeoutSeconds: 120)
{
    protected override async Task SetUpAsync()
    {
        await RowsDatabase.CreateTablesAsync(Db.DataSource, Ct);
        await Db.DataSource.ExecuteAsync("TRUNCATE row_types, pg_types, items", Ct);
    }

    [PgFact]
    public async Task Every_type_round_trips_through_binary_COPY()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var written = new[] { RowSamples.AllTypes(10), RowSamples.AllTypes(11) };

        var copied = await connection.CopyInAsync("row_types", written, Ct);

        Assert.Equal(2UL, copied);
        var read = await connection.QueryAsync<AllTypesRow>("SELECT * FROM row_types WHERE id IN (10, 11) ORDER BY id", Ct);
        Assert.Equal(2, read.Count);
        RowSamples.AssertSame(written[0], read[0]);
        RowSamples.AssertSame(written[1], read[1]);
    }

    [PgFact]
    public async Task Every_type_round_trips_through_insert_parameters()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var written = RowSamples.AllTypes(20);

        Assert.Equal(1, await connection.InsertAsync("row_types", written, Ct));

        RowSamples.AssertSame(written, await connection.QuerySingleAsync<AllTypesRow>($"SELECT * FROM row_types WHERE id = {20}", Ct));
    }

    [PgFact]
    public async Task Nullable_members_write_NULL_through_COPY_and_parameters()
    {
        var empty = new NullableTypesRow(30, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, null);
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await connection.CopyInAsync("row_types", new[] { empty }, Ct);
        await connection.InsertAsync("row_types", empty with { Id = 31 }, Ct);

        var read = await connection.QueryAsync<NullableTypesRow>("SELECT * FROM row_types WHERE id IN (30, 31) ORDER BY id", Ct);
        Assert.Equal(new[] { empty, empty with { Id = 31 } }, read);
        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM row_types WHERE id IN (30, 31) AND int_value IS NULL AND text_value IS NULL AND int_array IS NULL", Ct));
    }

    [PgFact]
    public async Task Postgres_enums_json_network_and_range_types_round_trip_through_COPY_and_parameters()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await connection.ReloadTypesAsync(); // the mood type was created after the data source loaded its types
        var full = RowSamples.PostgresTypes(1);
        var sparse = new PostgresTypesRow(2, Mood.Sad, null, new Dimensions(0, 0, new List<string>()), null, null, null, null,
            NpgsqlRange<int>.Empty, null);

        await connection.CopyInAsync("pg_types", new[] { full, sparse }, Ct);
        await connection.InsertAsync("pg_types", full with { Id = 3 }, Ct);
        await connection.InsertAsync("pg_types", sparse with { Id = 4 }, Ct);

        var read = await connection.QueryAsync<PostgresTypesRow>("SELECT * FROM pg_types ORDER BY id", Ct);
        Assert.Equal(4, read.Count);
        RowSamples.AssertSame(full, read[0]);
        RowSamples.AssertSame(sparse, read[1]);
        RowSamples.AssertSame(full with { Id = 3 }, read[2]);
        RowSamples.AssertSame(sparse with { Id = 4 }, read[3]);

        // The server holds real enum labels and JSON documents, not integers or quoted strings.
        Assert.Equal("meh!", await connection.ExecuteScalarAsync<string>("SELECT mood::text FROM pg_types WHERE id = 1", Ct));
        Assert.Equal(2.5, await connection.ExecuteScalarAsync<double>("SELECT (size->>'Width')::float8 FROM pg_types WHERE id = 3", Ct));
        Assert.Equal("array", await connection.ExecuteScalarAsync<string>("SELECT json_typeof(variants) FROM pg_types WHERE id = 1", Ct));
    }

    [PgFact]
    public async Task A_PgEnum_in_a_SQL_hole_is_written_by_label_once_the_data_source_maps_it()
    {
        await using (var setup = await Db.DataSource.OpenConnectionAsync(Ct))
        {
            await setup.ReloadTypesAsync();
            await setup.CopyInAsync("pg_types", new[] { RowSamples.PostgresTypes(1), RowSamples.PostgresTypes(2) with { Mood = Mood.Sad } }, Ct);
        }

        var builder = new NpgsqlDataSourceBuilder(Db.ConnectionString);
        builder.MapEnum<Mood>("mood");
        await using var mapped = builder.Build();

        var sad = await mapped.QueryAsync<PostgresTypesRow>($"SELECT * FROM pg_types WHERE mood = {Mood.Sad}", Ct);

        Assert.Equal(2, Assert.Single(sad).Id);
    }

    [PgFact]
    public async Task COPY_runs_inside_the_callers_transaction()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using (var transaction = await connection.BeginTransactionAsync(Ct))
        {
            await transaction.CopyInAsync("items", Items(100, 3), Ct);
            Assert.Equal(3L, await transaction.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
            await transaction.RollbackAsync(Ct);
        }

        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
        Assert.Equal(5UL, await Db.DataSource.CopyInAsync("items", Items(200, 5), Ct));
        Assert.Equal(5L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgFact]
    public async Task An_async_stream_of_rows_is_copied_as_it_is_produced()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var copied = await connection.CopyInAsync("items", ProduceAsync(50_000), Ct);

        Assert.Equal(50_000UL, copied);
        Assert.Equal(50_000L * 50_001 / 2, await connection.ExecuteScalarAsync<long>("SELECT sum(id) FROM items", Ct));
    }

    [PgFact]
    public async Task A_failure_while_enumerating_rows_cancels_the_COPY_and_keeps_no_row()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.CopyInAsync("items", FailAfter(1_000), Ct));

        Assert.Equal("source failed", error.Message);
        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgFact]
    public async Task Cancelling_a_COPY_keeps_no_row_and_leaves_the_connection_usable()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => connection.CopyInAsync("items", CancelAfter(cancel, 5_000), cancel.Token));

        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgFact]
    public async Task A_value_Npgsql_cannot_write_names_the_row_type_member_and_column_and_no_row_is_kept()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var rows = new[] { RowSamples.AllTypes(41), WithNonUtcOffset(RowSamples.AllTypes(40)) };

        var error = await Assert.ThrowsAsync<PgRowException>(() => connection.CopyInAsync("row_types", rows, Ct));

        Assert.Equal(PgRowErrorKind.UnwritableValue, error.Kind);
        Assert.Equal(typeof(AllTypesRow).FullName, error.RowType);
        Assert.Equal(nameof(AllTypesRow.OffsetValue), error.Member);
        Assert.Equal("offset_value", error.Column);
        Assert.Contains("AllTypesRow", error.Message);
        // Npgsql closes a connection whose COPY failed mid-row; the server discarded the COPY.
        Assert.Equal(0L, await Db.DataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM row_types", Ct));
    }

    [PgFact]
    public async Task A_type_mismatch_found_by_the_server_fails_the_whole_COPY()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        // Item.Id is an int; the copy goes to a table whose id is bigint, which binary COPY does not convert.
        await connection.ExecuteAsync("CREATE TABLE IF NOT EXISTS wide_items (id bigint, name text, note_text text)", Ct);

        var error = await Assert.ThrowsAsync<PostgresException>(() => connection.CopyInAsync("wide_items", Items(1, 3), Ct));

        // int4 bytes for an int8 column: "insufficient data left in message" (08P01), in the context of the column.
        Assert.True(error.SqlState is PostgresErrorCodes.ProtocolViolation or PostgresErrorCodes.InvalidBinaryRepresentation, error.SqlState + ": " + error.Message);
        Assert.Contains("wide_items", error.Where);
        Assert.Contains("column id", error.Where);
        // A protocol violation ends the session; the server discarded the COPY.
        Assert.Equal(0L, await Db.DataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM wide_items", Ct));
    }

    [PgFact]
    public async Task Table_names_are_taken_as_SQL_writes_them_and_anything_else_is_refused_before_it_is_sent()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync("""CREATE SCHEMA IF NOT EXISTS "Sales"; CREATE TABLE IF NOT EXISTS "Sales"."Items" (id integer, name text, note_text text)""", Ct);

        Assert.Equal(2UL, await connection.CopyInAsync("\"Sales\".\"Items\"", Items(1, 2), Ct));
        Assert.Equal(1UL, await connection.CopyInAsync("public.items", Items(1, 1), Ct));
        Assert.Equal(1, await connection.InsertAsync("items", new Item(2, "two", null), Ct));

        foreach (var bad in new[] { "items; DROP TABLE items", "items (id)", "", "1items", "\"unterminated", "a.b.c.d", "items--", "\"\"" })
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => connection.CopyInAsync(bad, Items(1, 1), Ct));
            Assert.Equal("table", error.ParamName);
            await Assert.ThrowsAsync<ArgumentException>(() => connection.InsertAsync(bad, new Item(9, "x", null), Ct));
        }

        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgFact]
    public async Task An_unknown_enum_label_and_broken_JSON_are_reported_with_the_member_and_column()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await connection.ReloadTypesAsync();
        const string Row = "SELECT 1 AS id, 'ok'::mood AS mood, NULL::mood AS optional_mood, '{\"Width\":1,\"Height\":2,\"Labels\":[]}'::jsonb AS size, "
            + "NULL::json AS variants, NULL::jsonb AS counters, NULL::jsonb AS raw, NULL::inet AS origin, 'empty'::int4range AS quantities, NULL::tstzrange AS \"window\"";

        Assert.Equal(Mood.Ok, (await connection.QuerySingleAsync<PostgresTypesRow>(Row, Ct)).Mood);

        await connection.ExecuteAsync("ALTER TYPE mood ADD VALUE IF NOT EXISTS 'furious'", Ct);
        var label = await Assert.ThrowsAsync<PgRowException>(() => connection.QuerySingleAsync<PostgresTypesRow>(Row.Replace("'ok'::mood", "'furious'::mood"), Ct));
        Assert.Equal(PgRowErrorKind.UnreadableType, label.Kind);
        Assert.Equal(nameof(PostgresTypesRow.Mood), label.Member);
        Assert.Contains("furious", label.Message);

        var json = await Assert.ThrowsAsync<PgRowException>(() => connection.QuerySingleAsync<PostgresTypesRow>(Row.Replace("{\"Width\":1", "{\"Width\":\"wide\""), Ct));
        Assert.Equal(nameof(PostgresTypesRow.Size), json.Member);
        Assert.Equal("size", json.Column);
        Assert.Equal("jsonb", json.PostgresType);
        Assert.IsAssignableFrom<JsonException>(json.InnerException);

        var nullDocument = await Assert.ThrowsAsync<PgRowException>(() => connection.QuerySingleAsync<PostgresTypesRow>(Row.Replace("'{\"Width\":1,\"Height\":2,\"Labels\":[]}'::jsonb", "'null'::jsonb"), Ct));
        Assert.Equal(nameof(PostgresTypesRow.Size), nullDocument.Member);
    }

    private static AllTypesRow WithNonUtcOffset(AllTypesRow row)
        => new()
        {
            Id = row.Id, BoolValue = row.BoolValue, ByteValue = row.ByteValue, SByteValue = row.SByteValue, ShortValue = row.ShortValue,
            IntValue = row.IntValue, LongValue = row.LongValue, FloatValue = row.FloatValue, DoubleValue = row.DoubleValue,
            DecimalValue = row.DecimalValue, TextValue = row.TextValue, CharValue = row.CharValue, GuidValue = row.GuidValue,
            BytesValue = row.BytesValue,
            UtcTimestamp = row.UtcTimestamp, LocalTimestamp = row.LocalTimestamp,
            OffsetValue = row.OffsetValue.ToOffset(TimeSpan.FromHours(2)), // Npgsql writes timestamptz from UTC offsets only DateValue = row.DateValue, TimeValue = row.TimeValue,
            IntervalValue = row.IntervalValue, ColorValue = row.ColorValue, SizeValue = row.SizeValue, IntArray = row.IntArray,
            TextArray = row.TextArray, LongList = row.LongList, GuidArray = row.GuidArray, DateArray = row.DateArray,
            ColorArray = row.ColorArray, SizeList = row.SizeList, NullableIntArray = row.NullableIntArray, NullableTextArray = row.NullableTextArray,
        };

    private static IEnumerable<Item> Items(int first, int count)
        => Enumerable.Range(first, count).Select(id => new Item(id, "item " + id, id % 2 == 0 ? null : "odd"));

    private static async IAsyncEnumerable<Item> ProduceAsync(int count)
    {
        for (var id = 1; id <= count; id++)
        {
            if (id % 10_000 == 0)
                await Task.Yield();
            yield return new Item(id, "item " + id, null);
        }
    }

    private static IEnumerable<Item> FailAfter(int count)
    {
        foreach (var item in Items(1, count))
            yield return item;
        throw new InvalidOperationException("source failed");
    }

    private static async IAsyncEnumerable<Item> CancelAfter(CancellationTokenSource cancel, int count, [EnumeratorCancellation] CancellationToken ct = default)
    {
        for (var id = 1; ; id++)
        {
            if (id == count)
                cancel.Cancel();
            ct.ThrowIfCancellationRequested();
            await Task.Yield();
            yield return new Item(id, "item " + id, null);
        }
    }
}
