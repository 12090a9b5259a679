using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Replicas;

/// <summary>
/// Read-only scopes on a real streaming replica (ci/with-postgres.sh starts it with pg_basebackup, hot standby on,
/// recovery conflicts after 200 ms): a multi-host data source routes them with PreferStandby, a write that lands on
/// the standby fails with an error naming the fix, and a recovery conflict is retried like a serialization failure.
/// </summary>
[Collection(StandbyCollection.Name)]
public sealed class StandbyTests(PgDatabaseFixture db) : PgDatabaseTests(db, timeoutSeconds: 90)
{
    private static readonly PgTransactionOptions StandbyRead = PgTransactionOptions.Default with
    {
        ReadOnly = true,
        IsolationLevel = IsolationLevel.RepeatableRead,
    };

    /// <summary>The primary and the standby behind one multi-host data source, on this class's database.</summary>
    private NpgsqlMultiHostDataSource BuildCluster()
    {
        var primary = new NpgsqlConnectionStringBuilder(Db.ConnectionString);
        var standby = new NpgsqlConnectionStringBuilder(PgReplicaFactAttribute.ConnectionString);
        var builder = new NpgsqlDataSourceBuilder(Db.ConnectionString);
        builder.ConnectionStringBuilder.Host = $"{primary.Host}:{primary.Port},{standby.Host}:{standby.Port}";
        // Npgsql remembers a host whose session ended (a recovery conflict ends standby sessions) as offline for
        // Host Recheck Seconds, process-wide: one test's conflict then made the next test's Standby target fail with
        // "No suitable host was found". Check the hosts again on every open.
        builder.ConnectionStringBuilder.HostRecheckSeconds = 0;
        return builder.BuildMultiHost();
    }

