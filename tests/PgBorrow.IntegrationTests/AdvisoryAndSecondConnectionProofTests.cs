using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;
using Right = PgBorrow.Samples.Showcase.Right;
using Wrong = PgBorrow.Samples.Showcase.Wrong;

namespace PgBorrow.IntegrationTests;

/// <summary>
/// PGB103 and PGB105 at run time: a session advisory lock that a failed job leaves behind stays with
/// the pooled connection, and a second connection that needs a row the transaction locked waits for
/// a transaction that waits for it. Every wait here is bounded (lock_timeout, command timeouts,
/// WaitAsync), so a regression fails the test instead of hanging the run.
/// </summary>
public sealed class AdvisoryAndSecondConnectionProofTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    private const string LockNotAvailable = "55P03";
    private const long JobKey = 103_001;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    protected override Task SetUpAsync() => Db.ResetAsync();

    private static Task FailingJob(CancellationToken cancellationToken)
        => throw new InvalidOperationException("the report service is down");

    [PgFact]
    public async Task Pgb103_failed_job_leaves_the_lock_with_the_pooled_connection_until_that_connection_is_used_again()
    {
        // A pool of one: the next Open is guaranteed to get the physical connection the job ran on.
        await using var jobPool = Db.CreateDataSource(b => b.MaxPoolSize = 1);

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(
            () => new Wrong.ExclusiveJobRunner(jobPool).RunExclusiveAsync(JobKey, FailingJob, Ct));
        Assert.Equal("the report service is down", failure.Message);

        // The runner disposed its connection (back to the pool), but the session behind it lives on,
        // idle, and still holds the lock: pg_locks shows it granted, and nobody else can take it.
        var holder = Assert.Single(await AdvisoryLockHoldersAsync(JobKey));
        Assert.Equal("idle", await Db.SessionStateAsync(holder));
        Assert.False(await TryAdvisoryLockAsync(JobKey));

        // The next instance of the job (fixed code, another pool) waits in pg_advisory_lock.
        var ran = false;
        var next = new Right.ExclusiveJobRunner(Db.DataSource).RunExclusiveAsync(JobKey, _ =>
        {
            ran = true;
            return Task.CompletedTask;
        }, Ct);
        await Db.WaitForLockWaiterAsync("SELECT pg_advisory_lock", holder, Bound);
        Assert.NotSame(next, await Task.WhenAny(next, Task.Delay(TimeSpan.FromMilliseconds(300), Ct)));
        Assert.False(ran);

        // Opening the pooled connection again sends nothing: the lock is still held.
        await using (var reused = await jobPool.OpenConnectionAsync(Ct))
        {
            Assert.Equal(holder, reused.ProcessID);
            Assert.Equal([holder], await AdvisoryLockHoldersAsync(JobKey));

            // Its first statement goes out behind Npgsql's reset (DISCARD ALL, which includes
            // pg_advisory_unlock_all()): that is what finally releases the lock.
            await using var first = new NpgsqlCommand("SELECT 1", reused);
            await first.ExecuteScalarAsync(Ct);
        }

        await next.WaitAsync(Bound, Ct); // the waiting instance got the lock, ran, and unlocked
        Assert.True(ran);
        Assert.Empty(await AdvisoryLockHoldersAsync(JobKey));
        Assert.True(await TryAdvisoryLockAsync(JobKey));
    }

    [PgFact]
    public async Task Pgb103_fixed_runner_releases_the_lock_when_the_job_throws_or_is_cancelled()
    {
        await using var jobPool = Db.CreateDataSource(b => b.MaxPoolSize = 1);
        var runner = new Right.ExclusiveJobRunner(jobPool);

        await Assert.ThrowsAsync<InvalidOperationException>(() => runner.RunExclusiveAsync(JobKey, FailingJob, Ct));

        Assert.Empty(await AdvisoryLockHoldersAsync(JobKey));
        Assert.True(await TryAdvisoryLockAsync(JobKey));
        Assert.False(await runner.IsRunningAsync(JobKey, Ct));

        // Cancelled while the job runs: the unlock in 'finally' does not use the cancelled token.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunExclusiveAsync(JobKey, token =>
        {
            cancel.Cancel();
            token.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }, cancel.Token));

        Assert.Empty(await AdvisoryLockHoldersAsync(JobKey));
        Assert.True(await TryAdvisoryLockAsync(JobKey));
    }

    [PgFact]
    public async Task Pgb105_audit_row_written_through_a_second_connection_records_the_stale_status()
    {
        await Db.ExecuteAsync("INSERT INTO orders (account_id, amount) VALUES (2, 15)"); // order 1, pending

        var recorded = await new Wrong.PaymentConfirmationService(Db.DataSource).ConfirmAsync(orderId: 1, reference: "psp-1", Ct);

        // The second session could not see the transaction's uncommitted UPDATE.
        Assert.Equal("pending", recorded);
        Assert.Equal([(1, "psp-1", "pending")], await AuditRowsAsync());
        Assert.Equal([(2, 15, "paid")], await Db.OrdersAsync());
    }

    [PgFact]
    public async Task Pgb105_second_connection_writing_the_row_the_transaction_updated_waits_until_lock_timeout()
    {
        await Db.ExecuteAsync("INSERT INTO orders (account_id, amount) VALUES (2, 15)"); // order 1, pending

        // The Wrong/ pattern: a transaction has updated the order and is still open ...
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);
        await using (var markPaid = new NpgsqlCommand("UPDATE orders SET status = 'paid' WHERE id = 1", connection, transaction))
            Assert.Equal(1, await markPaid.ExecuteNonQueryAsync(Ct));

        // ... and the same code path writes that row through a second connection from the data source.
        await using var second = await Db.DataSource.OpenConnectionAsync(Ct);
        await using (var setTimeout = new NpgsqlCommand("SET lock_timeout = '500ms'", second))
            await setTimeout.ExecuteNonQueryAsync(Ct);
        await using var touch = new NpgsqlCommand("UPDATE orders SET status = 'paid' WHERE id = 1", second) { CommandTimeout = 10 };

        var watch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<PostgresException>(() => touch.ExecuteNonQueryAsync(Ct));
        watch.Stop();

        // It waited for the first transaction's row lock, which was waiting for this very code: only
        // lock_timeout ended the wait. Without it, the command timeout (or nothing) would.
        Assert.Equal(LockNotAvailable, error.SqlState);
        Assert.Contains("lock timeout", error.MessageText, StringComparison.Ordinal);
        Assert.InRange(watch.Elapsed, TimeSpan.FromMilliseconds(450), TimeSpan.FromSeconds(10));

        // The second session does not see the uncommitted UPDATE, and what it writes does not roll
        // back with the transaction.
        await using (var read = new NpgsqlCommand("SELECT status FROM orders WHERE id = 1", second))
            Assert.Equal("pending", await read.ExecuteScalarAsync(Ct));
        await using (var audit = new NpgsqlCommand("INSERT INTO payment_audit (order_id, reference, order_status) VALUES (1, 'psp-2', 'paid')", second))
            await audit.ExecuteNonQueryAsync(Ct);
        await transaction.RollbackAsync(Ct);

        Assert.Equal([(2, 15, "pending")], await Db.OrdersAsync());
        Assert.Equal([(1, "psp-2", "paid")], await AuditRowsAsync());
    }

    [PgFact]
    public async Task Pgb105_fixed_service_writes_the_audit_row_in_the_transaction_and_never_waits_on_itself()
    {
        await Db.ExecuteAsync("INSERT INTO orders (account_id, amount) VALUES (2, 15)"); // order 1, pending

        // Every connection of this pool gives up on a lock after 500 ms: the fixed code never needs to.
        await using var impatient = Db.CreateDataSource(b => b.Options = "-c lock_timeout=500ms");
        var service = new Right.PaymentConfirmationService(impatient);

        var recorded = await service.ConfirmAsync(orderId: 1, reference: "psp-3", Ct);

        Assert.Equal("paid", recorded);
        Assert.Equal([(1, "psp-3", "paid")], await AuditRowsAsync());
        Assert.Equal([(2, 15, "paid")], await Db.OrdersAsync());
        Assert.Null(await service.ConfirmAsync(orderId: 999, reference: "psp-4", Ct));
        Assert.Single(await AuditRowsAsync());
    }

    /// <summary>The pids of the sessions of this database granted the bigint advisory lock <paramref name="key"/>.</summary>
    private async Task<List<int>> AdvisoryLockHoldersAsync(long key)
    {
        var pids = new List<int>();
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand("""
            SELECT pid FROM pg_locks
            WHERE locktype = 'advisory' AND granted AND objsubid = 1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
              AND (classid::bigint << 32) | objid::bigint = $1
            ORDER BY pid
            """, connection);
        command.Parameters.AddWithValue(key);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
            pids.Add(reader.GetInt32(0));
        return pids;
    }

    /// <summary>Whether another session can take the lock right now; if it can, it gives it back at once.</summary>
    private async Task<bool> TryAdvisoryLockAsync(long key)
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock($1)", connection);
        tryLock.Parameters.AddWithValue(key);
        var taken = (bool)(await tryLock.ExecuteScalarAsync(Ct))!;
        if (taken)
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
            unlock.Parameters.AddWithValue(key);
            Assert.True((bool)(await unlock.ExecuteScalarAsync(Ct))!);
        }
        return taken;
    }

    private async Task<List<(int OrderId, string Reference, string? OrderStatus)>> AuditRowsAsync()
    {
        var rows = new List<(int, string, string?)>();
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand("SELECT order_id, reference, order_status FROM payment_audit ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
            rows.Add((reader.GetInt32(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
        return rows;
    }
}
