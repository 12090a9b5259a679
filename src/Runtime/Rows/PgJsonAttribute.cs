using System;

namespace PgBorrow;

/// <summary>
/// Maps a row member to a <c>jsonb</c> (or <c>json</c>) column through System.Text.Json: the column's
/// text is deserialized into the member's type when a row is read, and the member is serialized when
/// the row is written (binary COPY, insert parameters).
/// </summary>
/// <remarks>
/// <para>With a context (<c>[PgJson(typeof(AppJsonContext))]</c>, a <c>JsonSerializerContext</c> made
/// by System.Text.Json's source generator that lists the member's type), the generated code calls the
/// context's type information and uses no reflection: it is safe for trimming and native AOT.</para>
/// <para>Without a context, the generated code calls <c>JsonSerializer</c> with default options, which
/// uses reflection; projects that trim or publish with native AOT get the trimming warnings for it.</para>
/// <para>Members of type <c>JsonDocument</c> and <c>JsonElement</c> need no attribute: Npgsql reads
/// them directly.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class PgJsonAttribute : Attribute
{
    /// <summary>Reads and writes the member with System.Text.Json's default (reflection-based) serializer.</summary>
    public PgJsonAttribute()
    {
    }

    /// <summary>Reads and writes the member with the type information of a source-generated <c>JsonSerializerContext</c>.</summary>
    /// <param name="context">A type deriving from <c>System.Text.Json.Serialization.JsonSerializerContext</c>.</param>
    public PgJsonAttribute(Type context) => Context = context;

    /// <summary>The <c>JsonSerializerContext</c> type, or null for the default serializer.</summary>
    public Type? Context { get; }

    /// <summary>The PostgreSQL type values are written as: <c>jsonb</c> (the default) or <c>json</c>.</summary>
    public string DataTypeName { get; set; } = "jsonb";
}
