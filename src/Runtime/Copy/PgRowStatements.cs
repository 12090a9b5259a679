using System.Collections.Concurrent;
using System.Text;

namespace PgBorrow;

/// <summary>
/// The COPY and INSERT statements for row type <typeparamref name="T"/>, made once per table: the
/// column list is the row type's mapped columns, in the order its writers write them.
/// </summary>
internal static class PgRowStatements<T>
    where T : IPgRow<T>
{
    private static readonly ConcurrentDictionary<string, string> CopyByTable = new();
    private static readonly ConcurrentDictionary<string, string> InsertByTable = new();

    /// <summary><c>COPY orders ("id", "total") FROM STDIN (FORMAT BINARY)</c>.</summary>
    public static string Copy(string table)
        => CopyByTable.TryGetValue(table, out var sql) ? sql : CopyByTable.GetOrAdd(PgIdentifier.CheckTableName(table), static t =>
        {
            var text = new StringBuilder("COPY ").Append(t).Append(' ');
            AppendColumns(text);
            return text.Append(" FROM STDIN (FORMAT BINARY)").ToString();
        });

    /// <summary><c>INSERT INTO orders ("id", "total") VALUES ($1, $2)</c>.</summary>
    public static string Insert(string table)
        => InsertByTable.TryGetValue(table, out var sql) ? sql : InsertByTable.GetOrAdd(PgIdentifier.CheckTableName(table), static t =>
        {
            var text = new StringBuilder("INSERT INTO ").Append(t).Append(' ');
            AppendColumns(text);
            text.Append(" VALUES (");
            for (var i = 1; i <= T.Map.Members.Count; i++)
                text.Append(i == 1 ? "$" : ", $").Append(i);
            return text.Append(')').ToString();
        });

    private static void AppendColumns(StringBuilder text)
    {
        text.Append('(');
        var members = T.Map.Members;
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0)
                text.Append(", ");
            PgIdentifier.AppendQuoted(text, members[i].Column);
        }
        text.Append(')');
    }
}
