// Npgmq NpgmqClient.cs (30 sites) and kernel-memory PostgresDbClient.cs (4 sites): the reader's own
// 'await using (reader.ConfigureAwait(false))' block ends (and disposes the reader) before the command's outer
// 'await using (cmd.ConfigureAwait(false))' disposes the command. PGB110 reports the reader as still open
// while the command's DisposeAsync is awaited, on the outer 'await using' line. The reader's disposal through
// 'reader.ConfigureAwait(false)' (a ConfiguredAsyncDisposable) is not taken as ending the reader: the same
// nesting with 'await using (reader)' / 'await using (cmd)' is silent; without the return it still fires.
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

public sealed class ReaderInsideConfiguredAwaitUsing
{
    public async Task<long> FirstIdAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
        var cmd = new NpgsqlCommand("SELECT id FROM t ORDER BY id LIMIT 1", connection);
        await using (cmd.ConfigureAwait(false))  // PGB110: "Data reader 'reader' stays open while awaiting 'ConfiguredAsyncDisposable.DisposeAsync'"
        {
            var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (await reader.ReadAsync(ct).ConfigureAwait(false))
                    return reader.GetInt64(0);
                return -1;
            }
        }
    }
}
