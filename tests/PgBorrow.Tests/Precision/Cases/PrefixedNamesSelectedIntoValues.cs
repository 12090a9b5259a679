// serilog-sinks-postgresql PostgreSQLSink.cs:153 (and the Alternative sink's SinkHelper.cs:141): the insert text is
// assembled by a private GetInsertQuery() and run by another method, 'VALUES ({parameters})' where parameters is
// string.Join(", ", columns.Select(cn => ":" + Clean(cn))): placeholders, whose values the caller adds one by
// one. PGB201 took the Select for a value once it followed the text into GetInsertQuery.
using System.Collections.Generic;
using System.Linq;
using Npgsql;

public sealed class PrefixedNamesSelectedIntoValues
{
    readonly string _fullTableName;
    readonly IDictionary<string, object> _columns;

    public PrefixedNamesSelectedIntoValues(string fullTableName, IDictionary<string, object> columns)
    {
        _fullTableName = fullTableName;
        _columns = columns;
    }

    public void Write(NpgsqlConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = GetInsertQuery();
        foreach (var column in _columns)
            command.Parameters.AddWithValue(Clean(column.Key), column.Value);
        command.ExecuteNonQuery();
    }

    static string Clean(string name) => name.Replace("\"", "").ToLowerInvariant();

    string GetInsertQuery()
    {
        var columns = "\"" + string.Join("\", \"", _columns.Keys) + "\"";
        var parameters = string.Join(", ", _columns.Keys.Select(cn => ":" + Clean(cn)));
        return $@"INSERT INTO {_fullTableName} ({columns})
                  VALUES ({parameters})";
    }
}
