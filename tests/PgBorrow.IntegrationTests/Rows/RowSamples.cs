using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.Json;
using NpgsqlTypes;
using Xunit;

namespace PgBorrow.IntegrationTests.Rows;

/// <summary>Sample rows with a value in every member, and member-by-member comparisons.</summary>
internal static class RowSamples
{
    public static AllTypesRow AllTypes(int id) => new()
    {
        Id = id,
        BoolValue = true,
        ByteValue = 200,
        SByteValue = -100,
        ShortValue = -32768,
        IntValue = int.MaxValue,
        LongValue = long.MinValue,
        FloatValue = 1.5f,
        DoubleValue = Math.PI,
        DecimalValue = 12345678901234567890.123456789m,
        TextValue = "héllo, 'world'; DROP TABLE row_types; --",
        CharValue = 'Z',
        GuidValue = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        BytesValue = new byte[] { 0, 1, 2, 254, 255 },
        UtcTimestamp = new DateTime(2024, 2, 29, 13, 45, 7, 123, DateTimeKind.Utc).AddTicks(4560),
        LocalTimestamp = new DateTime(1999, 12, 31, 23, 59, 59, DateTimeKind.Unspecified),
        OffsetValue = new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero),
        DateValue = new DateOnly(1970, 1, 1),
        TimeValue = new TimeOnly(23, 59, 58, 999),
        IntervalValue = TimeSpan.FromHours(49.5),
        ColorValue = Color.Blue,
        SizeValue = Size.Large,
        IntArray = new[] { 1, -2, 3 },
        TextArray = new[] { "a", "b,c", "\"d\"" },
        LongList = new List<long> { long.MaxValue, 0 },
        GuidArray = new[] { Guid.Empty, Guid.Parse("6f9619ff-8b86-d011-b42d-00cf4fc964ff") },
        DateArray = new[] { new DateOnly(2000, 1, 1), new DateOnly(2100, 12, 31) },
        ColorArray = new[] { Color.Red, Color.Green },
        SizeList = new List<Size> { Size.Small, Size.Large, Size.Small },
        NullableIntArray = new int?[] { 1, null, 3 },
        NullableTextArray = new string?[] { null, "x" },
    };

    public static PostgresTypesRow PostgresTypes(int id) => new(
        id,
        Mood.Meh,
        Mood.VeryHappy,
        new Dimensions(2.5, 4, new List<string> { "boxed", "fragile" }),
        new List<Dimensions> { new(1, 1, new List<string>()), new(3, 0.5, new List<string> { "flat" }) },
        new Dictionary<string, int> { ["views"] = 42, ["likes"] = -1 },
        JsonDocument.Parse("""{"nested": {"array": [1, "two", null, true]}}"""),
        IPAddress.Parse("2001:db8::1"),
        new NpgsqlRange<int>(1, true, 10, false),
        new NpgsqlRange<DateTime>(new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc), true, new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc), false));

    public static void AssertSame(AllTypesRow expected, AllTypesRow actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.BoolValue, actual.BoolValue);
        Assert.Equal(expected.ByteValue, actual.ByteValue);
        Assert.Equal(expected.SByteValue, actual.SByteValue);
        Assert.Equal(expected.ShortValue, actual.ShortValue);
        Assert.Equal(expected.IntValue, actual.IntValue);
        Assert.Equal(expected.LongValue, actual.LongValue);
        Assert.Equal(expected.FloatValue, actual.FloatValue);
        Assert.Equal(expected.DoubleValue, actual.DoubleValue);
        Assert.Equal(expected.DecimalValue, actual.DecimalValue);
        Assert.Equal(expected.TextValue, actual.TextValue);
        Assert.Equal(expected.CharValue, actual.CharValue);
        Assert.Equal(expected.GuidValue, actual.GuidValue);
        Assert.Equal(expected.BytesValue, actual.BytesValue);
        Assert.Equal(expected.UtcTimestamp, actual.UtcTimestamp);
        Assert.Equal(DateTimeKind.Utc, actual.UtcTimestamp.Kind);
        Assert.Equal(expected.LocalTimestamp, actual.LocalTimestamp);
        Assert.Equal(expected.OffsetValue, actual.OffsetValue);
        Assert.Equal(expected.DateValue, actual.DateValue);
        Assert.Equal(expected.TimeValue, actual.TimeValue);
        Assert.Equal(expected.IntervalValue, actual.IntervalValue);
        Assert.Equal(expected.ColorValue, actual.ColorValue);
        Assert.Equal(expected.SizeValue, actual.SizeValue);
        Assert.Equal(expected.IntArray, actual.IntArray);
        Assert.Equal(expected.TextArray, actual.TextArray);
        Assert.Equal(expected.LongList, actual.LongList);
        Assert.Equal(expected.GuidArray, actual.GuidArray);
        Assert.Equal(expected.DateArray, actual.DateArray);
        Assert.Equal(expected.ColorArray, actual.ColorArray);
        Assert.Equal(expected.SizeList, actual.SizeList);
        Assert.Equal(expected.NullableIntArray, actual.NullableIntArray);
        Assert.Equal(expected.NullableTextArray, actual.NullableTextArray);
    }

    public static void AssertSame(PostgresTypesRow expected, PostgresTypesRow actual)
    {
        Assert.Equal(expected.Id, actual.Id);
        Assert.Equal(expected.Mood, actual.Mood);
        Assert.Equal(expected.OptionalMood, actual.OptionalMood);
        Assert.Equal(expected.Size.Width, actual.Size.Width);
        Assert.Equal(expected.Size.Height, actual.Size.Height);
        Assert.Equal(expected.Size.Labels, actual.Size.Labels);
        Assert.Equal(expected.Variants?.Select(v => (v.Width, v.Height, string.Join("|", v.Labels))), actual.Variants?.Select(v => (v.Width, v.Height, string.Join("|", v.Labels))));
        Assert.Equal(expected.Counters, actual.Counters);
        Assert.Equal(expected.Raw is null, actual.Raw is null);
        if (expected.Raw is not null)
            Assert.True(JsonElement.DeepEquals(expected.Raw.RootElement, actual.Raw!.RootElement), actual.Raw.RootElement.GetRawText());
        Assert.Equal(expected.Origin, actual.Origin);
        Assert.Equal(expected.Quantities, actual.Quantities);
        Assert.Equal(expected.Window, actual.Window);
    }
}
