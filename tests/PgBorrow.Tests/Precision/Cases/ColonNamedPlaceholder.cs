// NpgsqlCommand.DeriveParametersForFunction (NpgsqlCommand.cs:501): Npgsql's legacy named-parameter syntax
// accepts ':name' as well as '@name'; the SQL has the placeholder ':proname' (followed by a '::regproc' cast).
using Npgsql;
using NpgsqlTypes;

public static class ColonNamedPlaceholder
{
    const string Query = @"SELECT proargnames FROM pg_proc WHERE pg_proc.oid = :proname::regproc";

    public static object? Names(NpgsqlConnection conn, string function)
    {
        using var c = new NpgsqlCommand(Query, conn);  // PGB202: "1 parameter is added, but the SQL has no placeholder"
        c.Parameters.Add(new NpgsqlParameter("proname", NpgsqlDbType.Text));
        c.Parameters[0].Value = function;
        return c.ExecuteScalar();
    }
}
