// efcore.pg NpgsqlDatabaseModelFactory.Create (Scaffolding/Internal/NpgsqlDatabaseModelFactory.cs:68): the connection
// is the caller's (a cast of the DbConnection parameter); the method opens it only if it was closed and closes it
// again in 'finally'. It neither creates nor owns it, so it must not dispose it.
using System.Data;
using System.Data.Common;
using Npgsql;

public static class CallerConnectionOpenedAndClosed
{
    public static int Create(DbConnection dbConnection)
    {
        var connection = (NpgsqlConnection)dbConnection;  // PGB006: "not disposed when the method returns"
        var connectionStartedOpen = connection.State == ConnectionState.Open;
        if (!connectionStartedOpen)
            connection.Open();
        try
        {
            using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_class", connection);
            return (int)(long)cmd.ExecuteScalar()!;
        }
        finally
        {
            if (!connectionStartedOpen)
                connection.Close();
        }
    }
}
