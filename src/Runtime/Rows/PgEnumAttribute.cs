using System;

namespace PgBorrow;

/// <summary>
/// Marks a C# enum as a PostgreSQL enum (<c>CREATE TYPE mood AS ENUM (...)</c>): row members of this
/// type are read and written by label, not as integers. Labels are the snake_case of the enum's
/// member names (<c>VeryHappy</c> is <c>very_happy</c>, Npgsql's default for <c>MapEnum</c>), or the
/// name given by Npgsql's <c>[PgName("...")]</c> on the member.
/// </summary>
/// <remarks>
/// The generated code reads the label as text and converts it with a switch, so it needs no
/// <c>MapEnum</c> on the data source. Enums without this attribute are stored as their integer value.
/// </remarks>
[AttributeUsage(AttributeTargets.Enum, AllowMultiple = false, Inherited = false)]
public sealed class PgEnumAttribute : Attribute
{
    /// <summary>Maps the enum to the PostgreSQL enum type named by the snake_case of the C# enum's name.</summary>
    public PgEnumAttribute()
    {
    }

    /// <summary>Maps the enum to the PostgreSQL enum type <paramref name="name"/> (optionally schema-qualified).</summary>
    public PgEnumAttribute(string name) => Name = name;

    /// <summary>The PostgreSQL enum type's name, or null for the snake_case of the C# enum's name.</summary>
    public string? Name { get; }
}
