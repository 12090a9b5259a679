// PetaPoco Database.cs:2101: the INSERT's VALUES list is joined from placeholders the method builds itself
// ('{_paramPrefix}{index}', "@0", "@1", ...), each value added as a parameter beside it. PGB201 reads the joined
// list after 'VALUES (' as a value.
using System.Collections.Generic;
using Npgsql;

public sealed class PlaceholderListJoinedInValues
{
    string _paramPrefix = "@";

    public void BuildInsert(NpgsqlCommand cmd, string table, IDictionary<string, object> columns)
    {
        var names = new List<string>();
        var values = new List<string>();
        var index = 0;
        foreach (var c in columns)
        {
            names.Add("\"" + c.Key.Replace("\"", "\"\"") + "\"");
            values.Add(string.Format("{0}{1}", _paramPrefix, index++));
            cmd.Parameters.AddWithValue(c.Value);
        }
        cmd.CommandText = $"INSERT INTO t ({string.Join(",", names.ToArray())}) VALUES ({string.Join(",", values.ToArray())})";  // PGB201: "built from 'values.ToArray()'"
    }
}
