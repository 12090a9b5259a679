using System;
using System.Collections.Generic;
using System.Data;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;
using Xunit.Abstractions;
using RightDashboard = PgBorrow.Samples.Showcase.Right.AccountDashboard;
using RightTransfers = PgBorrow.Samples.Showcase.Right.SerializableTransferService;
using WrongDashboard = PgBorrow.Samples.Showcase.Wrong.AccountDashboard;
using WrongTransfers = PgBorrow.Samples.Showcase.Wrong.SerializableTransferService;

namespace PgBorrow.IntegrationTests;

/// <summary>
/// The concurrency rules against a real PostgreSQL: one connection used by overlapping tasks fails
/// the way PGB104 says (and the fixed dashboard does not), and SERIALIZABLE transactions really do
/// fail with 40001 under concurrency, so PGB106's retry is needed and, done as in Right/, enough.
/// </summary>
/// <remarks>
/// Every wait is bounded: the test token (2 minutes), the fixture's 30 s command timeout, and
/// explicit <c>WaitAsync</c> limits on the tasks that a bug could leave hanging.
/// </remarks>
public sealed class ConcurrencyProofTests : IClassFixture<PgDatabaseFixture>, IAsyncLifetime
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(20);

    private readonly PgDatabaseFixture _db;
    private readonly ITestOutputHelper _output;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromMinutes(2));

    public ConcurrencyProofTests(PgDatabaseFixture db, ITestOutputHelper output)
    {
        _db = db;
        _output = output;
    }

    private CancellationToken Ct => _timeout.Token;

    public Task InitializeAsync() => _db.ResetAsync();

    public Task DisposeAsync()
    {
        _timeout.Dispose();
        return Task.CompletedTask;
    }

    // --- PGB104 -------------------------------------------------------------------------------------

    [PgFact]
    public async Task Pgb104_queries_started_together_on_one_connection_throw_command_already_in_progress()
    {
        // On an idle local server the first SELECT can be answered before the second call even
        // starts, and the bug hides. Any delay exposes it; here another session's table lock makes
        // the first query wait, as load or a slow plan would in production.
        await using var locker = await _db.DataSource.OpenConnectionAsync(Ct);
        await using var lockTransaction = await locker.BeginTransactionAsync(Ct);
        await ExecuteAsync(locker, lockTransaction, "LOCK TABLE accounts IN ACCESS EXCLUSIVE MODE");

        var load = new WrongDashboard(_db.DataSource).LoadAsync(Ct);
        await _db.WaitForLockWaiterAsync("SELECT count(*) FROM accounts", locker.ProcessID, StepTimeout);
        await lockTransaction.RollbackAsync(Ct);

        var error = await Assert.ThrowsAsync<NpgsqlOperationInProgressException>(() => load.WaitAsync(StepTimeout, Ct));

        _output.WriteLine(error.Message);
        Assert.Equal("A command is already in progress: SELECT count(*) FROM accounts", error.Message);
        Assert.Equal(100, (await _db.BalancesAsync())[1]);
    }

    [PgFact]
    public async Task Pgb104_fixed_dashboard_returns_the_right_figures_concurrently_and_on_one_connection()
    {
        await _db.ExecuteAsync("INSERT INTO orders (account_id, amount) VALUES (1, 10), (2, 5)");

        var concurrent = await new RightDashboard(_db.DataSource).LoadAsync(Ct).WaitAsync(StepTimeout, Ct);

        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        var sequential = await RightDashboard.LoadOnConnectionAsync(connection, Ct).WaitAsync(StepTimeout, Ct);

        Assert.Equal((3L, 2L, 150L), concurrent);
        Assert.Equal((3L, 2L, 150L), sequential);
    }

    // --- PGB106 -------------------------------------------------------------------------------------

    [PgFact]
    public async Task Two_overlapping_serializable_transactions_with_write_skew_make_one_fail_with_40001()
    {
        // The business rule: accounts 1 and 2 together must not go below zero. Each transaction checks
        // the rule, then withdraws 100 from a different account. Each is fine alone (150 - 100 = 50);
        // together they would leave -50. No row is written by both, so no row lock ever conflicts:
        // only SERIALIZABLE's predicate tracking (SSI) can see the write skew.
        await using var first = await _db.DataSource.OpenConnectionAsync(Ct);
        await using var second = await _db.DataSource.OpenConnectionAsync(Ct);
        await using var firstTx = await first.BeginTransactionAsync(IsolationLevel.Serializable, Ct);
        await using var secondTx = await second.BeginTransactionAsync(IsolationLevel.Serializable, Ct);

        PostgresException? firstFailure = null, secondFailure = null;
        var observed = new List<string>();

        // The steps interleave deterministically: both read, both write, both commit. A transaction
        // that failed skips its remaining steps (they would only report 25P02, in_failed_sql_transaction).
        async Task StepAsync(string name, Func<Task> step, bool isFirst)
        {
            if ((isFirst ? firstFailure : secondFailure) is not null)
                return;
            try
            {
                await step().WaitAsync(StepTimeout, Ct);
                observed.Add(name + ": ok");
            }
            catch (PostgresException e)
            {
                observed.Add($"{name}: {e.SqlState}");
                if (isFirst)
                    firstFailure = e;
                else
                    secondFailure = e;
            }
        }

        const string CheckRule = "SELECT sum(balance)::int FROM accounts WHERE id IN (1, 2)";
        var firstSum = 0;
        var secondSum = 0;
        await StepAsync("first reads", async () => firstSum = await ScalarAsync(first, firstTx, CheckRule), isFirst: true);
        await StepAsync("second reads", async () => secondSum = await ScalarAsync(second, secondTx, CheckRule), isFirst: false);
        Assert.Equal(150, firstSum);
        Assert.Equal(150, secondSum);

        await StepAsync("first withdraws", () => ExecuteAsync(first, firstTx, "UPDATE accounts SET balance = balance - 100 WHERE id = 1"), isFirst: true);
        await StepAsync("second withdraws", () => ExecuteAsync(second, secondTx, "UPDATE accounts SET balance = balance - 100 WHERE id = 2"), isFirst: false);
        await StepAsync("first commits", () => firstTx.CommitAsync(Ct), isFirst: true);
        await StepAsync("second commits", () => secondTx.CommitAsync(Ct), isFirst: false);

        _output.WriteLine(string.Join("; ", observed));
        var failures = new[] { firstFailure, secondFailure }.Where(f => f is not null).ToList();
        var failure = Assert.Single(failures);
        Assert.True(failure!.SqlState == PostgresErrorCodes.SerializationFailure, string.Join("; ", observed));
        Assert.Contains("could not serialize access", failure.MessageText, StringComparison.Ordinal);
        // Exactly one withdrawal was committed: the rule holds.
        var balances = await _db.BalancesAsync();
        Assert.Equal(50, balances[1] + balances[2]);
    }

    [PgFact]
    public async Task Pgb106_unretried_serializable_transfer_fails_with_40001_when_another_transaction_changes_its_row()
    {
        var (blocker, blockerTx) = await DepositWithoutCommittingAsync(accountId: 1, amount: 10);
        await using var _ = blocker;
        await using var __ = blockerTx;

        var transfer = new WrongTransfers(_db.DataSource).TransferAsync(fromAccountId: 1, toAccountId: 2, amount: 30, Ct);
        await _db.WaitForLockWaiterAsync("SELECT id, balance FROM accounts", blocker.ProcessID, StepTimeout);
        await blockerTx.CommitAsync(Ct);

        var failure = await Assert.ThrowsAsync<PostgresException>(() => transfer.WaitAsync(StepTimeout, Ct));

        Assert.Equal(PostgresErrorCodes.SerializationFailure, failure.SqlState);
        Assert.Equal("could not serialize access due to concurrent update", failure.MessageText);
        // The deposit is committed; the transfer simply did not happen, and nobody retried it.
        Assert.Equal(new Dictionary<int, int> { [1] = 110, [2] = 50, [3] = 0 }, await _db.BalancesAsync());
    }

    [PgFact]
    public async Task Pgb106_retried_serializable_transfer_starts_again_and_commits_on_the_second_attempt()
    {
        var (blocker, blockerTx) = await DepositWithoutCommittingAsync(accountId: 1, amount: 10);
        await using var _ = blocker;
        await using var __ = blockerTx;

        var transfer = new RightTransfers(_db.DataSource).TransferAsync(fromAccountId: 1, toAccountId: 2, amount: 30, Ct);
        await _db.WaitForLockWaiterAsync("SELECT id, balance FROM accounts", blocker.ProcessID, StepTimeout);
        await blockerTx.CommitAsync(Ct);

        var attempts = await transfer.WaitAsync(StepTimeout, Ct);

        Assert.Equal(2, attempts);
        Assert.Equal(new Dictionary<int, int> { [1] = 80, [2] = 80, [3] = 0 }, await _db.BalancesAsync());
    }

    [PgFact]
    public async Task Pgb106_retried_transfers_from_24_concurrent_workers_all_commit_and_keep_every_balance_right()
    {
        const int Workers = 24;
        const int TransfersPerWorker = 20;
        const int InitialBalance = 10_000; // large enough that no transfer is refused for lack of funds
        await _db.ExecuteAsync($"UPDATE accounts SET balance = {InitialBalance}");

        // Every worker moves small amounts between the same three accounts: constant conflicts.
        var plan = Enumerable.Range(0, Workers)
            .Select(worker =>
            {
                var random = new Random(worker);
                return Enumerable.Range(0, TransfersPerWorker)
                    .Select(_ =>
                    {
                        var from = random.Next(1, 4);
                        var to = (from + random.Next(0, 2)) % 3 + 1; // one of the two other accounts
                        return (From: from, To: to, Amount: random.Next(1, 11));
                    })
                    .ToArray();
            })
            .ToArray();

        // Three hot rows and 24 workers is far more contention than a real bank sees, so this run allows
        // more attempts than the service's default of 10; it is still a bound.
        const int MaxAttempts = 60;
        var service = new RightTransfers(_db.DataSource, MaxAttempts);
        using var start = new SemaphoreSlim(0, Workers);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var workers = plan
            .Select(transfers => Task.Run(async () =>
            {
                await start.WaitAsync(Ct);
                var attempts = new List<int>();
                foreach (var (from, to, amount) in transfers)
                    attempts.Add(await service.TransferAsync(from, to, amount, Ct));
                return attempts;
            }, Ct))
            .ToArray();
        start.Release(Workers);

        var attemptsPerTransfer = (await Task.WhenAll(workers).WaitAsync(TimeSpan.FromSeconds(90), Ct)).SelectMany(a => a).ToList();
        _output.WriteLine($"{attemptsPerTransfer.Count} transfers committed in {clock.ElapsedMilliseconds} ms, "
            + $"{attemptsPerTransfer.Sum()} attempts, {attemptsPerTransfer.Count(a => a > 1)} retried, at most {attemptsPerTransfer.Max()} attempts for one transfer.");

        var expected = new Dictionary<int, int> { [1] = InitialBalance, [2] = InitialBalance, [3] = InitialBalance };
        foreach (var (from, to, amount) in plan.SelectMany(transfers => transfers))
        {
            Assert.NotEqual(from, to);
            expected[from] -= amount;
            expected[to] += amount;
        }

        var balances = await _db.BalancesAsync();
        Assert.Equal(3 * InitialBalance, balances.Values.Sum());  // the invariant
        Assert.Equal(expected, balances);                         // and every single transfer applied exactly once
        Assert.Equal(Workers * TransfersPerWorker, attemptsPerTransfer.Count);
        Assert.Contains(attemptsPerTransfer, attempts => attempts > 1); // the contention was real: retries happened
    }

    // --- helpers ------------------------------------------------------------------------------------

    /// <summary>
    /// Opens a read-committed transaction that adds <paramref name="amount"/> to the account and
    /// holds its row lock until the caller commits: a concurrent change that a serializable
    /// transaction, having taken its snapshot, cannot serialize after.
    /// </summary>
    private async Task<(NpgsqlConnection Connection, NpgsqlTransaction Transaction)> DepositWithoutCommittingAsync(int accountId, int amount)
    {
        var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        var transaction = await connection.BeginTransactionAsync(Ct);
        await using var command = new NpgsqlCommand("UPDATE accounts SET balance = balance + $2 WHERE id = $1", connection, transaction);
        command.Parameters.AddWithValue(accountId);
        command.Parameters.AddWithValue(amount);
        await command.ExecuteNonQueryAsync(Ct);
        return (connection, transaction);
    }

    private async Task<int> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        return (int)(await command.ExecuteScalarAsync(Ct))!;
    }

    private async Task ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
