using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.IntegrationTests.Transactions;

/// <summary>A row of tx_items.</summary>
[PgRow]
public partial record struct TxItem(int Id, string Name);

/// <summary>
/// The tables the transaction tests use, in the fixture's database: tx_items (with a deferred trigger that
/// runs at COMMIT and can sleep or raise 40001 there when the transaction sets <c>pgb.at_commit</c>) and
/// doctors (the write-skew example of the PostgreSQL docs).
/// </summary>
internal static class TransactionsDatabase
{
    public static async Task ResetAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS tx_items (id integer PRIMARY KEY, name text NOT NULL);
            CREATE TABLE IF NOT EXISTS doctors (name text PRIMARY KEY, on_call boolean NOT NULL);
            CREATE OR REPLACE FUNCTION pgb_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                CASE current_setting('pgb.at_commit', true)
                    WHEN 'sleep' THEN PERFORM pg_sleep(30);
                    WHEN 'serialization_failure' THEN
                        RAISE EXCEPTION 'simulated serialization failure at commit' USING ERRCODE = 'serialization_failure';
                    ELSE NULL;
                END CASE;
                RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS tx_items_at_commit ON tx_items;
            CREATE CONSTRAINT TRIGGER tx_items_at_commit AFTER INSERT ON tx_items
                DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION pgb_at_commit();
            TRUNCATE tx_items, doctors;
            INSERT INTO doctors VALUES ('alice', true), ('bob', true);
            """, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>The committed tx_items ids, as another session sees them.</summary>
    public static async Task<long> CountItemsAsync(NpgsqlDataSource dataSource, int id)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM tx_items WHERE id = {id}");
    }

    /// <summary>Terminates a backend from another session and waits until it is gone.</summary>
    public static async Task TerminateAsync(NpgsqlDataSource dataSource, int pid)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        await connection.ExecuteAsync($"SELECT pg_terminate_backend({pid}, 10000)");
    }

    /// <summary>Waits until the backend is sleeping in pg_sleep (here: in the COMMIT's deferred trigger).</summary>
    public static async Task WaitUntilSleepingAsync(NpgsqlDataSource dataSource, int pid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var connection = await dataSource.OpenConnectionAsync();
        while (await connection.ExecuteScalarAsync<string>($"SELECT wait_event FROM pg_stat_activity WHERE pid = {pid}") != "PgSleep")
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Backend {pid} did not reach pg_sleep within {timeout}.");
            await Task.Delay(10);
        }
    }

    /// <summary>Whether the session-level or transaction-level advisory lock on key is held by anyone, from pg_locks.</summary>
    public static async Task<long> AdvisoryLockHoldersAsync(NpgsqlDataSource dataSource, long key)
    {
        await using var connection = await dataSource.OpenConnectionAsync();
        // A bigint key is stored as classid (high 32 bits) and objid (low 32 bits), objsubid 1.
        var high = (long)(key >> 32);
        var low = key & 0xFFFFFFFFL;
        return await connection.ExecuteScalarAsync<long>($"""
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND classid::bigint = {high} AND objid::bigint = {low} AND objsubid = 1
            """);
    }
}

/// <summary>Counts down to zero, then lets everyone waiting through: lines up concurrent attempts.</summary>
internal sealed class AsyncBarrier(int participants)
{
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _remaining = participants;

    public Task SignalAndWaitAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Decrement(ref _remaining) == 0)
            _all.TrySetResult();
        return _all.Task.WaitAsync(cancellationToken);
    }
}
