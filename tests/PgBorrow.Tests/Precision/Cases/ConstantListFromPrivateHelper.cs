// efcore.pg NpgsqlDatabaseModelFactory (Scaffolding/Internal/NpgsqlDatabaseModelFactory.cs:205/322/623/836/1210):
// the list of internal schemas is assembled from string literals by Create() and handed to private helpers that
// put it in 'NOT IN (...)'. Every value is a literal of the program; no data reaches the text.
using System.Collections.Generic;
using Npgsql;

public static class ConstantListFromPrivateHelper
{
    public static List<string> Create(NpgsqlConnection connection, bool cockroach)
    {
        var internalSchemas = "'pg_catalog', 'information_schema'";
        if (cockroach)
            internalSchemas += ", 'crdb_internal'";
        return GetSchemas(connection, internalSchemas);
    }

    static List<string> GetSchemas(NpgsqlConnection connection, string internalSchemas)
    {
        var list = new List<string>();
        using var cmd = new NpgsqlCommand($"SELECT nspname FROM pg_namespace WHERE nspname NOT IN ({internalSchemas})", connection);  // PGB201
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) list.Add(reader.GetString(0));
        return list;
    }
}
