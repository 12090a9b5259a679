namespace PgBorrow.Tests.Generators;

/// <summary>Row types the generator tests share.</summary>
internal static class PgRowSources
{
    public const string Record = """
        namespace Shop;

        public enum OrderStatus { Pending, Paid, Shipped }

        [PgRow]
        public partial record Order(
            int Id,
            [PgColumn("customer")] string CustomerName,
            decimal Total,
            string? Note,
            OrderStatus Status,
            [property: PgColumn("placed")] DateTimeOffset PlacedAt);
        """;

    public const string Class = """
        namespace Shop;

        [PgRow(Naming = PgNaming.AsIs)]
        public partial class Customer
        {
            public required int Id { get; init; }
            public string Name { get; set; } = "";
            public string? Email { get; set; }
            public DateOnly? Birthday { get; private set; }
            [PgColumn("vip")] public bool IsVip { get; set; }
            [PgIgnore] public int CachedScore { get; set; }
            public string DisplayName => Name + " <" + Email + ">";
        }
        """;

    public const string Structs = """
        namespace Geo;

        [PgRow]
        public partial struct Point
        {
            public double X { get; set; }
            public double Y { get; set; }
        }

        [PgRow]
        public readonly partial record struct Tile(long TileId, short Zoom, byte[]? Image, Guid? OwnerId);
        """;

    public const string Nested = """
        public static partial class Reports
        {
            internal partial class Monthly<T>
            {
                [PgRow]
                internal sealed partial class Line
                {
                    public Line(int lineNo, string HTTPStatus) { LineNo = lineNo; Status = HTTPStatus; }
                    public int LineNo { get; }
                    public string Status { get; }
                    public TimeSpan? Elapsed { get; set; }
                }
            }
        }
        """;

    /// <summary>One member of every type this version supports, plain and nullable.</summary>
    public const string AllTypes = """
        namespace Types;

        public enum Color { Red = 1, Green = 2, Blue = 3 }
        public enum Size : short { Small, Large }
        public enum Big : long { One = 1 }
        public enum Tiny : byte { Zero, One }

        [PgRow]
        public sealed partial class Everything
        {
            public bool Bool { get; set; }
            public byte Byte { get; set; }
            public sbyte SByte { get; set; }
            public short Short { get; set; }
            public int Int { get; set; }
            public long Long { get; set; }
            public float Float { get; set; }
            public double Double { get; set; }
            public decimal Decimal { get; set; }
            public string String { get; set; } = "";
            public char Char { get; set; }
            public Guid Guid { get; set; }
            public byte[] Bytes { get; set; } = Array.Empty<byte>();
            public DateTime DateTime { get; set; }
            public DateTimeOffset DateTimeOffset { get; set; }
            public DateOnly DateOnly { get; set; }
            public TimeOnly TimeOnly { get; set; }
            public TimeSpan TimeSpan { get; set; }
            public Color Color { get; set; }
            public Size Size { get; set; }
            public Big Big { get; set; }
            public Tiny Tiny { get; set; }
            public int[] IntArray { get; set; } = Array.Empty<int>();
            public string[] StringArray { get; set; } = Array.Empty<string>();
            public List<long> LongList { get; set; } = new();
            public Guid[] GuidArray { get; set; } = Array.Empty<Guid>();
            public DateOnly[] DateArray { get; set; } = Array.Empty<DateOnly>();
            public Color[] ColorArray { get; set; } = Array.Empty<Color>();
            public List<Size> SizeList { get; set; } = new();
            public int?[] NullableIntArray { get; set; } = Array.Empty<int?>();
            public string?[] NullableStringArray { get; set; } = Array.Empty<string?>();

            public bool? NullableBool { get; set; }
            public byte? NullableByte { get; set; }
            public sbyte? NullableSByte { get; set; }
            public short? NullableShort { get; set; }
            public int? NullableInt { get; set; }
            public long? NullableLong { get; set; }
            public float? NullableFloat { get; set; }
            public double? NullableDouble { get; set; }
            public decimal? NullableDecimal { get; set; }
            public string? NullableString { get; set; }
            public char? NullableChar { get; set; }
            public Guid? NullableGuid { get; set; }
            public byte[]? NullableBytes { get; set; }
            public DateTime? NullableDateTime { get; set; }
            public DateTimeOffset? NullableDateTimeOffset { get; set; }
            public DateOnly? NullableDateOnly { get; set; }
            public TimeOnly? NullableTimeOnly { get; set; }
            public TimeSpan? NullableTimeSpan { get; set; }
            public Color? NullableColor { get; set; }
            public int[]? NullableIntArray2 { get; set; }
            public List<string>? NullableStringList { get; set; }
            public Color[]? NullableColorArray { get; set; }
        }
        """;

    /// <summary>
    /// PostgreSQL enums by label ([PgEnum], Npgsql's [PgName], aliases), [PgJson] members with and
    /// without a source-generated context, JsonDocument, IPAddress and ranges.
    /// </summary>
    public const string PostgresTypes = """
        using System.Net;
        using System.Text.Json;
        using System.Text.Json.Serialization;
        using System.Text.Json.Serialization.Metadata;
        using NpgsqlTypes;

        namespace Catalog;

        [PgEnum]
        public enum Mood { Sad, Ok, VeryHappy, [PgName("meh!")] Meh, Default = Ok }

        [PgEnum("inventory.stock_state")]
        public enum StockState : byte { InStock = 1, SoldOut = 2 }

        public sealed record Dimensions(double Width, double Height);

        /// <summary>Stands in for a System.Text.Json source-generated context.</summary>
        public sealed class CatalogJson : JsonSerializerContext
        {
            public CatalogJson() : base(null) { }
            public static CatalogJson Default { get; } = new();
            protected override JsonSerializerOptions? GeneratedSerializerOptions => null;
            public override JsonTypeInfo? GetTypeInfo(Type type) => null;
        }

        [PgRow]
        public partial record Product(
            long Id,
            Mood Mood,
            Mood? PreviousMood,
            StockState Stock,
            [PgJson(typeof(CatalogJson))] Dimensions Size,
            [property: PgJson(typeof(CatalogJson), DataTypeName = "json")] Dimensions? Packaging,
            [PgJson] Dictionary<string, string> Tags,
            [PgJson(typeof(CatalogJson))] List<Dimensions>? Variants,
            JsonDocument? Raw,
            IPAddress? Origin,
            NpgsqlRange<int> Quantities,
            NpgsqlRange<DateTime>? Window);
        """;
}
