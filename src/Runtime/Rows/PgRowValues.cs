using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace PgBorrow;

/// <summary>
/// Conversions generated row readers use for values Npgsql does not read directly: arrays and lists
/// of C# enums, which PostgreSQL stores as arrays of their integer values.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class PgRowValues
{
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

    private static void CheckSameSize<TUnderlying, TEnum>()
        where TUnderlying : unmanaged
        where TEnum : unmanaged, Enum
    {
        if (Unsafe.SizeOf<TUnderlying>() != Unsafe.SizeOf<TEnum>())
            throw new ArgumentException($"{typeof(TEnum).Name} is not stored as {typeof(TUnderlying).Name}.");
    }
}
