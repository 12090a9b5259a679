using System;
using System.Collections.Generic;
using System.Data;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.IntegrationTests.Rows;
using PgBorrow.Samples.BankTransfer;
using Xunit;

namespace PgBorrow.IntegrationTests.Pooling;

/// <summary>
/// Through a real PgBouncer in transaction-pooling mode (ci/with-postgres.sh starts it, with fewer server connections
/// than the tests' clients): every session-state pattern PGB109 reports really breaks, and the runtime's
/// transaction-shaped features (scopes, the query API, COPY, transaction-level advisory locks, snapshots) hold.
/// </summary>
/// <remarks>
/// PgBouncer hands an idle server connection to whichever client starts a transaction next. The proofs make that
/// deterministic with <see cref="OnServerAsync"/>: it opens client connections, each holding a transaction, until one
/// lands on a chosen server process, so "another client on the same server connection" is a fact, not a hope.
/// </remarks>
public sealed class PgBouncerTests(PgDatabaseFixture db) : PgDatabaseTests(db, timeoutSeconds: 120)
{
    private const int Workers = 32;

    protected override async Task SetUpAsync()
    {
        // This class's database holds the bank (BankTransfer sample) instead of the Showcase tables, which share its names.
        await Db.ExecuteAsync("""
            DROP TABLE IF EXISTS payment_audit, orders, transfers, accounts CASCADE;
            CREATE TABLE IF NOT EXISTS items (id integer PRIMARY KEY, name text, note_text text);
            CREATE TABLE IF NOT EXISTS counters (id integer PRIMARY KEY, value integer NOT NULL);
            TRUNCATE items, counters;
            """);
        await BankDatabase.CreateTablesAsync(Db.DataSource, Ct);
    }

