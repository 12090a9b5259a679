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
}

/// <summary>
/// A row type could not be read from a result set. The message and the properties name the row
/// type, the member, the column and (when the column exists) its PostgreSQL type.
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

    /// <summary>The column's PostgreSQL type (<c>integer</c>, <c>text</c>); null when the column is missing.</summary>
    public string? PostgresType { get; }
}
