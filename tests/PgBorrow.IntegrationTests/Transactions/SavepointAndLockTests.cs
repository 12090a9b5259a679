using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Transactions;

/// <summary>Savepoints on a PgTx, and advisory locks on sessions and transactions.</summary>
public sealed class SavepointAndLockTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    protected override async Task SetUpAsync()
    {
        await TransactionsDatabase.ResetAsync(Db.DataSource, Ct);
    }

    [PgFact]
    public async Task A_disposed_savepoint_rolls_back_and_a_released_one_keeps_its_work()
    {
        await Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({1}, {"kept"})", ct);
            await using (var undone = await tx.SavepointAsync("undone", ct))
            {
                await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({2}, {"undone"})", ct);
                Assert.True(undone.IsPending);
            }

            await using (var kept = await tx.SavepointAsync("kept", ct))
            {
                await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({3}, {"released"})", ct);
                await kept.ReleaseAsync(ct);
                Assert.False(kept.IsPending);
                await Assert.ThrowsAsync<InvalidOperationException>(() => kept.ReleaseAsync(ct));
            }
        }, Ct);

        Assert.Equal(1, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 1));
        Assert.Equal(0, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 2));
        Assert.Equal(1, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 3));
    }

    [PgFact]
    public async Task Rolling_back_to_a_savepoint_recovers_from_an_error_and_the_transaction_commits()
    {
        await Db.DataSource.ExecuteAsync("INSERT INTO tx_items VALUES (4, 'existing')", Ct);

        var inserted = await Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({5}, {"five"})", ct);
            try
            {
                await using var attempt = await tx.SavepointAsync("maybe_duplicate", ct);
                await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({4}, {"duplicate"})", ct);
                await attempt.ReleaseAsync(ct);
                return true;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                return false; // the savepoint's dispose rolled back to it: the transaction is usable again
            }
        }, Ct);

        Assert.False(inserted);
        Assert.Equal(1, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 5));
        Assert.Equal("existing", await Db.DataSource.ExecuteScalarAsync<string>("SELECT name FROM tx_items WHERE id = 4", Ct));
    }

    [PgFact]
    public async Task Savepoint_names_must_be_identifiers()
    {
        await Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            foreach (var bad in new[] { "", "1abc", "a b", "x; DROP TABLE tx_items", "\"quoted\"", new string('a', 64) })
            {
                var thrown = await Assert.ThrowsAsync<ArgumentException>(() => tx.SavepointAsync(bad, ct));
                Assert.Contains("savepoint name", thrown.Message);
            }

            await using var ok = await tx.SavepointAsync("_Ok_1", ct);
        }, Ct);
    }

    [PgFact]
    public async Task A_session_advisory_lock_is_released_on_dispose_even_after_an_exception()
    {
        const long key = 0x1234_5678_9ABCL;
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var other = await Db.DataSource.OpenConnectionAsync(Ct);

        await Assert.ThrowsAsync<InvalidTimeZoneException>(async () =>
        {
            await using var guard = await connection.AdvisoryLockAsync(key, Ct);
            Assert.True(guard.IsHeld);
            Assert.Equal(1, await TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, key));
            Assert.Null(await other.TryAdvisoryLockAsync(key, Ct)); // held: the other session does not get it
            throw new InvalidTimeZoneException("work failed while holding the lock");
        });

        Assert.Equal(0, await TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, key));
        await using (var taken = await other.TryAdvisoryLockAsync(key, Ct))
        {
            Assert.NotNull(taken);
            await taken!.ReleaseAsync(Ct);
            Assert.False(taken.IsHeld);
        }

        Assert.Equal(0, await TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, key));
    }

    [PgFact]
    public async Task Cancelling_an_advisory_lock_wait_throws_and_leaves_the_lock_not_held()
    {
        const long key = 77;
        await using var holder = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var waiter = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var held = await holder.AdvisoryLockAsync(key, Ct);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter.AdvisoryLockAsync(key, cancel.Token));

        await held.ReleaseAsync(Ct);
        Assert.Equal(0, await TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, key));
        Assert.Equal(1, await waiter.ExecuteScalarAsync<int>("SELECT 1", Ct)); // the waiter's connection is still usable
    }

    [PgFact]
    public async Task A_transaction_advisory_lock_lasts_until_the_scope_ends()
    {
        const long key = 4242;
        await using var other = await Db.DataSource.OpenConnectionAsync(Ct);

        await Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            await tx.AdvisoryXactLockAsync(key, ct);
            Assert.True(await tx.TryAdvisoryXactLockAsync(key, ct)); // re-entrant in the same session
            Assert.Null(await other.TryAdvisoryLockAsync(key, ct));
        }, Ct);
        Assert.Equal(0, await TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, key)); // released by COMMIT

        await Assert.ThrowsAsync<InvalidTimeZoneException>(() => Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            await tx.AdvisoryXactLockAsync(key, ct);
            throw new InvalidTimeZoneException();
        }, Ct));
        Assert.Equal(0, await TransactionsDatabase.AdvisoryLockHoldersAsync(Db.DataSource, key)); // released by ROLLBACK
    }
}
