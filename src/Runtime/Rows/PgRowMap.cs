using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// The member list of one row type, made once per type by generated code: it matches members to the
/// columns of a result set (<see cref="Resolve"/>) and turns read failures into
/// <see cref="PgRowException"/>s that name the row type, member, column and PostgreSQL type.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PgRowMap
{
    private readonly string _rowType;
    private readonly PgRowMember[] _members;
    private readonly Dictionary<string, int> _memberByColumn;

    /// <summary>Describes a row type.</summary>
    /// <param name="rowType">The row type's full name, for messages (<c>Shop.Order</c>).</param>
    /// <param name="members">The mapped members, in the order the generated reader indexes them.</param>
    public PgRowMap(string rowType, params PgRowMember[] members)
    {
        _rowType = rowType;
        _members = members;
        _memberByColumn = new Dictionary<string, int>(members.Length, StringComparer.Ordinal);
        for (var i = 0; i < members.Length; i++)
            _memberByColumn.TryAdd(members[i].Column, i);
    }

    /// <summary>The row type's full name.</summary>
    public string RowType => _rowType;

    /// <summary>The mapped members, in order.</summary>
    public IReadOnlyList<PgRowMember> Members => _members;

    /// <summary>
    /// Finds each member's column in the reader's current result set: by exact name first, then
    /// ignoring case. When two columns share a name, the first one wins. Columns that no member
    /// maps to are ignored.
    /// </summary>
    /// <exception cref="PgRowException">A member's column is missing; the message lists the columns that are there.</exception>
    public PgOrdinals Resolve(NpgsqlDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var ordinals = new int[_members.Length];
        ordinals.AsSpan().Fill(-1);
        var fieldCount = reader.FieldCount;
        var unresolved = ordinals.Length;
        for (var column = 0; column < fieldCount && unresolved > 0; column++)
        {
            if (_memberByColumn.TryGetValue(reader.GetName(column), out var member) && ordinals[member] < 0)
            {
                ordinals[member] = column;
                unresolved--;
            }
        }

        if (unresolved > 0)
            ResolveIgnoringCase(reader, ordinals);
        return new PgOrdinals(ordinals);
    }

    private void ResolveIgnoringCase(NpgsqlDataReader reader, int[] ordinals)
    {
        var fieldCount = reader.FieldCount;
        for (var member = 0; member < ordinals.Length; member++)
        {
            if (ordinals[member] >= 0)
                continue;
            for (var column = 0; column < fieldCount; column++)
            {
                if (string.Equals(reader.GetName(column), _members[member].Column, StringComparison.OrdinalIgnoreCase))
                {
                    ordinals[member] = column;
                    break;
                }
            }

            if (ordinals[member] < 0)
                throw MissingColumn(reader, _members[member]);
        }
    }

    /// <summary>
    /// True for the exceptions Npgsql throws when a value cannot be read as the requested type
    /// (including NULL), and for JSON that does not deserialize into a [PgJson] member.
    /// </summary>
    public static bool IsReadFailure(Exception exception)
        => exception is InvalidCastException or NotSupportedException or OverflowException or JsonException;

    /// <summary>True for the exceptions a value can fail with when Npgsql writes it or PgBorrow converts it (JSON, enum labels).</summary>
    public static bool IsWriteFailure(Exception exception)
        => exception is InvalidCastException or NotSupportedException or OverflowException or ArgumentException or JsonException;

    /// <summary>The exception to throw when writing the member at <paramref name="member"/> failed with <paramref name="exception"/>.</summary>
    public PgRowException WriteFailed(int member, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var described = _members[member];
        return new PgRowException(
            PgRowErrorKind.UnwritableValue, _rowType, described, postgresType: null,
            $"Cannot write row type '{_rowType}': member '{described.Member}' ({described.ClrType}) for column '{described.Column}' "
            + $"could not be written. {exception.Message}",
            exception);
    }

    /// <summary>The exception a row type that cannot be written throws from its writers.</summary>
    /// <param name="member">The constructor parameter that has no readable property.</param>
    public PgRowException NotWritable(string member)
    {
        var described = Array.Find(_members, m => m.Member == member) ?? new PgRowMember(member, member, "unknown");
        return new PgRowException(
            PgRowErrorKind.NotWritable, _rowType, described, postgresType: null,
            $"Cannot write row type '{_rowType}': constructor parameter '{member}' has no property to read its value from. "
            + $"Declare a property named '{member}' (a positional record has one), or use another row type for writing.");
    }

    /// <summary>
    /// The exception to throw when reading the member at <paramref name="member"/> failed with
    /// <paramref name="exception"/>: a NULL into a non-nullable member, or an unreadable type.
    /// </summary>
    public PgRowException ReadFailed(NpgsqlDataReader reader, PgOrdinals ordinals, int member, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(exception);
        var described = _members[member];
        var ordinal = ordinals[member];
        var postgresType = DataTypeName(reader, ordinal);
        bool isNull;
        try
        {
            isNull = reader.IsDBNull(ordinal);
        }
        catch (Exception e) when (e is InvalidOperationException or InvalidCastException)
        {
            isNull = false;
        }

        if (isNull)
        {
            return new PgRowException(
                PgRowErrorKind.NullIntoNonNullable, _rowType, described, postgresType,
                $"Cannot read row type '{_rowType}': column '{described.Column}' ({postgresType}) is NULL, "
                + $"but member '{described.Member}' ({described.ClrType}) is not nullable. "
                + $"Declare the member as nullable ({Nullable(described.ClrType)}), or make the query return a value (COALESCE).",
                exception);
        }

        return new PgRowException(
            PgRowErrorKind.UnreadableType, _rowType, described, postgresType,
            $"Cannot read row type '{_rowType}': column '{described.Column}' of PostgreSQL type {postgresType} "
            + $"cannot be read as member '{described.Member}' ({described.ClrType}). "
            + $"Change the member's type, or cast the column in the query (for example {described.Column}::<type>). "
            + EnumHint(reader, ordinal, described) + exception.Message,
            exception);
    }

    /// <summary>
    /// For a column of a PostgreSQL enum type: the generated code reads a C# enum without [PgEnum] as its
    /// integer value unless the data source maps the PostgreSQL type to that C# enum (MapEnum), so such a
    /// column needs the attribute or the mapping.
    /// </summary>
    private static string EnumHint(NpgsqlDataReader reader, int ordinal, PgRowMember member)
    {
        try
        {
            if (reader.GetPostgresType(ordinal) is not Npgsql.PostgresTypes.PostgresEnumType)
                return string.Empty;
        }
        catch (Exception e) when (e is InvalidOperationException or IndexOutOfRangeException or NotSupportedException)
        {
            return string.Empty;
        }

        return $"If {member.ClrType} is a C# enum, mark it [PgEnum] to read and write it by label; without the attribute it is read and written as its integer value, "
            + $"except that a column whose type the data source maps to it (dataSourceBuilder.MapEnum<{member.ClrType}>(\"{PostgresTypeName(reader, ordinal)}\")) is read by label. ";
    }

    private PgRowException MissingColumn(NpgsqlDataReader reader, PgRowMember member)
    {
        var present = new StringBuilder();
        for (var column = 0; column < reader.FieldCount; column++)
        {
            if (column > 0)
                present.Append(", ");
            present.Append(reader.GetName(column)).Append(" (").Append(DataTypeName(reader, column)).Append(')');
        }

        var columns = present.Length == 0 ? "none (the statement returns no result set)" : present.ToString();
        return new PgRowException(
            PgRowErrorKind.MissingColumn, _rowType, member, postgresType: null,
            $"Cannot read row type '{_rowType}': member '{member.Member}' ({member.ClrType}) reads column '{member.Column}', "
            + $"which the result does not have. Columns present: {columns}. "
            + $"Select the column (or alias one: AS {member.Column}), map the member to another column with [PgColumn(\"...\")], "
            + "or leave it out with [PgIgnore].");
    }

    /// <summary>The column's type name without its schema, as MapEnum takes it by default.</summary>
    private static string PostgresTypeName(NpgsqlDataReader reader, int ordinal)
    {
        var name = DataTypeName(reader, ordinal);
        return name.Substring(name.LastIndexOf('.') + 1);
    }

    private static string DataTypeName(NpgsqlDataReader reader, int ordinal)
    {
        try
        {
            return reader.GetDataTypeName(ordinal);
        }
        catch (Exception e) when (e is InvalidOperationException or IndexOutOfRangeException or NotSupportedException)
        {
            return "unknown type";
        }
    }

    private static string Nullable(string clrType) => clrType.EndsWith('?') ? clrType : clrType + "?";
}
