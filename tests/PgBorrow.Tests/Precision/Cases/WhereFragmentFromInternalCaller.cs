// kernel-memory PostgresDbClient.cs:448, :558: an internal class's public method takes 'filterSql', a WHERE
// fragment; its only caller (PostgresMemory.PrepareSql) builds it from constants and '@placeholderN' names whose
// values go into the command's parameters. PGB201 follows such fragments through private helpers, not through
// methods of internal types.
using System.Collections.Generic;
using Npgsql;

internal sealed class DbClient
{
    public void Fill(NpgsqlCommand cmd, string? filterSql, Dictionary<string, object> values)
    {
        filterSql = string.IsNullOrWhiteSpace(filterSql) ? "TRUE" : filterSql;
        cmd.CommandText = $"SELECT id FROM \"t\" WHERE {filterSql} LIMIT 10";  // PGB201: "built from 'filterSql'"
        foreach (var kv in values) cmd.Parameters.AddWithValue(kv.Key, kv.Value);
    }
}

public sealed class Memory
{
    readonly DbClient _db = new();

    public void Search(NpgsqlCommand cmd, IReadOnlyList<string[]> tagGroups)
    {
        var values = new Dictionary<string, object>();
        var or = new List<string>();
        var n = 0;
        foreach (var tags in tagGroups)
        {
            var p = $"@placeholder{n++}";
            values[p] = tags;
            or.Add("(tags @> " + p + ")");
        }
        _db.Fill(cmd, string.Join(" OR ", or), values);
    }
}
