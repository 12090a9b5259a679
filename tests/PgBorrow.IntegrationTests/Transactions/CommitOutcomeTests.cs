using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Transactions;

/// <summary>Connections that die in the body or during COMMIT.</summary>
public sealed class CommitOutcomeTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    private static readonly PgTransactionOptions Fast = PgTransactionOptions.Default with { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5) };

    protected override async Task SetUpAsync()
    {
        await TransactionsDatabase.ResetAsync(Db.DataSource, Ct);
    }

    [PgFact]
    public async Task A_backend_terminated_mid_body_is_retried_on_a_new_connection_and_commits_once()
    {
        var pids = new List<int>();

        var attempt = await Db.DataSource.InTransactionAsync(Fast, async (tx, ct) =>
        {
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({20}, {"twenty"})", ct);
            var pid = await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", ct);
            pids.Add(pid);
            if (tx.Attempt == 1)
            {
                await TransactionsDatabase.TerminateAsync(Db.DataSource, pid);
                await tx.ExecuteAsync("SELECT 1", ct);
            }

            return tx.Attempt;
        }, Ct);

        Assert.Equal(2, attempt);
        Assert.Equal(2, pids.Distinct().Count()); // the second attempt ran in another session
        Assert.Equal(1, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 20));
    }

    [PgFact]
    public async Task A_backend_terminated_in_every_attempt_gives_up_with_connection_lost_and_leaves_nothing()
    {
        var runs = 0;

        var thrown = await Assert.ThrowsAsync<PgConnectionLostException>(() => Db.DataSource.InTransactionAsync(Fast with { MaxAttempts = 3 }, async (tx, ct) =>
        {
            runs++;
            await InsertThenLoseTheBackendAsync(tx, 24, ct);
        }, Ct));

        Assert.Equal(3, runs);
        Assert.Equal(3, thrown.Attempts);
        Assert.False(thrown.OnCallersConnection);
        Assert.Equal(PostgresErrorCodes.AdminShutdown, thrown.SqlState);
        Assert.Same(thrown.LastFailure, thrown.InnerException);
        Assert.Contains("before COMMIT was sent", thrown.Message);
        Assert.Contains("nothing was committed", thrown.Message);
        Assert.True(thrown.IsTransient);
        Assert.Equal(0, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 24));
    }

    [PgFact]
    public async Task On_a_callers_connection_a_backend_terminated_mid_body_is_not_retried_and_says_so()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var runs = 0;

        var thrown = await Assert.ThrowsAsync<PgConnectionLostException>(() => connection.InTransactionAsync(Fast, async (tx, ct) =>
        {
            runs++;
            await InsertThenLoseTheBackendAsync(tx, 25, ct);
        }, Ct));

        Assert.Equal(1, runs);
        Assert.Equal(1, thrown.Attempts);
        Assert.True(thrown.OnCallersConnection);
        Assert.Contains("caller's NpgsqlConnection", thrown.Message);
        Assert.Contains("NpgsqlDataSource", thrown.Message);
        Assert.Equal(0, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 25));
    }

    /// <summary>Inserts tx_items row <paramref name="id"/>, has another session terminate this backend, then runs a statement on it, which fails.</summary>
    private async Task InsertThenLoseTheBackendAsync(PgTx tx, int id, CancellationToken ct)
    {
        await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({id}, {"lost"})", ct);
        await TransactionsDatabase.TerminateAsync(Db.DataSource, await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", ct));
        await tx.ExecuteAsync("SELECT 1", ct);
    }

    [PgFact]
    public async Task A_body_error_on_a_healthy_connection_is_still_not_retried()
    {
        var runs = 0;

        await Assert.ThrowsAsync<PostgresException>(() => Db.DataSource.InTransactionAsync(Fast, async (tx, ct) =>
        {
            runs++;
            await tx.ExecuteAsync("DO $$ BEGIN RAISE EXCEPTION 'looks like a lost connection' USING ERRCODE = 'query_canceled'; END $$", ct);
        }, Ct));

        Assert.Equal(1, runs);
    }

    [PgFact]
    public async Task A_backend_terminated_during_commit_surfaces_as_commit_outcome_unknown()
    {
        var runs = 0;
        Task? terminator = null;

        var thrown = await Assert.ThrowsAsync<PgCommitOutcomeUnknownException>(() => Db.DataSource.InTransactionAsync(Fast, async (tx, ct) =>
        {
            runs++;
            await tx.ExecuteAsync("SET LOCAL pgb.at_commit = 'sleep'", ct); // COMMIT runs the deferred trigger, which sleeps
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({21}, {"twenty-one"})", ct);
            var pid = await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", ct);
            terminator = Task.Run(async () =>
            {
                await TransactionsDatabase.WaitUntilSleepingAsync(Db.DataSource, pid, TimeSpan.FromSeconds(20));
                await TransactionsDatabase.TerminateAsync(Db.DataSource, pid);
            });
        }, Ct));
        await terminator!;

        Assert.Equal(1, runs); // never retried blindly
        Assert.Equal(1, thrown.Attempt);
        Assert.Equal(PostgresErrorCodes.AdminShutdown, thrown.SqlState); // 57P01, named in the message
        Assert.Contains("57P01", thrown.Message);
        Assert.Contains("CommitCheck", thrown.Message);
        Assert.False(thrown.IsTransient);
        Assert.Equal(0, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 21)); // here it had not committed
    }

    [PgFact]
    public async Task With_a_commit_check_that_says_no_the_scope_retries_and_commits_once()
    {
        var checks = 0;
        var options = Fast with
        {
            CommitCheck = async (connection, ct) =>
            {
                checks++;
                return await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM tx_items WHERE id = {22}", ct) > 0;
            },
        };
        Task? terminator = null;

        var attempt = await Db.DataSource.InTransactionAsync(options, async (tx, ct) =>
        {
            if (tx.Attempt == 1)
            {
                await tx.ExecuteAsync("SET LOCAL pgb.at_commit = 'sleep'", ct);
                var pid = await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", ct);
                terminator = Task.Run(async () =>
                {
                    await TransactionsDatabase.WaitUntilSleepingAsync(Db.DataSource, pid, TimeSpan.FromSeconds(20));
                    await TransactionsDatabase.TerminateAsync(Db.DataSource, pid);
                });
            }

            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({22}, {"twenty-two"})", ct);
            return tx.Attempt;
        }, Ct);
        await terminator!;

        Assert.Equal(2, attempt);
        Assert.Equal(1, checks);
        Assert.Equal(1, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 22));
    }

    [PgFact]
    public async Task On_a_callers_connection_a_commit_that_broke_it_is_not_reopened_for_the_check_and_surfaces_as_unknown()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var checks = 0;
        var runs = 0;
        var options = Fast with
        {
            CommitCheck = async (c, ct) =>
            {
                checks++;
                return await c.ExecuteScalarAsync<long>($"SELECT count(*) FROM tx_items WHERE id = {23}", ct) > 0;
            },
        };
        Task? terminator = null;

        var thrown = await Assert.ThrowsAsync<PgCommitOutcomeUnknownException>(() => connection.InTransactionAsync(options, async (tx, ct) =>
        {
            runs++;
            await tx.ExecuteAsync("SET LOCAL pgb.at_commit = 'sleep'", ct);
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({23}, {"twenty-three"})", ct);
            var pid = await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", ct);
            terminator = Task.Run(async () =>
            {
                await TransactionsDatabase.WaitUntilSleepingAsync(Db.DataSource, pid, TimeSpan.FromSeconds(20));
                await TransactionsDatabase.TerminateAsync(Db.DataSource, pid);
            });
        }, Ct));
        await terminator!;

        Assert.Equal(1, runs);   // not retried
        Assert.Equal(0, checks); // the check had no connection: the caller's is not reopened
        Assert.True(thrown.CommitCheckSkipped);
        Assert.Null(thrown.CheckFailure);
        Assert.Equal(PostgresErrorCodes.AdminShutdown, thrown.SqlState);
        Assert.Contains("caller's NpgsqlConnection", thrown.Message);
        Assert.Contains("NpgsqlDataSource", thrown.Message);
        Assert.NotEqual(System.Data.ConnectionState.Open, connection.State); // left as the failure left it
        Assert.Equal(0, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 23)); // here it had not committed
    }

    [PgFact]
    public async Task On_a_callers_connection_a_serialization_failure_is_retried_on_the_same_open_session()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var backend = await connection.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", Ct);
        var backends = new List<int>();

        var attempt = await connection.InTransactionAsync(Fast, async (tx, ct) =>
        {
            backends.Add(await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", ct));
            if (tx.Attempt == 1)
                await tx.ExecuteAsync("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$", ct);
            await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({24}, {"twenty-four"})", ct);
            return tx.Attempt;
        }, Ct);

        Assert.Equal(2, attempt);
        Assert.Equal(new[] { backend, backend }, backends); // one session throughout: nothing was reopened
        Assert.Equal(1, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 24));
    }

    [Fact]
    public void Commit_failures_are_classified()
    {
        // A definite answer from a healthy connection: the transaction did not commit.
        Assert.False(PgTransactionRunner.IsCommitOutcomeUnknown(Postgres("23505"), connectionBroken: false));
        Assert.False(PgTransactionRunner.IsCommitOutcomeUnknown(Postgres("40001"), connectionBroken: false));
        // Connection exceptions, and anything that broke the connection: unknown.
        Assert.True(PgTransactionRunner.IsCommitOutcomeUnknown(Postgres("08007"), connectionBroken: false));
        Assert.True(PgTransactionRunner.IsCommitOutcomeUnknown(Postgres("08006"), connectionBroken: false));
        Assert.True(PgTransactionRunner.IsCommitOutcomeUnknown(Postgres("57P01"), connectionBroken: true));
        Assert.True(PgTransactionRunner.IsCommitOutcomeUnknown(new NpgsqlException("Exception while reading from stream", new IOException("reset")), connectionBroken: true));
        Assert.True(PgTransactionRunner.IsCommitOutcomeUnknown(new IOException("reset"), connectionBroken: false));
        Assert.True(PgTransactionRunner.IsCommitOutcomeUnknown(new NpgsqlException("timeout", new TimeoutException()), connectionBroken: false));

        var unknown = new PgCommitOutcomeUnknownException(2, Postgres("08007"));
        Assert.Equal("08007", unknown.SqlState);
        Assert.Contains("08007", unknown.Message);
        Assert.Contains("attempt 2", unknown.Message);
        var noState = new PgCommitOutcomeUnknownException(1, new IOException("reset"));
        Assert.Null(noState.SqlState);
        Assert.Contains("IOException", noState.Message);
    }

    [Fact]
    public void Failures_before_commit_are_classified()
    {
        // The session is gone: nothing was committed.
        Assert.True(PgTransactionRunner.IsLostConnection(Postgres("57P01"), connectionBroken: false)); // terminated
        Assert.True(PgTransactionRunner.IsLostConnection(Postgres("57P02"), connectionBroken: false));
        Assert.True(PgTransactionRunner.IsLostConnection(Postgres("57P03"), connectionBroken: false));
        Assert.True(PgTransactionRunner.IsLostConnection(Postgres("08006"), connectionBroken: false));
        Assert.True(PgTransactionRunner.IsLostConnection(Postgres("25P03"), connectionBroken: true)); // a FATAL error ended the session
        Assert.True(PgTransactionRunner.IsLostConnection(new NpgsqlException("Exception while reading from stream", new IOException("reset")), connectionBroken: false));
        Assert.True(PgTransactionRunner.IsLostConnection(new NpgsqlException("broken"), connectionBroken: true));
        Assert.True(PgTransactionRunner.IsLostConnection(new IOException("reset"), connectionBroken: false));
        // The body's own errors on a healthy connection, and cancellation: not a lost connection.
        Assert.False(PgTransactionRunner.IsLostConnection(Postgres("23505"), connectionBroken: false));
        Assert.False(PgTransactionRunner.IsLostConnection(Postgres("57014"), connectionBroken: false));
        Assert.False(PgTransactionRunner.IsLostConnection(new NpgsqlException("timeout", new TimeoutException()), connectionBroken: false));
        Assert.False(PgTransactionRunner.IsLostConnection(new PgCommitOutcomeUnknownException(1, new IOException("reset")), connectionBroken: false));
        Assert.False(PgTransactionRunner.IsLostConnection(new OperationCanceledException(), connectionBroken: true));
        Assert.False(PgTransactionRunner.IsLostConnection(new InvalidTimeZoneException(), connectionBroken: true));

        var gaveUp = new PgConnectionLostException(5, new NpgsqlException("reset", new IOException("reset")), onCallersConnection: false);
        Assert.Null(gaveUp.SqlState);
        Assert.Contains("after 5 attempt(s)", gaveUp.Message);
        Assert.Contains("NpgsqlException", gaveUp.Message);
        Assert.Contains("MaxAttempts", gaveUp.Message);
        var terminated = new PgConnectionLostException(1, Postgres("57P01"), onCallersConnection: true);
        Assert.Equal("57P01", terminated.SqlState);
        Assert.Contains("SQLSTATE 57P01", terminated.Message);
    }

    private static PostgresException Postgres(string sqlState)
        => new("simulated", "ERROR", "ERROR", sqlState);
}
