// Npgsql's own sync/async twins (NpgsqlConnector.QueryDatabaseState, NpgsqlCommand.ExecuteScalar,
// NpgsqlSchema, DbColumnSchemaGenerator): one async method serves both the sync and the async public API;
// the sync call runs only when the caller asked for sync (async == false), so nothing blocks an async caller.
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

public static class AsyncFlagSyncBranch
{
    public static int Count(NpgsqlCommand cmd) => CountCore(cmd, async: false).GetAwaiter().GetResult();
    public static Task<int> CountAsync(NpgsqlCommand cmd, CancellationToken ct) => CountCore(cmd, async: true, ct).AsTask();

    static async ValueTask<int> CountCore(NpgsqlCommand cmd, bool async, CancellationToken ct = default)
    {
        var reader = async ? await cmd.ExecuteReaderAsync(ct) : cmd.ExecuteReader();  // PGB005 on ExecuteReader
        try
        {
            var n = 0;
            while (async ? await reader.ReadAsync(ct) : reader.Read())  // PGB005 on Read
                n++;
            if (async)
                await reader.NextResultAsync(ct);
            else
                reader.NextResult();  // PGB005 on NextResult
            return n;
        }
        finally
        {
            if (async) await reader.DisposeAsync(); else reader.Dispose();
        }
    }
}
