using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Samples.Showcase;
using PgBorrow.Samples.Showcase.Right;
using Xunit;

namespace PgBorrow.IntegrationTests;

/// <summary>Every Right/ scenario of the Showcase runs against PostgreSQL and leaves the data correct.</summary>
public sealed class RightScenarioTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    protected override Task SetUpAsync() => Db.ResetAsync();

    [PgFact]
    public async Task Pgb001_withdrawal_commits_and_a_refusal_leaves_no_transaction_behind()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var service = new WithdrawalService();

        Assert.True(await service.TryWithdrawAsync(connection, accountId: 1, amount: 30, Ct));
        Assert.False(await service.TryWithdrawAsync(connection, accountId: 3, amount: 10, Ct));

        Assert.Equal("idle", await Db.SessionStateAsync(connection.ProcessID));
        Assert.False(await ShowcaseRunner.HoldsTransactionAsync(connection, Ct));
        Assert.Null(await Db.TryLockAccountAsync(3)); // the FOR UPDATE lock was released
        Assert.Equal(new Dictionary<int, int> { [1] = 70, [2] = 50, [3] = 0 }, await Db.BalancesAsync());
    }

    [PgFact]
    public async Task Pgb009_import_commits_its_batch()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await new OrderImport().ImportAsync(connection, accountId: 1, amounts: [10, 20, 30], OrderImport.WriteOrdersAsync, Ct);

        Assert.Equal("idle", await Db.SessionStateAsync(connection.ProcessID));
        Assert.Equal([(1, 10, "pending"), (1, 20, "pending"), (1, 30, "pending")], await Db.OrdersAsync());
    }

    [PgFact]
    public async Task Pgb002_order_commits_and_an_exception_rolls_back()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var service = new OrderPlacementService();

        var orderId = await service.PlaceOrderAsync(connection, accountId: 2, amount: 20, Ct);
        var failure = await Assert.ThrowsAsync<InsufficientFundsException>(
            () => service.PlaceOrderAsync(connection, accountId: 3, amount: 10, Ct));

        Assert.Equal(1, orderId);
        Assert.Equal(3, failure.AccountId);
        Assert.Equal(0, failure.Balance);
        Assert.Equal("idle", await Db.SessionStateAsync(connection.ProcessID));
        Assert.Null(await Db.TryLockAccountAsync(3));
        Assert.Equal(new Dictionary<int, int> { [1] = 100, [2] = 30, [3] = 0 }, await Db.BalancesAsync());
        Assert.Equal([(2, 20, "paid")], await Db.OrdersAsync());

        // The caller's connection is usable for its next transaction.
        await using var next = await connection.BeginTransactionAsync(Ct);
        await next.CommitAsync(Ct);
    }

    [PgFact]
    public async Task Pgb003_transfer_commits_and_an_overdraft_is_refused_before_commit()
    {
        var service = new TransferService(Db.DataSource);

        await service.TransferAsync(fromAccountId: 1, toAccountId: 3, amount: 20, Ct);
        var failure = await Assert.ThrowsAsync<InsufficientFundsException>(
            () => service.TransferAsync(fromAccountId: 3, toAccountId: 2, amount: 500, Ct));

        Assert.Equal(20, failure.Balance);
        Assert.Equal(new Dictionary<int, int> { [1] = 80, [2] = 50, [3] = 20 }, await Db.BalancesAsync());
    }

    [PgFact]
    public async Task Pgb003_order_and_its_audit_row_commit_together()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await new OrderPlacer().PlaceOrderAsync(connection, accountId: 1, amount: 15, reference: "pay-1", Ct);

        Assert.Equal([(1, 15, "pending")], await Db.OrdersAsync());
        Assert.Equal(1L, await Db.CountAsync("payment_audit"));
    }

    [PgFact]
    public async Task Pgb004_savepoint_skips_the_bad_line_and_keeps_the_others()
    {
        var service = new OrderImportService(Db.DataSource);
        var lines = new[] { new OrderLine(1, 10), new OrderLine(999, 5), new OrderLine(2, 15) };

        var imported = await service.ImportOrdersAsync(lines, Ct);

        Assert.Equal(2, imported);
        Assert.Equal([(1, 10, "pending"), (2, 15, "pending")], await Db.OrdersAsync());
    }

    [PgFact]
    public async Task Pgb005_deposit_is_applied()
    {
        await new DepositService(Db.DataSource).DepositAsync(accountId: 3, amount: 5, Ct);

        Assert.Equal(new Dictionary<int, int> { [1] = 100, [2] = 50, [3] = 5 }, await Db.BalancesAsync());
    }

    [PgFact]
    public async Task Pgb005_async_deposit_honours_cancellation_while_it_waits_for_a_row_lock()
    {
        // Another session holds the row lock of account 3, so the deposit's UPDATE has to wait.
        await using var locker = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var lockTransaction = await locker.BeginTransactionAsync(Ct);
        await using (var lockRow = new NpgsqlCommand("UPDATE accounts SET balance = balance WHERE id = 3", locker, lockTransaction))
            await lockRow.ExecuteNonQueryAsync(Ct);

        using var cancel = new CancellationTokenSource();
        var deposit = new DepositService(Db.DataSource).DepositAsync(accountId: 3, amount: 5, cancel.Token);
        await Db.WaitForLockWaiterAsync("UPDATE accounts SET balance = balance + $2", locker.ProcessID, TimeSpan.FromSeconds(20));

        cancel.Cancel(); // Npgsql asks PostgreSQL to cancel the waiting statement
        var finished = await Task.WhenAny(deposit, Task.Delay(TimeSpan.FromSeconds(20), Ct));

        Assert.Same(deposit, finished);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => deposit);
        await lockTransaction.RollbackAsync(Ct);
        Assert.Equal(0, (await Db.BalancesAsync())[3]);
    }

    [PgFact]
    public async Task Pgb006_disposed_connections_let_a_pool_of_two_serve_many_calls()
    {
        // A leaked connection would exhaust the pool of two by the third call, which then waits out the
        // timeout and fails. The timeout also bounds opening a physical connection, which takes more than
        // a second on a loaded CI machine: 10 s keeps the test about the pool, not about fork latency.
        await using var small = Db.CreateDataSource(b => { b.MaxPoolSize = 2; b.Timeout = 10; });
        var queries = new BalanceQueries(small);

        var balances = new List<int>();
        for (var i = 0; i < 10; i++)
            balances.Add(await queries.GetBalanceAsync(accountId: 1, Ct));

        Assert.Equal(10, balances.Count);
        Assert.All(balances, balance => Assert.Equal(100, balance));
    }

    [PgFact]
    public async Task Pgb007_reader_closed_before_the_updates_charges_every_pending_order()
    {
        await Db.ExecuteAsync("INSERT INTO orders (account_id, amount) VALUES (1, 10), (2, 5), (1, 15)");

        var charged = await new OrderChargingService(Db.DataSource).ChargePendingOrdersAsync(accountId: 1, Ct);

        Assert.Equal(2, charged);
        Assert.Equal(new Dictionary<int, int> { [1] = 75, [2] = 50, [3] = 0 }, await Db.BalancesAsync());
        Assert.Equal([(1, 10, "charged"), (2, 5, "pending"), (1, 15, "charged")], await Db.OrdersAsync());
    }

    [PgFact]
    public async Task Pgb201_owner_name_is_a_parameter_so_quotes_are_data_and_injection_finds_nothing()
    {
        var search = new AccountSearch(Db.DataSource);

        Assert.Equal([2], await search.FindAccountsByOwnerAsync("Conor O'Brien", Ct));
        Assert.Equal([1], await search.FindAccountsByOwnerAsync("Ada Lovelace", Ct));
        Assert.Empty(await search.FindAccountsByOwnerAsync("x' OR '1'='1", Ct));
        Assert.Empty(await search.FindAccountsByOwnerAsync("x'; UPDATE accounts SET balance = 0; --", Ct));
        Assert.Equal(new Dictionary<int, int> { [1] = 100, [2] = 50, [3] = 0 }, await Db.BalancesAsync());
    }

    [PgFact]
    public async Task Pgb202_every_placeholder_has_its_value_and_a_stale_owner_is_refused()
    {
        var owners = new AccountOwnerService(Db.DataSource);

        Assert.True(await owners.RenameOwnerAsync(accountId: 2, expectedOwner: "Conor O'Brien", newOwner: "Aoife O'Brien", Ct));
        Assert.Equal("Aoife O'Brien", await ShowcaseDatabase.GetOwnerAsync(Db.DataSource, 2, Ct));

        // $3 really takes part: a rename based on the old name matches no row.
        Assert.False(await owners.RenameOwnerAsync(accountId: 2, expectedOwner: "Conor O'Brien", newOwner: "Someone Else", Ct));
        Assert.Equal("Aoife O'Brien", await ShowcaseDatabase.GetOwnerAsync(Db.DataSource, 2, Ct));
        Assert.Equal("Ada Lovelace", await ShowcaseDatabase.GetOwnerAsync(Db.DataSource, 1, Ct));
    }

    [PgFact]
    public async Task Showcase_runner_runs_every_right_scenario_and_ends_in_the_documented_state()
    {
        using var output = new StringWriter();

        await ShowcaseRunner.RunRightScenariosAsync(Db.DataSource, output, Ct);

        var text = output.ToString();
        for (var rule = 1; rule <= 7; rule++)
            Assert.Contains($"PGB00{rule} ", text, StringComparison.Ordinal);
        Assert.Contains("PGB201  accounts owned by Conor O'Brien: [2]", text, StringComparison.Ordinal);
        Assert.Contains("PGB202 ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("unexpected", text, StringComparison.Ordinal);
        Assert.Equal(new Dictionary<int, int> { [1] = 40, [2] = 30, [3] = 25 }, await Db.BalancesAsync());
        Assert.Equal([(2, 20, "paid"), (1, 10, "charged"), (2, 15, "pending"), (3, 7, "imported"), (3, 9, "imported")], await Db.OrdersAsync());
        Assert.Matches(@"Rows    imported 2 orders with one binary COPY; account 3's orders of 8 or more: \[#\d+ 9 imported\]; total balance \(streamed\) 95", text);
        Assert.Equal("Aoife O'Brien", await ShowcaseDatabase.GetOwnerAsync(Db.DataSource, 2, Ct));
    }
}
