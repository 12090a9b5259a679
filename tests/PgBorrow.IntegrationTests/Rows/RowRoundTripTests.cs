using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Rows;

/// <summary>
/// Every type of this version makes the round trip: written through PgSql's typed parameters, read
/// back through the generated mapping, compared member by member. Nullable forms read NULL as null.
/// </summary>
public sealed class RowRoundTripTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    protected override async Task SetUpAsync()
    {
        await RowsDatabase.CreateTablesAsync(Db.DataSource, Ct);
        await Db.DataSource.ExecuteAsync("TRUNCATE row_types", Ct);
    }

    private Task<int> InsertAsync(NpgsqlConnection connection, AllTypesRow row)
    {
        // Enum arrays go as their integer arrays (PgSql converts single enums only).
        var colors = row.ColorArray.Select(c => (int)c).ToArray();
        var sizes = row.SizeList.Select(s => (short)s).ToArray();
        return connection.ExecuteAsync($"""
            INSERT INTO row_types (id, bool_value, byte_value, s_byte_value, short_value, int_value, long_value, float_value,
                double_value, decimal_value, text_value, char_value, guid_value, bytes_value, utc_timestamp, local_timestamp,
                offset_value, date_value, time_value, interval_value, color_value, size_value, int_array, text_array, long_list,
                guid_array, date_array, color_array, size_list, nullable_int_array, nullable_text_array)
            VALUES ({row.Id}, {row.BoolValue}, {row.ByteValue}, {row.SByteValue}, {row.ShortValue}, {row.IntValue}, {row.LongValue},
                {row.FloatValue}, {row.DoubleValue}, {row.DecimalValue}, {row.TextValue}, {row.CharValue}, {row.GuidValue},
                {row.BytesValue}, {row.UtcTimestamp}, {row.LocalTimestamp}, {row.OffsetValue}, {row.DateValue}, {row.TimeValue},
                {row.IntervalValue}, {row.ColorValue}, {row.SizeValue}, {row.IntArray}, {row.TextArray}, {row.LongList},
                {row.GuidArray}, {row.DateArray}, {colors}, {sizes}, {row.NullableIntArray}, {row.NullableTextArray})
            """, Ct);
    }

    [PgFact]
    public async Task Every_supported_type_round_trips_through_parameters_and_the_generated_mapping()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var written = RowSamples.AllTypes(1);

        Assert.Equal(1, await InsertAsync(connection, written));
        var read = await connection.QuerySingleAsync<AllTypesRow>($"SELECT * FROM row_types WHERE id = {1}", Ct);

        RowSamples.AssertSame(written, read);
    }

    [PgFact]
    public async Task Nullable_members_read_NULL_as_null_and_values_as_values()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var written = RowSamples.AllTypes(2);
        await InsertAsync(connection, written);
        await connection.ExecuteAsync($"INSERT INTO row_types (id) VALUES ({3})", Ct);

        var rows = await connection.QueryAsync<NullableTypesRow>($"SELECT * FROM row_types WHERE id IN ({2}, {3}) ORDER BY id", Ct);

        Assert.Equal(2, rows.Count);
        var values = rows[0];
        Assert.Equal(written.BoolValue, values.BoolValue);
        Assert.Equal(written.ByteValue, values.ByteValue);
        Assert.Equal(written.SByteValue, values.SByteValue);
        Assert.Equal(written.ShortValue, values.ShortValue);
        Assert.Equal(written.IntValue, values.IntValue);
        Assert.Equal(written.LongValue, values.LongValue);
        Assert.Equal(written.FloatValue, values.FloatValue);
        Assert.Equal(written.DoubleValue, values.DoubleValue);
        Assert.Equal(written.DecimalValue, values.DecimalValue);
        Assert.Equal(written.TextValue, values.TextValue);
        Assert.Equal(written.CharValue, values.CharValue);
        Assert.Equal(written.GuidValue, values.GuidValue);
        Assert.Equal(written.BytesValue, values.BytesValue);
        Assert.Equal(written.UtcTimestamp, values.UtcTimestamp);
        Assert.Equal(written.LocalTimestamp, values.LocalTimestamp);
        Assert.Equal(written.OffsetValue, values.OffsetValue);
        Assert.Equal(written.DateValue, values.DateValue);
        Assert.Equal(written.TimeValue, values.TimeValue);
        Assert.Equal(written.IntervalValue, values.IntervalValue);
        Assert.Equal(written.ColorValue, values.ColorValue);
        Assert.Equal(written.SizeValue, values.SizeValue);
        Assert.Equal(written.IntArray, values.IntArray);
        Assert.Equal(written.TextArray, values.TextArray);
        Assert.Equal(written.LongList, values.LongList);
        Assert.Equal(written.GuidArray, values.GuidArray);
        Assert.Equal(written.DateArray, values.DateArray);
        Assert.Equal(written.ColorArray, values.ColorArray);
        Assert.Equal(written.SizeList, values.SizeList);
        Assert.Equal(written.NullableIntArray, values.NullableIntArray);
        Assert.Equal(written.NullableTextArray, values.NullableTextArray);

        Assert.Equal(new NullableTypesRow(3, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null,
            null, null, null, null, null, null, null, null, null, null, null, null, null, null, null), rows[1]);
    }

    [PgFact]
    public async Task Nullable_parameters_write_NULL()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        int? noInt = null;
        string? noText = null;
        Guid? noGuid = null;
        int[]? noArray = null;

        await connection.ExecuteAsync(
            $"INSERT INTO row_types (id, int_value, text_value, guid_value, int_array) VALUES ({4}, {noInt}, {noText}, {noGuid}, {noArray})", Ct);

        var row = await connection.QuerySingleAsync<NullableTypesRow>($"SELECT * FROM row_types WHERE id = {4}", Ct);
        Assert.Null(row.IntValue);
        Assert.Null(row.TextValue);
        Assert.Null(row.GuidValue);
        Assert.Null(row.IntArray);
    }
}