    /// <summary>
    /// A data source on this class's database through PgBouncer, with the settings the transactions guide recommends
    /// behind a transaction-mode pooler; <paramref name="configure"/> changes them.
    /// </summary>
    private NpgsqlDataSource Pooled(Action<NpgsqlConnectionStringBuilder>? configure = null)
    {
        var builder = new NpgsqlConnectionStringBuilder(PgBouncerFactAttribute.ConnectionString)
        {
            Database = new NpgsqlConnectionStringBuilder(Db.ConnectionString).Database,
            NoResetOnClose = true,
            MaxAutoPrepare = 0,
            Timeout = 15,
            CommandTimeout = 30,
        };
        configure?.Invoke(builder);
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>The server process that runs a statement of <paramref name="connection"/> (not the client's ProcessID, which PgBouncer makes up).</summary>
    private static Task<int> ServerProcessAsync(NpgsqlConnection connection, CancellationToken ct)
        => connection.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", ct);

    /// <summary>A new client through <paramref name="pooled"/> that has run <paramref name="sessionStatement"/>, and the server process that ran it.</summary>
    private async Task<(NpgsqlConnection Client, int ServerProcess)> NewClientAfterAsync(NpgsqlDataSource pooled, string sessionStatement)
    {
        var client = await pooled.OpenConnectionAsync(Ct);
        await using (var command = new NpgsqlCommand(sessionStatement, client))
            await command.ExecuteNonQueryAsync(Ct);
        return (client, await ServerProcessAsync(client, Ct)); // the previous statement's server: nobody else ran in between
    }

    /// <summary>
    /// A new client connection through <paramref name="pooled"/> whose open transaction runs on server process
    /// <paramref name="serverProcess"/>: the clients that landed elsewhere keep their transactions (and so their server
    /// connections) until one lands there, then they are let go. The caller disposes the connection.
    /// </summary>
    private async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> OnServerAsync(NpgsqlDataSource pooled, int serverProcess)
    {
        var elsewhere = new List<NpgsqlConnection>();
        try
        {
            for (var tries = 0; tries < 40; tries++)
            {
                var connection = await pooled.OpenConnectionAsync(Ct);
                var transaction = await connection.BeginTransactionAsync(Ct);
                if (await ServerProcessAsync(connection, Ct) == serverProcess)
                    return (connection, transaction);
                elsewhere.Add(connection);
            }

            throw new InvalidOperationException($"No client connection landed on server process {serverProcess}.");
        }
        finally
        {
            foreach (var connection in elsewhere)
                await connection.DisposeAsync();
        }
    }

    // --- The session-state patterns break -------------------------------------------------------------

    [PgBouncerFact]
    public async Task A_session_advisory_lock_taken_by_one_client_is_held_by_and_released_by_another()
    {
        const long key = 15_001;
        await using var pooled = Pooled();
        await using var holder = await pooled.OpenConnectionAsync(Ct);
        var locked = await holder.ExecuteScalarAsync<bool>($"SELECT pg_try_advisory_lock({key})", Ct);
        var lockingServer = await ServerProcessAsync(holder, Ct); // the previous statement's server: nobody else ran in between

        var (other, otherTransaction) = await OnServerAsync(pooled, lockingServer);
        await using (other)
        {
            // The other client "takes" the lock the holder still thinks is its own: the same server session, so it is granted.
            Assert.True(await otherTransaction.ExecuteScalarAsync<bool>($"SELECT pg_try_advisory_lock({key})", Ct));
            // And releases it, twice (it was taken twice by the same session): the holder's lock is gone.
            Assert.True(await otherTransaction.ExecuteScalarAsync<bool>($"SELECT pg_advisory_unlock({key})", Ct));
            Assert.True(await otherTransaction.ExecuteScalarAsync<bool>($"SELECT pg_advisory_unlock({key})", Ct));
            await otherTransaction.CommitAsync(Ct);
        }

        Assert.True(locked);
        Assert.Equal(0, await Transactions.TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, key));
        // A direct session now gets the lock the holder never released.
        await using var direct = await Db.DataSource.OpenConnectionAsync(Ct);
        Assert.True(await direct.ExecuteScalarAsync<bool>($"SELECT pg_try_advisory_lock({key})", Ct));
    }

    [PgBouncerFact]
    public async Task A_LISTEN_through_the_pooler_receives_nothing_while_a_direct_one_receives_a_notification_sent_through_it()
    {
        await using var pooled = Pooled();
        await using var pooledListener = await pooled.OpenConnectionAsync(Ct);
        await using var directListener = await Db.DataSource.OpenConnectionAsync(Ct);
        var pooledReceived = new List<string>();
        var directReceived = new List<string>();
        pooledListener.Notification += (_, e) => pooledReceived.Add(e.Payload);
        directListener.Notification += (_, e) => directReceived.Add(e.Payload);
        await pooledListener.ExecuteAsync("LISTEN pgb_pooled", Ct);
        await directListener.ExecuteAsync("LISTEN pgb_pooled", Ct);

        // NOTIFY is transactional, so sending works through the pooler (here in a scope); only listening does not.
        await pooled.InTransactionAsync((tx, ct) => tx.NotifyAsync("pgb_pooled", "sent", ct), Ct);

        Assert.True(await directListener.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal(["sent"], directReceived);
        Assert.False(await pooledListener.WaitAsync(TimeSpan.FromSeconds(2), Ct));
        Assert.Empty(pooledReceived);
    }

    [PgBouncerFact]
    public async Task A_prepared_statement_is_gone_when_the_next_transaction_runs_on_another_server_connection()
    {
        await using var pooled = Pooled();
        var (client, preparedOn) = await NewClientAfterAsync(pooled, "PREPARE pgb_balance AS SELECT 42");
        await using var _ = client;
        Assert.Equal(42, await client.ExecuteScalarAsync<int>("EXECUTE pgb_balance", Ct)); // same client, same (idle) server: still there

        // Another client keeps that server connection busy, so the next transaction of this one runs elsewhere.
        var (busy, busyTransaction) = await OnServerAsync(pooled, preparedOn);
        await using (busy)
        {
            var gone = await Assert.ThrowsAsync<PostgresException>(() => client.ExecuteScalarAsync<int>("EXECUTE pgb_balance", Ct));
            Assert.Equal(PostgresErrorCodes.InvalidSqlStatementName, gone.SqlState); // 26000
            Assert.Contains("pgb_balance", gone.MessageText);
            await busyTransaction.RollbackAsync(Ct);
        }
    }

    [PgBouncerFact]
    public async Task Npgsql_automatic_preparation_fails_under_load_through_the_pooler_and_is_fine_switched_off()
    {
        const int rounds = 20;
        async Task<List<Exception>> RunAsync(NpgsqlDataSource dataSource)
        {
            var failures = new List<Exception>();
            await Task.WhenAll(Enumerable.Range(0, 16).Select(worker => Task.Run(async () =>
            {
                for (var i = 0; i < rounds; i++)
                {
                    try
                    {
                        await using var connection = await dataSource.OpenConnectionAsync(Ct);
                        await using var command = new NpgsqlCommand("SELECT $1::int + 1", connection);
                        command.Parameters.AddWithValue(i);
                        Assert.Equal(i + 1, (int)(await command.ExecuteScalarAsync(Ct))!);
                    }
                    catch (PostgresException e)
                    {
                        lock (failures)
                            failures.Add(e);
                    }
                }
            })));
            return failures;
        }

        await using var autoPrepared = Pooled(b => { b.MaxAutoPrepare = 10; b.AutoPrepareMinUsages = 2; });
        await using var unprepared = Pooled(); // Max Auto Prepare = 0, Npgsql's default

        var preparedFailures = await RunAsync(autoPrepared);
        var unpreparedFailures = await RunAsync(unprepared);

        Assert.NotEmpty(preparedFailures); // "prepared statement "_auto0" does not exist" (26000) or "... already exists" (42P05)
        Assert.All(preparedFailures, e => Assert.Contains(((PostgresException)e).SqlState, new[] { "26000", "42P05" }));
        Assert.Empty(unpreparedFailures);
    }

    [PgBouncerFact]
    public async Task A_SET_leaks_to_the_next_client_on_the_server_connection_and_SET_LOCAL_does_not()
    {
        await using var pooled = Pooled();
        var (client, setOn) = await NewClientAfterAsync(pooled, "SET pgb.session_owner = 'client-a'");
        await using var _ = client;
        await using (var transaction = await client.BeginTransactionAsync(Ct))
        {
            await transaction.ExecuteAsync("SET LOCAL pgb.local_owner = 'client-a'", Ct);
            Assert.Equal(setOn, await transaction.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", Ct)); // LIFO: the same idle server
            await transaction.CommitAsync(Ct);
        }

        var (other, otherTransaction) = await OnServerAsync(pooled, setOn);
        await using (other)
        {
            Assert.Equal("client-a", await otherTransaction.ExecuteScalarAsync<string>("SELECT current_setting('pgb.session_owner', true)", Ct));
            Assert.True(string.IsNullOrEmpty(await otherTransaction.ExecuteScalarAsync<string>("SELECT current_setting('pgb.local_owner', true)", Ct)));
            await otherTransaction.RollbackAsync(Ct);
        }
    }

    [PgBouncerFact]
    public async Task Search_Path_and_Options_in_the_connection_string_are_refused_by_PgBouncer_at_open()
    {
        foreach (var configure in new Action<NpgsqlConnectionStringBuilder>[] { b => b.SearchPath = "public", b => b.Options = "-c statement_timeout=5s" })
        {
            await using var pooled = Pooled(configure);
            var refused = await Assert.ThrowsAsync<PostgresException>(async () => await pooled.OpenConnectionAsync(Ct));
            Assert.Equal("08P01", refused.SqlState); // protocol_violation: "unsupported startup parameter"
            Assert.Contains("unsupported startup parameter", refused.MessageText);
        }
    }

    // --- The runtime's session features refuse the pooler clearly ------------------------------------

    [PgBouncerFact]
    public async Task The_runtime_session_lock_and_ListenAsync_refuse_a_pooled_connection_and_lock_nothing()
    {
        const long key = 15_002;
        await using var pooled = Pooled();
        await using var connection = await pooled.OpenConnectionAsync(Ct);

        var lockError = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.AdvisoryLockAsync(key, Ct));
        var tryLockError = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.TryAdvisoryLockAsync(key, Ct));
        var listenError = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var _ in pooled.ListenAsync("pgb_refused", Ct))
                break;
        });

        foreach (var error in new[] { lockError, tryLockError, listenError })
        {
            Assert.Contains("connection pooler", error.Message);
            Assert.Contains("direct connection", error.Message);
        }

        Assert.StartsWith("AdvisoryLockAsync", lockError.Message);
        Assert.StartsWith("ListenAsync", listenError.Message);
        Assert.Equal(0, await Transactions.TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, key));
        // The same calls on a direct connection work.
        await using var direct = await Db.DataSource.OpenConnectionAsync(Ct);
        await using (await direct.AdvisoryLockAsync(key, Ct))
            Assert.Equal(1, await Transactions.TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, key));
    }

    // --- The runtime works through it -----------------------------------------------------------------

    [PgBouncerFact]
    public async Task Thirty_two_workers_keep_the_bank_total_and_settle_every_transfer_once_with_and_without_reset_on_close()
    {
        // With No Reset On Close (recommended) and without it (Npgsql's default: DISCARD ALL on every reuse, sent to
        // whichever server connection the next transaction gets): the scopes hold either way.
        foreach (var noResetOnClose in new[] { true, false })
        {
            await using var pooled = Pooled(b => b.NoResetOnClose = noResetOnClose);

            var result = await BankSimulation.RunAsync(
                pooled, accounts: 10, initialBalance: 100, workers: Workers, transfersPerWorker: 4, maxAttempts: 10, seed: 15, Ct);

            Assert.Equal(Workers * 4, result.Transfers.Count);
            Assert.Empty(result.Audit.Violations());
            Assert.NotEmpty(result.TotalsSeen);
            Assert.All(result.TotalsSeen, total => Assert.Equal(1000, total));
            Assert.Equal(result.Transfers.Count, result.Audit.Totals.Applied + result.Audit.Totals.Rejected + result.Audit.Totals.Failed);
            Assert.Equal(result.Applied, result.Audit.Totals.Applied);
            Assert.True(result.Applied > 0);
        }

        // The workers really shared server connections: PgBouncer's pool for this database is smaller than 32.
        var servers = await Db.DataSource.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'", Ct);
        Assert.InRange(servers, 1, Workers - 1);
    }

    [PgBouncerFact]
    public async Task Transaction_level_advisory_locks_serialize_thirty_two_read_then_write_scopes()
    {
        await Db.ExecuteAsync("INSERT INTO counters VALUES (1, 0)");
        await using var pooled = Pooled();
        var readCommitted = PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.ReadCommitted };

        await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => pooled.InTransactionAsync(readCommitted, async (tx, ct) =>
        {
            await tx.AdvisoryXactLockAsync(15_003, ct);
            var value = await tx.ExecuteScalarAsync<int>("SELECT value FROM counters WHERE id = 1", ct);
            await Task.Delay(2, ct); // widen the read-then-write window: without the lock, increments are lost
            await tx.ExecuteAsync($"UPDATE counters SET value = {value + 1} WHERE id = 1", ct);
        }, Ct)));

        Assert.Equal(Workers, await Db.DataSource.ExecuteScalarAsync<int>("SELECT value FROM counters WHERE id = 1", Ct));
        Assert.Equal(0, await Transactions.TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, 15_003)); // released with each COMMIT
    }

    [PgBouncerFact]
    public async Task The_query_API_and_COPY_work_through_the_pooler_in_and_out_of_transactions()
    {
        await using var pooled = Pooled();
        await using (var connection = await pooled.OpenConnectionAsync(Ct))
        {
            Assert.Equal(3UL, await connection.CopyInAsync("items", Enumerable.Range(1, 3).Select(i => new Item(i, $"copied-{i}", null)), Ct));
            await using var transaction = await connection.BeginTransactionAsync(Ct);
            Assert.Equal(2UL, await transaction.CopyInAsync("items", new[] { new Item(4, "in-tx", "a"), new Item(5, "in-tx", "b") }, Ct));
            await transaction.CommitAsync(Ct);
        }

        Assert.Equal(1, await pooled.InsertAsync("items", new Item(6, "inserted", null), Ct));
        var names = await pooled.InTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("UPDATE items SET note_text = 'seen' WHERE id = 6", ct);
            return await tx.QueryAsync<Item>("SELECT id, name, note_text FROM items ORDER BY id", ct);
        }, Ct);
        var single = await pooled.QuerySingleAsync<Item>($"SELECT id, name, note_text FROM items WHERE id = {6}", Ct);

        Assert.Equal([1, 2, 3, 4, 5, 6], names.Select(i => i.Id));
        Assert.Equal("in-tx", names[3].Name);
        Assert.Equal(new Item(6, "inserted", "seen"), single);
        Assert.Equal(6, await Db.DataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgBouncerFact]
    public async Task An_exported_snapshot_is_shared_by_readers_through_the_pooler_while_a_writer_commits()
    {
        await Db.ExecuteAsync("INSERT INTO items (id, name) SELECT g, 'before' FROM generate_series(1, 10) AS g");
        await using var pooled = Pooled();
        await using var snapshot = await pooled.ExportSnapshotAsync(Ct);

        await pooled.ExecuteAsync("INSERT INTO items (id, name) SELECT g, 'after' FROM generate_series(11, 20) AS g", Ct);
        var seen = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            snapshot.ReadAsync((tx, ct) => tx.ExecuteScalarAsync<long>("SELECT count(*) FROM items", ct), Ct)));
        var inSnapshot = await pooled.InSnapshotAsync(snapshot.Id, (tx, ct) => tx.ExecuteScalarAsync<long>("SELECT count(*) FROM items", ct), Ct);

        Assert.All(seen, count => Assert.Equal(10, count));
        Assert.Equal(10, inSnapshot);
        Assert.Equal(20, await pooled.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }
}
