using System;
using System.Text;

namespace PgBorrow;

/// <summary>
/// Table and column names for the SQL the runtime writes itself (COPY and INSERT column lists).
/// A table name is taken the way SQL would take it, so that values can never reach the text.
/// </summary>
internal static class PgIdentifier
{
    /// <summary>
    /// Checks that <paramref name="table"/> is one to three dot-separated identifiers, each plain
    /// (<c>orders</c>, folded to lower case by PostgreSQL as usual) or double-quoted
    /// (<c>"Orders"</c>, kept as written), and returns it unchanged.
    /// </summary>
    /// <exception cref="ArgumentException">Anything else: the text is not sent.</exception>
    public static string CheckTableName(string table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var parts = 0;
        var i = 0;
        while (true)
        {
            if (i >= table.Length)
                throw InvalidTable(table);
            if (table[i] == '"')
            {
                var start = ++i;
                while (true)
                {
                    if (i >= table.Length)
                        throw InvalidTable(table); // no closing quote
                    if (table[i] != '"')
                        i++;
                    else if (i + 1 < table.Length && table[i + 1] == '"')
                        i += 2; // a doubled quote inside the name
                    else
                        break;
                }
                if (i == start)
                    throw InvalidTable(table); // ""
                i++; // the closing quote
            }
            else
            {
                if (!IsIdentifierStart(table[i]))
                    throw InvalidTable(table);
                while (i < table.Length && IsIdentifierPart(table[i]))
                    i++;
            }

            parts++;
            if (i == table.Length)
                break;
            if (table[i] != '.' || parts == 3)
                throw InvalidTable(table);
            i++;
        }
        return table;
    }

    /// <summary>A column name quoted for SQL: <c>"order_id"</c>; quotes inside are doubled.</summary>
    public static void AppendQuoted(StringBuilder sql, string column)
        => sql.Append('"').Append(column.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');

    private static bool IsIdentifierStart(char c) => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_' || c > 127;

    private static bool IsIdentifierPart(char c) => IsIdentifierStart(c) || c is (>= '0' and <= '9') or '$';

    private static ArgumentException InvalidTable(string table)
        => new($"'{table}' is not a table name. Pass a name as SQL writes it: orders, sales.orders or \"Orders\" (one to three identifiers, plain or double-quoted).", nameof(table));
}
