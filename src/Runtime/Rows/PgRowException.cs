using System;

namespace PgBorrow;

/// <summary>What went wrong when a row type was read.</summary>
public enum PgRowErrorKind
{
    /// <summary>A member's column is not in the result set.</summary>
    MissingColumn = 1,

    /// <summary>A column is NULL, but the member it maps to is not nullable.</summary>
    NullIntoNonNullable = 2,

    /// <summary>The column's PostgreSQL type cannot be read as the member's C# type.</summary>
    UnreadableType = 3,

    /// <summary>A member's value could not be written (binary COPY or insert parameters).</summary>
    UnwritableValue = 4,

    /// <summary>The row type cannot be written at all: a constructor parameter has no property to read it back from.</summary>
    NotWritable = 5,
}

/// <summary>
/// A row type could not be read from a result set, or written to a COPY or to parameters. The
/// message and the properties name the row type, the member, the column and (when it is known) its
/// PostgreSQL type.
/// </summary>
public sealed class PgRowException : Exception
{
    internal PgRowException(
        PgRowErrorKind kind, string rowType, PgRowMember member, string? postgresType, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
        RowType = rowType;
        Member = member.Member;
        Column = member.Column;
        ClrType = member.ClrType;
        PostgresType = postgresType;
    }

    /// <summary>What went wrong.</summary>
    public PgRowErrorKind Kind { get; }

    /// <summary>The row type's full name (<c>Shop.Order</c>).</summary>
    public string RowType { get; }

    /// <summary>The member that could not be read (<c>CustomerId</c>).</summary>
    public string Member { get; }

    /// <summary>The column the member maps to (<c>customer_id</c>).</summary>
    public string Column { get; }

    /// <summary>The member's C# type (<c>int</c>, <c>string?</c>).</summary>
    public string ClrType { get; }

    /// <summary>The column's PostgreSQL type (<c>integer</c>, <c>text</c>); null when the column is missing or the row was being written.</summary>
    public string? PostgresType { get; }
}
