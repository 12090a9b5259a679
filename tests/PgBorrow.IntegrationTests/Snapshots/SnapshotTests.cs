using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.IntegrationTests.Notifications;
using Xunit;

namespace PgBorrow.IntegrationTests.Snapshots;

/// <summary>A ledger total as one transaction sees it.</summary>
[PgRow]
public partial record struct LedgerTotal(long Rows, long Total);

/// <summary>
/// ExportSnapshotAsync, PgSnapshot.ReadAsync and InSnapshotAsync against a real server: parallel readers agree while a
/// writer commits, reads are read-only REPEATABLE READ, a disposed snapshot is refused clearly, malformed ids are refused.
/// </summary>
public sealed class SnapshotTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    private const string TotalSql = "SELECT count(*) AS rows, coalesce(sum(amount), 0)::bigint AS total FROM snap_ledger";

    protected override async Task SetUpAsync()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await connection.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS snap_ledger (id serial PRIMARY KEY, account integer NOT NULL, amount integer NOT NULL);
            TRUNCATE snap_ledger;
            INSERT INTO snap_ledger (account, amount) SELECT i % 10, 10 FROM generate_series(1, 100) AS i;
            """, Ct);
    }

    [PgFact]
    public async Task Parallel_readers_on_one_snapshot_see_the_same_totals_while_a_writer_commits()
    {
        await using var snapshot = await Db.DataSource.ExportSnapshotAsync(Ct);
        Assert.True(snapshot.IsActive);
        Assert.Equal("idle in transaction", await Db.SessionStateAsync(snapshot.ProcessId)); // held open: importable

        using var stopWriting = new CancellationTokenSource();
        var committed = 0;
        var writer = Task.Run(async () =>
        {
            while (!stopWriting.IsCancellationRequested)
            {
                await Db.DataSource.ExecuteAsync($"INSERT INTO snap_ledger (account, amount) VALUES ({committed % 10}, {1})", Ct);
                Interlocked.Increment(ref committed);
                await Task.Delay(2, Ct);
            }
        }, Ct);

        try
        {
            await Backends.WaitUntilAsync(() => Task.FromResult(Volatile.Read(ref committed) >= 5), TimeSpan.FromSeconds(15), "the writer committed");

            // Eight readers, one per account group, each reading three times while the writer goes on.
            var perReader = await Task.WhenAll(Enumerable.Range(0, 8).Select(reader => snapshot.ReadAsync(reader, async (tx, reader, ct) =>
            {
                var seen = new List<LedgerTotal>();
                for (var i = 0; i < 3; i++)
                {
                    seen.Add(await tx.QuerySingleAsync<LedgerTotal>(TotalSql, ct));
                    await Task.Delay(20, ct);
                }

                var modes = await tx.ExecuteScalarAsync<string>(
                    "SELECT current_setting('transaction_isolation') || ' ' || current_setting('transaction_read_only')", ct);
                return (seen, modes, Group: await tx.ExecuteScalarAsync<long>($"SELECT count(*) FROM snap_ledger WHERE account = {reader}", ct));
            }, Ct)));

            Assert.All(perReader, r =>
            {
                Assert.All(r.seen, total => Assert.Equal(new LedgerTotal(100, 1000), total));
                Assert.Equal("repeatable read on", r.modes);
                Assert.Equal(10, r.Group);
            });

            // The same id, imported the way another process would.
            Assert.Equal(new LedgerTotal(100, 1000), await Db.DataSource.InSnapshotAsync(snapshot.Id, (tx, ct) => tx.QuerySingleAsync<LedgerTotal>(TotalSql, ct), Ct));
            Assert.Equal(
                1000L,
                await Db.DataSource.InSnapshotAsync(snapshot.Id, TotalSql, static async (tx, sql, ct) => (await tx.QuerySingleAsync<LedgerTotal>(sql, ct)).Total, Ct));

            // A reader without the snapshot sees what the writer has committed.
            var now = await Db.DataSource.QuerySingleAsync<LedgerTotal>(TotalSql, Ct);
            Assert.True(now.Rows > 100 && now.Total > 1000, $"Expected the writer's rows, saw {now}.");
        }
        finally
        {
            stopWriting.Cancel();
            await writer;
        }
    }

    [PgFact]
    public async Task A_snapshot_read_is_read_only_and_its_PgTx_ends_with_it()
    {
        await using var snapshot = await Db.DataSource.ExportSnapshotAsync(Ct);

        var refused = await Assert.ThrowsAsync<PostgresException>(() => snapshot.ReadAsync(
            (tx, ct) => tx.ExecuteAsync($"INSERT INTO snap_ledger (account, amount) VALUES ({1}, {1})", ct), Ct));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);

        PgTx? escaped = null;
        await snapshot.ReadAsync(async (tx, ct) =>
        {
            escaped = tx;
            await tx.ExecuteScalarAsync<int>("SELECT 1", ct);
        }, Ct);
        Assert.False(escaped!.IsActive);
        var used = await Assert.ThrowsAsync<ObjectDisposedException>(() => escaped.ExecuteScalarAsync<int>("SELECT 1", Ct));
        Assert.Contains("PgTx", used.Message);
        Assert.Contains("committed", used.Message);

        // A failed read does not affect the snapshot: the next one works.
        Assert.Equal(100, await snapshot.ReadAsync((tx, ct) => tx.ExecuteScalarAsync<long>("SELECT count(*) FROM snap_ledger", ct), Ct));
    }

    [PgFact]
    public async Task Using_a_snapshot_after_dispose_fails_with_a_clear_error()
    {
        var snapshot = await Db.DataSource.ExportSnapshotAsync(Ct);
        var id = snapshot.Id;
        var pid = snapshot.ProcessId;
        await snapshot.DisposeAsync();
        await snapshot.DisposeAsync(); // again: nothing happens

        Assert.False(snapshot.IsActive);
        Assert.NotEqual("idle in transaction", await Db.SessionStateAsync(pid)); // the exporting transaction has ended

        var disposed = await Assert.ThrowsAsync<ObjectDisposedException>(() => snapshot.ReadAsync((tx, ct) => tx.ExecuteScalarAsync<int>("SELECT 1", ct), Ct));
        Assert.Contains("PgSnapshot", disposed.Message);
        Assert.Contains(id, disposed.Message);

        // The id alone, as another process would hold it: the server refuses it, and the error says why.
        var gone = await Assert.ThrowsAsync<InvalidOperationException>(() => Db.DataSource.InSnapshotAsync(id, (tx, ct) => tx.ExecuteScalarAsync<int>("SELECT 1", ct), Ct));
        Assert.Contains(id, gone.Message);
        Assert.Contains("SQLSTATE 22023", gone.Message);
        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, Assert.IsType<PostgresException>(gone.InnerException).SqlState);
    }

    [Fact]
    public async Task Malformed_snapshot_ids_are_refused_before_anything_is_sent()
    {
        await using var nowhere = NpgsqlDataSource.Create("Host=pgborrow.invalid;Timeout=1");
        string[] malformed = ["", "abc", "0000-'; DROP TABLE snap_ledger; --", "-00000003-1", "00000003-1-", "00000003--1", "00000003-0000001B-1 ", "0000000G-1", new string('0', 63) + "-1"];

        foreach (var id in malformed)
        {
            var error = await Assert.ThrowsAsync<ArgumentException>(() => nowhere.InSnapshotAsync(id, (tx, ct) => tx.ExecuteScalarAsync<int>("SELECT 1", ct)));
            Assert.Equal("snapshotId", error.ParamName);
            Assert.Contains("not a snapshot identifier", error.Message);
        }

        await Assert.ThrowsAsync<ArgumentNullException>(() => nowhere.InSnapshotAsync(null!, (tx, ct) => Task.CompletedTask));
    }
}
