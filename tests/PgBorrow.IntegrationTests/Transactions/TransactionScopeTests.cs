using System;
using System.Data;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Transactions;

/// <summary>InTransactionAsync: commit, rollback, what is and is not retried, cancellation, refusal to nest, the end of the loan.</summary>
public sealed class TransactionScopeTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    private static readonly PgTransactionOptions Fast = PgTransactionOptions.Default with { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    protected override async Task SetUpAsync()
    {
        await TransactionsDatabase.ResetAsync(Db.DataSource, Ct);
    }

    [PgFact]
    public async Task Commits_when_the_body_returns_and_returns_its_result()
    {
        var name = await Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({1}, {"one"})", ct);
            return (await tx.QuerySingleAsync<TxItem>($"SELECT id, name FROM tx_items WHERE id = {1}", ct)).Name;
        }, Ct);

        Assert.Equal("one", name);
        Assert.Equal(1, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 1));
    }

    [PgFact]
    public async Task Works_on_an_open_connection_and_passes_state_without_a_closure()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await connection.InTransactionAsync(null, (Id: 2, Name: "two"), static async (tx, item, ct) =>
        {
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({item.Id}, {item.Name})", ct);
        }, Ct);
        var isolation = await connection.InTransactionAsync(
            PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.RepeatableRead, ReadOnly = true },
            42,
            static (tx, state, ct) => tx.ExecuteScalarAsync<string>($"SELECT current_setting('transaction_isolation') || ' ' || current_setting('transaction_read_only') || ' ' || {state}", ct),
            Ct);

        Assert.Equal("repeatable read on 42", isolation);
        Assert.Equal(1, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 2));
        Assert.Equal(ConnectionState.Open, connection.State); // the caller's connection stays open
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT 1", Ct)); // and out of any transaction
    }

    [PgFact]
    public async Task Begins_serializable_read_only_deferrable_when_asked()
    {
        var modes = await Db.DataSource.InTransactionAsync(
            PgTransactionOptions.Default with { ReadOnly = true, Deferrable = true },
            (tx, ct) => tx.ExecuteScalarAsync<string>(
                "SELECT current_setting('transaction_isolation') || ' ' || current_setting('transaction_read_only') || ' ' || current_setting('transaction_deferrable')", ct),
            Ct);

        Assert.Equal("serializable on on", modes);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() =>
            Db.DataSource.InTransactionAsync(PgTransactionOptions.Default with { Deferrable = true }, (tx, ct) => Task.CompletedTask, Ct));
        Assert.Contains("Deferrable needs ReadOnly", refused.Message);
    }

    [PgFact]
    public async Task Rolls_back_everything_when_the_body_throws_and_rethrows_the_original_exception()
    {
        var runs = 0;
        var thrown = await Assert.ThrowsAsync<InvalidTimeZoneException>(() => Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            runs++;
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({3}, {"three"})", ct);
            throw new InvalidTimeZoneException("the body's own failure");
        }, Ct));

        Assert.Equal("the body's own failure", thrown.Message);
        Assert.Equal(1, runs);
        Assert.Equal(0, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 3));
    }

    [PgFact]
    public async Task Does_not_retry_a_unique_violation()
    {
        await Db.DataSource.ExecuteAsync("INSERT INTO tx_items VALUES (4, 'four')", Ct);
        var runs = 0;

        var thrown = await Assert.ThrowsAsync<PostgresException>(() => Db.DataSource.InTransactionAsync(Fast, async (tx, ct) =>
        {
            runs++;
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({5}, {"five"})", ct);
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({4}, {"again"})", ct);
        }, Ct));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, thrown.SqlState);
        Assert.Equal(1, runs);
        Assert.Equal(0, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 5));
    }

    [PgFact]
    public async Task Gives_up_after_max_attempts_naming_the_attempts_and_the_sqlstate()
    {
        var runs = 0;
        var thrown = await Assert.ThrowsAsync<PgRetriesExhaustedException>(() => Db.DataSource.InTransactionAsync(Fast with { MaxAttempts = 3 }, async (tx, ct) =>
        {
            runs++;
            Assert.Equal(runs, tx.Attempt);
            await tx.ExecuteAsync("DO $$ BEGIN RAISE EXCEPTION 'always conflicting' USING ERRCODE = 'serialization_failure'; END $$", ct);
        }, Ct));

        Assert.Equal(3, runs);
        Assert.Equal(3, thrown.Attempts);
        Assert.Equal(PostgresErrorCodes.SerializationFailure, thrown.SqlState);
        Assert.Same(thrown.LastFailure, thrown.InnerException);
        Assert.Contains("3 attempt(s)", thrown.Message);
        Assert.Contains("40001", thrown.Message);
    }

    [PgFact]
    public async Task Cancellation_during_the_backoff_ends_the_wait_at_once()
    {
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var slow = PgTransactionOptions.Default with { BaseDelay = TimeSpan.FromSeconds(20), MaxDelay = TimeSpan.FromSeconds(20) };
        var runs = 0;
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Db.DataSource.InTransactionAsync(slow, async (tx, ct) =>
        {
            runs++;
            cancellation.CancelAfter(TimeSpan.FromMilliseconds(200)); // fires during the 10-20 s backoff
            await tx.ExecuteAsync("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$", ct);
        }, cancellation.Token));

        Assert.Equal(1, runs);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [PgFact]
    public async Task Refuses_to_start_inside_a_transaction_already_open_on_the_connection()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await using (var outer = await connection.BeginTransactionAsync(Ct))
        {
            var nested = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.InTransactionAsync((tx, ct) => Task.CompletedTask, Ct));
            Assert.Contains("already has a transaction in progress", nested.Message);
        }

        await connection.ExecuteAsync("BEGIN", Ct); // a transaction Npgsql did not start
        var raw = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.InTransactionAsync((tx, ct) => Task.CompletedTask, Ct));
        Assert.Contains("Nested transaction scopes are not supported", raw.Message);
        await connection.ExecuteAsync("ROLLBACK", Ct);

        await using var closed = Db.DataSource.CreateConnection();
        var notOpen = await Assert.ThrowsAsync<InvalidOperationException>(() => closed.InTransactionAsync((tx, ct) => Task.CompletedTask, Ct));
        Assert.Contains("needs an open NpgsqlConnection", notOpen.Message);
    }

    [PgFact]
    public async Task A_PgTx_cannot_be_used_after_its_scope_ends()
    {
        PgTx? kept = null;
        await Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            kept = tx;
            Assert.True(tx.IsActive);
            await tx.ExecuteAsync("SELECT 1", ct);
        }, Ct);

        Assert.NotNull(kept);
        Assert.False(kept!.IsActive);
        var afterCommit = await Assert.ThrowsAsync<ObjectDisposedException>(() => kept.ExecuteAsync("SELECT 1", Ct));
        Assert.Contains("PgTx", afterCommit.Message);
        Assert.Contains("committed", afterCommit.Message);
        Assert.Throws<ObjectDisposedException>(() => kept.CreateCommand("SELECT 1"));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => kept.SavepointAsync("late", Ct));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => kept.AdvisoryXactLockAsync(1, Ct));

        PgTx? rolledBack = null;
        await Assert.ThrowsAsync<InvalidOperationException>(() => Db.DataSource.InTransactionAsync((tx, ct) =>
        {
            rolledBack = tx;
            throw new InvalidOperationException("fail");
        }, Ct));
        var afterRollback = await Assert.ThrowsAsync<ObjectDisposedException>(() => rolledBack!.QueryAsync<TxItem>("SELECT 1 AS id, 'x' AS name", Ct));
        Assert.Contains("rolled back", afterRollback.Message);
    }

    [PgFact]
    public async Task CreateCommand_runs_in_the_transaction()
    {
        await Assert.ThrowsAsync<OperationCanceledException>(() => Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            await using var command = tx.CreateCommand($"INSERT INTO tx_items VALUES ({6}, {"six"}) RETURNING name");
            Assert.NotNull(command.Transaction);
            Assert.Equal("six", await command.ExecuteScalarAsync(ct));
            Assert.Equal(1, await tx.ExecuteScalarAsync<long>($"SELECT count(*) FROM tx_items WHERE id = {6}", ct));
            await foreach (var item in tx.QueryStreamAsync<TxItem>("SELECT id, name FROM tx_items", ct))
                Assert.Equal(6, item.Id);
            Assert.Equal("six", (await tx.QueryFirstOrDefaultAsync<TxItem>("SELECT id, name FROM tx_items", ct)).Name);
            throw new OperationCanceledException("undo");
        }, Ct));

        Assert.Equal(0, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 6));
    }

    [Fact]
    public void Options_are_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => (PgTransactionOptions.Default with { MaxAttempts = 0 }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (PgTransactionOptions.Default with { BaseDelay = TimeSpan.FromSeconds(2), MaxDelay = TimeSpan.FromSeconds(1) }).Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => (PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.Chaos }).Validate());
        Assert.Throws<ArgumentException>(() => (PgTransactionOptions.Default with { ReadOnly = true, Deferrable = true, IsolationLevel = IsolationLevel.RepeatableRead }).Validate());
        (PgTransactionOptions.Default with { ReadOnly = true, Deferrable = true }).Validate();
    }

    [Fact]
    public void Backoff_doubles_from_the_base_delay_with_jitter_and_stops_at_the_maximum()
    {
        var options = PgTransactionOptions.Default with { BaseDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromMilliseconds(500) };
        for (var i = 0; i < 50; i++)
        {
            var first = PgTransactionRunner.Backoff(options, 1);
            var third = PgTransactionRunner.Backoff(options, 3);
            var late = PgTransactionRunner.Backoff(options, 1000);
            Assert.InRange(first.TotalMilliseconds, 50, 100);
            Assert.InRange(third.TotalMilliseconds, 200, 400);
            Assert.InRange(late.TotalMilliseconds, 250, 500);
        }
    }
}