    protected override async Task SetUpAsync()
    {
        await Db.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS replicated (id integer PRIMARY KEY, note text NOT NULL);
            TRUNCATE replicated;
            """);
        await WaitForReplayAsync();
    }

    /// <summary>Waits until the standby has replayed everything the primary has written so far.</summary>
    private async Task WaitForReplayAsync()
    {
        var written = await Db.DataSource.ExecuteScalarAsync<string>("SELECT pg_current_wal_lsn()::text", Ct);
        await using var standby = NpgsqlDataSource.Create(PgReplicaFactAttribute.ConnectionString); // the server's own database: this class's may not be there yet
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await standby.ExecuteScalarAsync<bool>($"SELECT pg_last_wal_replay_lsn() >= {written}::pg_lsn", Ct))
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The standby did not replay up to {written} within 30 s.");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>
    /// Waits until a new standby session in this class's database counts <paramref name="rows"/> rows: in full runs the
    /// first read after <see cref="WaitForReplayAsync"/> has twice seen none, so the scenario waits for what it needs.
    /// </summary>
    private async Task WaitUntilTheStandbyCountsAsync(long rows)
    {
        var connection = new NpgsqlConnectionStringBuilder(PgReplicaFactAttribute.ConnectionString)
        {
            Database = new NpgsqlConnectionStringBuilder(Db.ConnectionString).Database,
        };
        await using var standby = NpgsqlDataSource.Create(connection.ConnectionString);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (await standby.ExecuteScalarAsync<long>("SELECT count(*) FROM replicated", Ct) != rows)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The standby did not show {rows} rows in 'replicated' within 30 s.");
            await Task.Delay(20, Ct);
        }
    }

    [PgReplicaFact]
    public async Task A_read_only_scope_is_routed_to_the_standby_and_sees_what_the_primary_committed()
    {
        await using var cluster = BuildCluster();
        var primary = cluster.WithTargetSession(TargetSessionAttributes.Primary);
        var standby = cluster.WithTargetSession(TargetSessionAttributes.PreferStandby);

        var wroteInRecovery = await primary.InTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync("INSERT INTO replicated SELECT g, 'from the primary' FROM generate_series(1, 25) AS g", ct);
            return await tx.ExecuteScalarAsync<bool>("SELECT pg_is_in_recovery()", ct);
        }, Ct);
        await WaitForReplayAsync();
        // Once in a full run (many classes in parallel on two cores) the standby's first read after the replay check
        // saw no rows; read again for a bounded time: the rows must still arrive, on a server in recovery.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        bool readInRecovery;
        long rows;
        while (true)
        {
            (readInRecovery, rows) = await standby.InTransactionAsync(StandbyRead, async (tx, ct) =>
                (await tx.ExecuteScalarAsync<bool>("SELECT pg_is_in_recovery()", ct),
                 await tx.ExecuteScalarAsync<long>("SELECT count(*) FROM replicated WHERE note = 'from the primary'", ct)), Ct);
            if (rows == 25 || DateTime.UtcNow > deadline)
                break;
            await Task.Delay(50, Ct);
        }

        Assert.False(wroteInRecovery);
        Assert.True(readInRecovery);
        Assert.Equal(25, rows);
    }

    [PgReplicaFact]
    public async Task A_write_scope_on_the_standby_fails_with_an_error_that_names_the_primary()
    {
        await using var cluster = BuildCluster();
        var standby = cluster.WithTargetSession(TargetSessionAttributes.Standby);
        var attempts = 0;

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => standby.InTransactionAsync(
            PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.RepeatableRead },
            async (tx, ct) =>
            {
                Interlocked.Increment(ref attempts);
                await tx.ExecuteAsync("INSERT INTO replicated VALUES (100, 'on the standby')", ct);
            }, Ct));

        Assert.Equal(1, attempts); // not retried
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        Assert.Contains("hot standby", error.Message);
        Assert.Contains("TargetSessionAttributes.Primary", error.Message);
        Assert.Equal(0, await Db.DataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM replicated", Ct));
    }

    [PgReplicaFact]
    public async Task A_serializable_scope_on_the_standby_fails_with_an_error_that_names_repeatable_read()
    {
        await using var cluster = BuildCluster();
        var standby = cluster.WithTargetSession(TargetSessionAttributes.Standby);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => standby.InTransactionAsync(
            PgTransactionOptions.Default with { ReadOnly = true },
            (tx, ct) => tx.ExecuteScalarAsync<long>("SELECT count(*) FROM replicated", ct), Ct));

        Assert.Equal(PostgresErrorCodes.FeatureNotSupported, Assert.IsType<PostgresException>(error.InnerException).SqlState);
        Assert.Contains("SERIALIZABLE", error.Message);
        Assert.Contains("IsolationLevel.RepeatableRead", error.Message);
    }

    [PgReplicaFact]
    public async Task A_read_cancelled_by_a_recovery_conflict_is_retried_and_succeeds_on_the_next_attempt()
    {
        await using var cluster = BuildCluster();

        // Still running when VACUUM on the primary removes rows this snapshot can see: the standby cancels the
        // statement after max_standby_streaming_delay instead of holding replay back.
        await ReadThroughRecoveryConflictAsync(
            cluster.WithTargetSession(TargetSessionAttributes.Standby),
            (tx, ct) => tx.ExecuteAsync("SELECT pg_sleep(20)", ct),
            afterVacuum: _ => Task.CompletedTask);
    }

    [PgReplicaFact]
    public async Task A_read_whose_idle_session_the_standby_ends_for_a_recovery_conflict_is_retried_on_a_new_connection()
    {
        await using var cluster = BuildCluster();
        var sessionEnded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Idle in transaction (awaiting something else) when the conflict comes: an idle session has no statement to
        // cancel, so the standby ends it, and the next statement finds that out. PreferStandby, not Standby: Npgsql marks
        // a host whose session ended with an error offline for Host Recheck Seconds (10 s by default), so with Standby
        // the retry would find "No suitable host"; PreferStandby falls back to the primary meanwhile.
        await ReadThroughRecoveryConflictAsync(
            cluster.WithTargetSession(TargetSessionAttributes.PreferStandby),
            async (tx, ct) =>
            {
                await sessionEnded.Task.WaitAsync(ct);
                await tx.ExecuteAsync("SELECT 1", ct);
            },
            afterVacuum: async pid =>
            {
                await using var observer = NpgsqlDataSource.Create(PgReplicaFactAttribute.ConnectionString);
                var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
                while (await observer.ExecuteScalarAsync<long>($"SELECT count(*) FROM pg_stat_activity WHERE pid = {pid}", Ct) > 0)
                {
                    Assert.True(DateTime.UtcNow < deadline, "the standby did not end the idle session");
                    await Task.Delay(20, Ct);
                }

                sessionEnded.SetResult();
            });
    }

    /// <summary>
    /// A read-only scope on <paramref name="standby"/> whose first attempt reads 500 rows, then runs
    /// <paramref name="firstAttemptGoesOn"/> while the primary deletes them and VACUUM removes them (then
    /// <paramref name="afterVacuum"/> runs with the standby's process id): the replayed VACUUM conflicts with the first
    /// attempt's snapshot. Asserts that the first attempt failed with the standby's 40001 and the second read the replay.
    /// </summary>
    private async Task ReadThroughRecoveryConflictAsync(
        NpgsqlDataSource standby, Func<PgTx, CancellationToken, Task> firstAttemptGoesOn, Func<int, Task> afterVacuum)
    {
        await Db.ExecuteAsync("INSERT INTO replicated SELECT g, 'doomed' FROM generate_series(1, 500) AS g");
        await WaitForReplayAsync();
        await WaitUntilTheStandbyCountsAsync(500);
        var snapshotTaken = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        PostgresException? conflict = null;

        var reading = standby.InTransactionAsync(StandbyRead, async (tx, ct) =>
        {
            var rows = await tx.ExecuteScalarAsync<long>("SELECT count(*) FROM replicated", ct);
            if (tx.Attempt == 1)
            {
                Assert.Equal(500, rows);
                Assert.True(await tx.ExecuteScalarAsync<bool>("SELECT pg_is_in_recovery()", ct));
                snapshotTaken.SetResult(await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", ct));
                try
                {
                    await firstAttemptGoesOn(tx, ct);
                }
                catch (PostgresException e)
                {
                    conflict = e;
                    throw;
                }
            }

            return (Attempt: tx.Attempt, Rows: rows);
        }, Ct);

        var pid = await snapshotTaken.Task.WaitAsync(TimeSpan.FromSeconds(20), Ct);
        await Db.ExecuteAsync("DELETE FROM replicated");
        await Db.ExecuteAsync("VACUUM replicated");
        await afterVacuum(pid);
        var (attempt, rowsSeen) = await reading;

        Assert.NotNull(conflict);
        Assert.Equal(PostgresErrorCodes.SerializationFailure, conflict.SqlState); // 40001, as a serialization failure
        Assert.Contains("conflict with recovery", conflict.MessageText);
        Assert.Equal(2, attempt);
        Assert.Equal(0, rowsSeen); // the retry read the data as of the replayed DELETE
    }
}

/// <summary>
/// The standby tests run alone, after the parallel classes: their recovery conflicts and replay waits are timing
/// on a shared primary, and two full runs on a loaded machine failed them while other classes wrote and vacuumed.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class StandbyCollection
{
    public const string Name = "Standby";
}
