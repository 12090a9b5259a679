using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Samples.Showcase;
using PgBorrow.Samples.Showcase.Wrong;
using Xunit;

namespace PgBorrow.IntegrationTests;

/// <summary>
/// The Showcase's Wrong/ code, run against PostgreSQL: each bug the analyzers report at build time
/// really happens at run time, with the symptom its rule describes.
/// </summary>
public sealed class WrongScenarioTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    private const string LockNotAvailable = "55P03";
    private const string SyntaxError = "42601";
    private const string ProtocolViolation = "08P01";

    protected override Task SetUpAsync() => Db.ResetAsync();

    [PgFact]
    public async Task Pgb001_early_return_leaves_the_callers_session_idle_in_transaction_holding_the_row_lock()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var withdrew = new WithdrawalService().TryWithdraw(connection, accountId: 3, amount: 10);

        Assert.False(withdrew);
        Assert.Equal("idle in transaction", await Db.SessionStateAsync(connection.ProcessID));
        Assert.Equal(LockNotAvailable, await Db.TryLockAccountAsync(3));
        var nested = Assert.Throws<InvalidOperationException>(() => connection.BeginTransaction());
        Assert.Contains("A transaction is already in progress", nested.Message, StringComparison.Ordinal);
    }

    [PgFact]
    public async Task Pgb009_import_that_never_commits_returns_normally_and_leaves_no_orders()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await new OrderImport().ImportAsync(connection, accountId: 1, amounts: [10, 20, 30], OrderImport.WriteOrdersAsync, Ct);

        // No error, no open transaction: the writes were rolled back when the transaction was disposed.
        Assert.Equal("idle", await Db.SessionStateAsync(connection.ProcessID));
        Assert.Empty(await Db.OrdersAsync());
    }

    [PgFact]
    public async Task Pgb002_exception_after_begin_leaves_the_session_idle_in_transaction()
    {
        // The caller owns the connection and keeps it open after catching the exception.
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var failure = Assert.Throws<InsufficientFundsException>(
            () => new OrderPlacementService().PlaceOrder(connection, accountId: 3, amount: 10));

        Assert.Equal(3, failure.AccountId);
        Assert.Equal("idle in transaction", await Db.SessionStateAsync(connection.ProcessID));
        Assert.Equal(LockNotAvailable, await Db.TryLockAccountAsync(3)); // the debit's row lock is still held
        Assert.Equal(0, (await Db.BalancesAsync())[3]);            // others do not see the uncommitted debit

        // The caller's next statement runs inside the forgotten transaction and sees the debit.
        await using (var select = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = 3", connection))
            Assert.Equal(-10, (int)(await select.ExecuteScalarAsync(Ct))!);

        // Closing the connection is what finally rolls it back.
        await connection.CloseAsync();
        Assert.Null(await Db.TryLockAccountAsync(3));
        Assert.Empty(await Db.OrdersAsync());
    }

    [PgFact]
    public async Task Pgb003_rollback_after_commit_throws_has_completed_and_the_overdraft_stays_committed()
    {
        var service = new TransferService(Db.DataSource);

        var error = Assert.Throws<InvalidOperationException>(
            () => service.Transfer(fromAccountId: 3, toAccountId: 2, amount: 500));

        Assert.Contains("has completed", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<int, int> { [1] = 100, [2] = 550, [3] = -500 }, await Db.BalancesAsync());
    }

    [PgFact]
    public async Task Pgb003_callback_run_after_the_commit_cannot_write_the_audit_row_and_the_order_stays_committed()
    {
        var placer = new OrderPlacer();
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        placer.PlaceOrder(connection, accountId: 1, amount: 15, reference: "pay-1");
        var error = Assert.Throws<InvalidOperationException>(() => placer.AfterSave[0]());

        Assert.Contains("Transaction is already completed", error.Message, StringComparison.Ordinal);
        Assert.Equal([(1, 15, "pending")], await Db.OrdersAsync());
        Assert.Equal(0L, await Db.CountAsync("payment_audit"));
    }

    [PgFact]
    public async Task Pgb004_nested_begin_transaction_throws_already_in_progress_and_imports_nothing()
    {
        var service = new OrderImportService(Db.DataSource);

        var error = Assert.Throws<InvalidOperationException>(
            () => service.ImportOrders([new OrderLine(1, 10), new OrderLine(2, 15)]));

        Assert.Contains("A transaction is already in progress", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Db.OrdersAsync());
    }

    [PgFact]
    public async Task Pgb005_blocking_deposit_ignores_cancellation_while_it_waits_for_a_row_lock()
    {
        // Another session holds the row lock of account 3, so the deposit's UPDATE has to wait.
        await using var locker = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var lockTransaction = await locker.BeginTransactionAsync(Ct);
        await using (var lockRow = new NpgsqlCommand("UPDATE accounts SET balance = balance WHERE id = 3", locker, lockTransaction))
            await lockRow.ExecuteNonQueryAsync(Ct);

        using var cancel = new CancellationTokenSource();
        // Task.Run: the sync ExecuteNonQuery inside DepositAsync blocks whichever thread runs it.
        var deposit = Task.Run(() => new DepositService(Db.DataSource).DepositAsync(accountId: 3, amount: 5, cancel.Token), Ct);
        await Db.WaitForLockWaiterAsync("UPDATE accounts SET balance = balance + $2", locker.ProcessID, TimeSpan.FromSeconds(20));

        cancel.Cancel();
        var finished = await Task.WhenAny(deposit, Task.Delay(TimeSpan.FromSeconds(1), Ct));
        Assert.NotSame(deposit, finished); // cancellation did not stop the blocked call

        await lockTransaction.RollbackAsync(Ct); // only releasing the lock lets it finish
        await deposit;                            // ... successfully, despite the cancelled token
        Assert.Equal(5, (await Db.BalancesAsync())[3]);
    }

    [PgFact]
    public async Task Pgb006_undisposed_connections_exhaust_the_pool()
    {
        // The timeout bounds both the wait for a pooled connection (what this test is about) and opening a
        // physical one, which can take over a second on a loaded CI machine: 5 s leaves room for the latter.
        await using var small = Db.CreateDataSource(b => { b.MaxPoolSize = 2; b.Timeout = 5; });
        var queries = new BalanceQueries(small);

        Assert.Equal(100, queries.GetBalance(accountId: 1));
        Assert.Equal(50, queries.GetBalance(accountId: 2));
        var error = Assert.Throws<NpgsqlException>(() => queries.GetBalance(accountId: 3));

        Assert.Contains("The connection pool has been exhausted", error.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [PgFact]
    public async Task Pgb007_command_while_reader_is_open_throws_command_already_in_progress()
    {
        await Db.ExecuteAsync("INSERT INTO orders (account_id, amount) VALUES (1, 10), (1, 15)");

        var error = Assert.Throws<NpgsqlOperationInProgressException>(
            () => new OrderChargingService(Db.DataSource).ChargePendingOrders(accountId: 1));

        Assert.Contains("A command is already in progress", error.Message, StringComparison.Ordinal);
        Assert.Equal(100, (await Db.BalancesAsync())[1]);
        Assert.Equal([(1, 10, "pending"), (1, 15, "pending")], await Db.OrdersAsync());
    }

    [PgFact]
    public async Task Pgb201_spliced_name_lets_an_injected_condition_read_every_account_and_breaks_on_a_quote()
    {
        var search = new AccountSearch(Db.DataSource);

        // Nobody is called "x' OR '1'='1", yet the search returns every account in the table.
        Assert.Equal([1, 2, 3], await search.FindAccountsByOwnerAsync("x' OR '1'='1", Ct));

        // A real customer's name ends the string constant early: the statement does not even parse.
        var error = await Assert.ThrowsAsync<PostgresException>(() => search.FindAccountsByOwnerAsync("Conor O'Brien", Ct));
        Assert.Equal(SyntaxError, error.SqlState);
        Assert.Contains("Brien", error.MessageText, StringComparison.Ordinal);

        // Npgsql runs every statement of the command text: the "name" below runs an UPDATE.
        Assert.Empty(await search.FindAccountsByOwnerAsync("x'; UPDATE accounts SET balance = 0; --", Ct));
        Assert.Equal(new Dictionary<int, int> { [1] = 0, [2] = 0, [3] = 0 }, await Db.BalancesAsync());
    }

    [PgFact]
    public async Task Pgb202_missing_value_for_a_placeholder_fails_at_bind_with_08P01_and_renames_nothing()
    {
        var owners = new AccountOwnerService(Db.DataSource);

        // Observed with Npgsql 10 and PostgreSQL's extended protocol: not 42P02 (that is what the
        // simple protocol, e.g. psql, reports) but a Bind that brings fewer values than the parsed
        // statement needs.
        var error = await Assert.ThrowsAsync<PostgresException>(
            () => owners.RenameOwnerAsync(accountId: 2, expectedOwner: "Conor O'Brien", newOwner: "Aoife O'Brien", Ct));

        Assert.Equal(ProtocolViolation, error.SqlState);
        Assert.Contains("bind message supplies 2 parameters, but prepared statement \"\" requires 3", error.MessageText, StringComparison.Ordinal);
        Assert.Equal("Conor O'Brien", await ShowcaseDatabase.GetOwnerAsync(Db.DataSource, 2, Ct));
    }
}
