using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Npgsql;
using NpgsqlTypes;

namespace PgBorrow;

/// <summary>
/// Conversions generated row readers and writers use for values Npgsql does not handle directly:
/// C# enums stored as integers (or mapped with MapEnum), arrays and lists of them, [PgEnum] labels and
/// [PgJson] members.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PgRowValues
{
    private const string ReflectionJson = "[PgJson] without a JsonSerializerContext uses System.Text.Json's reflection-based serializer. Pass a source-generated context: [PgJson(typeof(MyJsonContext))].";

    #region Enums stored as integers

    /// <summary>
    /// Reads a C# enum (without [PgEnum]) from its column: as its integer value, or, when the column is a
    /// PostgreSQL enum the data source maps to this very type (<c>MapEnum&lt;TEnum&gt;("mood")</c>), through
    /// Npgsql, which reads the label. Npgsql reports the mapped type as the column's field type, so an
    /// integer column and an unmapped enum column go the integer way (the latter fails, naming [PgEnum]).
    /// </summary>
    public static TEnum ReadEnum<TEnum, TUnderlying>(NpgsqlDataReader reader, int ordinal)
        where TEnum : unmanaged, Enum
        where TUnderlying : unmanaged
    {
        if (reader.GetFieldType(ordinal) == typeof(TEnum))
            return reader.GetFieldValue<TEnum>(ordinal);
        CheckSameSize<TUnderlying, TEnum>();
        var value = reader.GetFieldValue<TUnderlying>(ordinal);
        return Unsafe.As<TUnderlying, TEnum>(ref value);
    }

    /// <summary>Reinterprets integers as the enum whose underlying type they are (no per-element conversion).</summary>
    public static TEnum[] ToEnumArray<TUnderlying, TEnum>(TUnderlying[] values)
        where TUnderlying : unmanaged
        where TEnum : unmanaged, Enum
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckSameSize<TUnderlying, TEnum>();
        return MemoryMarshal.Cast<TUnderlying, TEnum>(values).ToArray();
    }

    /// <summary>Reinterprets a list of integers as a list of the enum whose underlying type they are.</summary>
    public static List<TEnum> ToEnumList<TUnderlying, TEnum>(List<TUnderlying> values)
        where TUnderlying : unmanaged
        where TEnum : unmanaged, Enum
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckSameSize<TUnderlying, TEnum>();
        var result = new List<TEnum>(values.Count);
        result.AddRange(MemoryMarshal.Cast<TUnderlying, TEnum>(CollectionsMarshal.AsSpan(values)));
        return result;
    }

    /// <summary>The integer values of an enum array, for writing it as a PostgreSQL integer array.</summary>
    public static TUnderlying[] FromEnumArray<TEnum, TUnderlying>(TEnum[] values)
        where TUnderlying : unmanaged
        where TEnum : unmanaged, Enum
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckSameSize<TUnderlying, TEnum>();
        return MemoryMarshal.Cast<TEnum, TUnderlying>(values).ToArray();
    }

    /// <summary>The integer values of an enum list, for writing it as a PostgreSQL integer array.</summary>
    public static TUnderlying[] FromEnumList<TEnum, TUnderlying>(List<TEnum> values)
        where TUnderlying : unmanaged
        where TEnum : unmanaged, Enum
    {
        ArgumentNullException.ThrowIfNull(values);
        CheckSameSize<TUnderlying, TEnum>();
        return MemoryMarshal.Cast<TEnum, TUnderlying>(CollectionsMarshal.AsSpan(values)).ToArray();
    }

    private static void CheckSameSize<TUnderlying, TEnum>()
        where TUnderlying : unmanaged
        where TEnum : unmanaged, Enum
    {
        if (Unsafe.SizeOf<TUnderlying>() != Unsafe.SizeOf<TEnum>())
            throw new ArgumentException($"{typeof(TEnum).Name} is not stored as {typeof(TUnderlying).Name}.");
    }

    #endregion

    #region PostgreSQL enums by label

    /// <summary>The exception for a label the C# enum has no member for (the PostgreSQL enum gained a value).</summary>
    public static InvalidCastException UnknownLabel(string postgresType, string enumType, string label)
        => new($"The {postgresType} label '{label}' has no member in the C# enum {enumType}. Add a member for it (its snake_case name, or [PgName(\"{label}\")]).");

    /// <summary>The exception for an enum value that is not one of its declared members (a cast integer).</summary>
    public static ArgumentException UndefinedEnumValue(string postgresType, string enumType, string value)
        => new($"The value {value} of {enumType} is not one of its declared members, so it has no {postgresType} label.");

    #endregion

    #region Ranges

    /// <summary>
    /// The PostgreSQL type for a <c>NpgsqlRange&lt;DateTime&gt;</c> parameter: <c>tstzrange</c> when a
    /// bound is UTC, as Npgsql decides for a single DateTime; null (Npgsql's default, <c>tsrange</c>)
    /// otherwise. Npgsql does not look at the bounds itself, and PostgreSQL has no implicit cast from
    /// tsrange to tstzrange, so without this an insert into a tstzrange column fails with 42804.
    /// </summary>
    public static string? DateTimeRangeDataTypeName(NpgsqlRange<DateTime> range)
        => (!range.LowerBoundInfinite && range.LowerBound.Kind == DateTimeKind.Utc) || (!range.UpperBoundInfinite && range.UpperBound.Kind == DateTimeKind.Utc)
            ? "tstzrange"
            : null;

    /// <inheritdoc cref="DateTimeRangeDataTypeName(NpgsqlRange{DateTime})"/>
    public static string? DateTimeRangeDataTypeName(NpgsqlRange<DateTime>? range)
        => range is { } value ? DateTimeRangeDataTypeName(value) : null;

    /// <summary>A NULL parameter without a type, whose type the server infers from where it is used (the column of an INSERT).</summary>
    public static NpgsqlParameter UntypedNull() => new() { Value = DBNull.Value };

    #endregion

    #region JSON

    /// <summary>The type information a source-generated context holds for <typeparamref name="T"/>.</summary>
    /// <exception cref="InvalidOperationException">The context has none: <typeparamref name="T"/> is not listed in its [JsonSerializable] attributes.</exception>
    public static JsonTypeInfo<T> JsonTypeInfo<T>(JsonSerializerContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetTypeInfo(typeof(T)) as JsonTypeInfo<T>
            ?? throw new InvalidOperationException(
                $"The JsonSerializerContext {context.GetType().FullName} has no type information for {typeof(T).FullName}: "
                + $"add [JsonSerializable(typeof({typeof(T).Name}))] to it.");
    }

    /// <summary>Deserializes a non-nullable [PgJson] member; the JSON literal <c>null</c> is an error.</summary>
    public static T FromJson<T>(string json, JsonTypeInfo<T> typeInfo)
        => JsonSerializer.Deserialize(json, typeInfo) ?? throw JsonNull<T>();

    /// <summary>Deserializes a nullable [PgJson] member; the JSON literal <c>null</c> reads as null.</summary>
    public static T? FromJsonOrNull<T>(string json, JsonTypeInfo<T> typeInfo)
        => JsonSerializer.Deserialize(json, typeInfo);

    /// <summary>Serializes a [PgJson] member.</summary>
    public static string ToJson<T>(T value, JsonTypeInfo<T> typeInfo)
        => JsonSerializer.Serialize(value, typeInfo);

    /// <summary>Deserializes a non-nullable [PgJson] member with the reflection-based serializer.</summary>
    [RequiresUnreferencedCode(ReflectionJson)]
    [RequiresDynamicCode(ReflectionJson)]
    public static T FromJson<T>(string json)
        => JsonSerializer.Deserialize<T>(json) ?? throw JsonNull<T>();

    /// <summary>Deserializes a nullable [PgJson] member with the reflection-based serializer.</summary>
    [RequiresUnreferencedCode(ReflectionJson)]
    [RequiresDynamicCode(ReflectionJson)]
    public static T? FromJsonOrNull<T>(string json)
        => JsonSerializer.Deserialize<T>(json);

    /// <summary>Serializes a [PgJson] member with the reflection-based serializer.</summary>
    [RequiresUnreferencedCode(ReflectionJson)]
    [RequiresDynamicCode(ReflectionJson)]
    public static string ToJson<T>(T value)
        => JsonSerializer.Serialize(value);

    private static InvalidCastException JsonNull<T>()
        => new($"The column holds the JSON literal null, which cannot be read into a non-nullable {typeof(T).Name}.");

    #endregion
}
