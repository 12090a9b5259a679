// Insight.Database Providers/InsightDbProvider.cs:447: a non-async method returns the task of
// 'Task.Factory.StartNew(() => Work(connection))' and does nothing else with the connection. Nothing in the
// method runs beside the task; the caller awaits it. (PGB104 already leaves 'var t = Task.Run(...); return await t;' alone.)
using System.Threading.Tasks;
using Npgsql;

public class TaskStartNewReturned
{
    public virtual void BulkCopy(NpgsqlConnection connection, string table)
    {
        using var cmd = new NpgsqlCommand("SELECT 1", connection);
        cmd.ExecuteNonQuery();
    }

    public virtual Task BulkCopyAsync(NpgsqlConnection connection, string table)
    {
        return Task.Factory.StartNew(() => BulkCopy(connection, table));  // PGB104: "Connection 'connection' is used concurrently"
    }
}
