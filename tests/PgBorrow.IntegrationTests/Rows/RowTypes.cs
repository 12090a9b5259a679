using System;
using System.Collections.Generic;

namespace PgBorrow.IntegrationTests.Rows;

public enum Color { Red = 1, Green = 2, Blue = 3 }

public enum Size : short { Small = 1, Large = 2 }

/// <summary>One member of every type of this version, non-nullable. Table: <see cref="RowsDatabase.TypesTable"/>.</summary>
[PgRow]
public sealed partial class AllTypesRow
{
    public int Id { get; init; }
    public bool BoolValue { get; init; }
    public byte ByteValue { get; init; }
    public sbyte SByteValue { get; init; }
    public short ShortValue { get; init; }
    public int IntValue { get; init; }
    public long LongValue { get; init; }
    public float FloatValue { get; init; }
    public double DoubleValue { get; init; }
    public decimal DecimalValue { get; init; }
    public string TextValue { get; init; } = "";
    public char CharValue { get; init; }
    public Guid GuidValue { get; init; }
    public byte[] BytesValue { get; init; } = Array.Empty<byte>();
    public DateTime UtcTimestamp { get; init; }
    public DateTime LocalTimestamp { get; init; }
    public DateTimeOffset OffsetValue { get; init; }
    public DateOnly DateValue { get; init; }
    public TimeOnly TimeValue { get; init; }
    public TimeSpan IntervalValue { get; init; }
    public Color ColorValue { get; init; }
    public Size SizeValue { get; init; }
    public int[] IntArray { get; init; } = Array.Empty<int>();
    public string[] TextArray { get; init; } = Array.Empty<string>();
    public List<long> LongList { get; init; } = new();
    public Guid[] GuidArray { get; init; } = Array.Empty<Guid>();
    public DateOnly[] DateArray { get; init; } = Array.Empty<DateOnly>();
    public Color[] ColorArray { get; init; } = Array.Empty<Color>();
    public List<Size> SizeList { get; init; } = new();
    public int?[] NullableIntArray { get; init; } = Array.Empty<int?>();
    public string?[] NullableTextArray { get; init; } = Array.Empty<string?>();
}

/// <summary>The nullable form of every type, as a positional record. Same table as <see cref="AllTypesRow"/>.</summary>
[PgRow]
public sealed partial record NullableTypesRow(
    int Id,
    bool? BoolValue,
    byte? ByteValue,
    sbyte? SByteValue,
    short? ShortValue,
    int? IntValue,
    long? LongValue,
    float? FloatValue,
    double? DoubleValue,
    decimal? DecimalValue,
    string? TextValue,
    char? CharValue,
    Guid? GuidValue,
    byte[]? BytesValue,
    DateTime? UtcTimestamp,
    DateTime? LocalTimestamp,
    DateTimeOffset? OffsetValue,
    DateOnly? DateValue,
    TimeOnly? TimeValue,
    TimeSpan? IntervalValue,
    Color? ColorValue,
    Size? SizeValue,
    int[]? IntArray,
    string[]? TextArray,
    List<long>? LongList,
    Guid[]? GuidArray,
    DateOnly[]? DateArray,
    Color[]? ColorArray,
    List<Size>? SizeList,
    int?[]? NullableIntArray,
    string?[]? NullableTextArray);

/// <summary>A small row for the error, naming and streaming tests.</summary>
[PgRow]
public partial record struct Item(int Id, string Name, [PgColumn("note_text")] string? Note);

/// <summary>As-is naming: the member name is the column name (matched ignoring case when needed).</summary>
[PgRow(Naming = PgNaming.AsIs)]
public partial class AsIsItem
{
    public required int ItemId { get; init; }
    [PgIgnore] public string Computed { get; set; } = "not read";
}

/// <summary>A PostgreSQL enum (<c>CREATE TYPE mood AS ENUM</c>), read and written by label.</summary>
[PgEnum]
public enum Mood { Sad, Ok, VeryHappy, [NpgsqlTypes.PgName("meh!")] Meh }

/// <summary>A document stored in a jsonb column.</summary>
public sealed record Dimensions(double Width, double Height, List<string> Labels);

/// <summary>System.Text.Json's source-generated type information for the [PgJson] members below.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(Dimensions))]
[System.Text.Json.Serialization.JsonSerializable(typeof(List<Dimensions>))]
public sealed partial class RowsJsonContext : System.Text.Json.Serialization.JsonSerializerContext
{
}

/// <summary>PostgreSQL enums, JSON, network and range types. Table: <c>pg_types</c>.</summary>
[PgRow]
public sealed partial record PostgresTypesRow(
    int Id,
    Mood Mood,
    Mood? OptionalMood,
    [PgJson(typeof(RowsJsonContext))] Dimensions Size,
    [PgJson(typeof(RowsJsonContext), DataTypeName = "json")] List<Dimensions>? Variants,
    [PgJson] Dictionary<string, int>? Counters,
    System.Text.Json.JsonDocument? Raw,
    System.Net.IPAddress? Origin,
    NpgsqlTypes.NpgsqlRange<int> Quantities,
    NpgsqlTypes.NpgsqlRange<DateTime>? Window);
