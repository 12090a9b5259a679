using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase;

/// <summary>Runs every Right/ scenario, in order, against a seeded database and says what happened.</summary>
/// <remarks>
/// Starting from the seed (account 1: 100, account 2: 50, account 3: 0, no orders), the database ends
/// with balances 1: 40, 2: 30, 3: 25 and five orders: (2, 20, paid), (1, 10, charged), (2, 15, pending),
/// and the two the typed-rows scenario imports through COPY, (3, 7, imported) and (3, 9, imported);
/// the owner of account 2 is renamed from "Conor O'Brien" to "Aoife O'Brien".
/// </remarks>
public static class ShowcaseRunner
{
    public static async Task RunRightScenariosAsync(NpgsqlDataSource dataSource, TextWriter output, CancellationToken cancellationToken)
    {
        await ShowcaseDatabase.SeedAsync(dataSource, cancellationToken);
        output.WriteLine("Seeded: account 1 = 100, account 2 = 50, account 3 = 0.");

        // The caller-owned connection that PGB001 and PGB002 borrow.
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken))
        {
            var withdrawals = new Right.WithdrawalService();
            var withdrew = await withdrawals.TryWithdrawAsync(connection, accountId: 1, amount: 30, cancellationToken);
            output.WriteLine($"PGB001  withdraw 30 from account 1: {(withdrew ? "done" : "refused")}");
            withdrew = await withdrawals.TryWithdrawAsync(connection, accountId: 3, amount: 10, cancellationToken);
            output.WriteLine($"PGB001  withdraw 10 from account 3: {(withdrew ? "done" : "refused")}; "
                + $"connection still in a transaction: {await HoldsTransactionAsync(connection, cancellationToken)}");

            var orders = new Right.OrderPlacementService();
            var orderId = await orders.PlaceOrderAsync(connection, accountId: 2, amount: 20, cancellationToken);
            output.WriteLine($"PGB002  account 2 pays 20 for order {orderId}");
            try
            {
                await orders.PlaceOrderAsync(connection, accountId: 3, amount: 10, cancellationToken);
                output.WriteLine("PGB002  account 3 paid 10 (unexpected)");
            }
            catch (InsufficientFundsException e)
            {
                output.WriteLine($"PGB002  account 3 cannot pay 10: {e.Message} Rolled back; "
                    + $"connection still in a transaction: {await HoldsTransactionAsync(connection, cancellationToken)}");
            }
        }

        var transfers = new Right.TransferService(dataSource);
        await transfers.TransferAsync(fromAccountId: 1, toAccountId: 3, amount: 20, cancellationToken);
        output.WriteLine("PGB003  transferred 20 from account 1 to account 3");
        try
        {
            await transfers.TransferAsync(fromAccountId: 3, toAccountId: 2, amount: 500, cancellationToken);
            output.WriteLine("PGB003  transferred 500 from account 3 (unexpected)");
        }
        catch (InsufficientFundsException e)
        {
            output.WriteLine($"PGB003  transfer of 500 from account 3 refused before commit: {e.Message}");
        }

        var import = new Right.OrderImportService(dataSource);
        var lines = new[] { new OrderLine(1, 10), new OrderLine(999, 5), new OrderLine(2, 15) };
        var imported = await import.ImportOrdersAsync(lines, cancellationToken);
        output.WriteLine($"PGB004  imported {imported} of {lines.Length} order lines (the line for unknown account 999 was rolled back to its savepoint)");

        await new Right.DepositService(dataSource).DepositAsync(accountId: 3, amount: 5, cancellationToken);
        output.WriteLine("PGB005  deposited 5 into account 3 (async, cancellable)");

        var balance = await new Right.BalanceQueries(dataSource).GetBalanceAsync(accountId: 1, cancellationToken);
        output.WriteLine($"PGB006  balance of account 1: {balance} (connection returned to the pool)");

        var charged = await new Right.OrderChargingService(dataSource).ChargePendingOrdersAsync(accountId: 1, cancellationToken);
        output.WriteLine($"PGB007  charged {charged} pending order(s) of account 1 (reader closed before the updates)");

        var jobs = new Right.ExclusiveJobRunner(dataSource);
        try
        {
            await jobs.RunExclusiveAsync(jobKey: 103, _ => throw new System.InvalidOperationException("the report service is down"), cancellationToken);
        }
        catch (System.InvalidOperationException e)
        {
            output.WriteLine($"PGB103  job 103 failed ({e.Message}); its advisory lock is still held: {await jobs.IsRunningAsync(103, cancellationToken)}");
        }

        var audited = await new Right.PaymentConfirmationService(dataSource).ConfirmAsync(orderId: 1, reference: "psp-105", cancellationToken);
        output.WriteLine($"PGB105  payment psp-105 of order 1 confirmed; the audit row, written in the same transaction, records '{audited}'");

        var search = new Right.AccountSearch(dataSource);
        var found = await search.FindAccountsByOwnerAsync("Conor O'Brien", cancellationToken);
        output.WriteLine($"PGB201  accounts owned by Conor O'Brien: [{string.Join(", ", found)}]");
        var injected = await search.FindAccountsByOwnerAsync("x' OR '1'='1", cancellationToken);
        output.WriteLine($"PGB201  accounts owned by \"x' OR '1'='1\": [{string.Join(", ", injected)}] (the text is a value, never SQL)");

        var owners = new Right.AccountOwnerService(dataSource);
        var renamed = await owners.RenameOwnerAsync(accountId: 2, expectedOwner: "Conor O'Brien", newOwner: "Aoife O'Brien", cancellationToken);
        output.WriteLine($"PGB202  rename account 2 from Conor O'Brien to Aoife O'Brien: {(renamed ? "done" : "refused (unexpected)")}");
        renamed = await owners.RenameOwnerAsync(accountId: 2, expectedOwner: "Conor O'Brien", newOwner: "Someone Else", cancellationToken);
        output.WriteLine($"PGB202  rename account 2 again from the stale name Conor O'Brien: {(renamed ? "done (unexpected)" : "refused, the owner changed meanwhile")}");
        var payments = new ExternalServices.FakePaymentProvider(System.TimeSpan.FromMilliseconds(50));
        var changed = await new Right.PaymentSyncService(dataSource, payments).SyncPaymentStatusAsync(orderId: 1, cancellationToken);
        output.WriteLine($"PGB101  order 1 synced with the payment provider ('paid'): {(changed ? "status changed" : "status unchanged")}; provider asked before the row lock");

        var rates = new ExternalServices.FakeExchangeRates(System.TimeSpan.FromMilliseconds(50), rate: 0.5m);
        var report = await new Right.BalanceReportService(dataSource, rates).GetReportAsync("EUR", cancellationToken);
        output.WriteLine($"PGB102  report in {report.Currency}: balances {report.TotalBalances}, pending orders {report.PendingOrders} (one snapshot; rate fetched after the commit)");
        var dashboard = await new Right.AccountDashboard(dataSource).LoadAsync(cancellationToken);
        output.WriteLine($"PGB104  dashboard: {dashboard.Accounts} accounts, {dashboard.Orders} orders, total balance {dashboard.TotalBalance} (one pooled connection per query)");

        var serializable = new Right.SerializableTransferService(dataSource);
        var attempts = await Task.WhenAll(
            serializable.TransferAsync(fromAccountId: 1, toAccountId: 2, amount: 5, cancellationToken),
            serializable.TransferAsync(fromAccountId: 2, toAccountId: 1, amount: 5, cancellationToken));
        output.WriteLine($"PGB106  opposite serializable transfers of 5 between accounts 1 and 2, at the same time: committed after {attempts[0]} and {attempts[1]} attempt(s)");

        // Typed rows: [PgRow] types, mapped by the generator (see obj/.../generated/PgBorrow.Generators).
        var ledger = new Rows.OrderLedger(dataSource);
        var copied = await ledger.ImportAsync(new[] { new Rows.NewOrder(3, 7, "imported"), new Rows.NewOrder(3, 9, "imported") }, cancellationToken);
        var largeOrders = await ledger.OrdersOfAsync(accountId: 3, minimumAmount: 8, cancellationToken);
        output.WriteLine($"Rows    imported {copied} orders with one binary COPY; account 3's orders of 8 or more: "
            + $"[{string.Join(", ", largeOrders.Select(o => $"#{o.Id} {o.Amount} {o.Status}"))}]; total balance (streamed) {await ledger.TotalBalanceAsync(cancellationToken)}");

        output.WriteLine("Final balances: "
            + $"account 1 = {await ShowcaseDatabase.GetBalanceAsync(dataSource, 1, cancellationToken)}, "
            + $"account 2 = {await ShowcaseDatabase.GetBalanceAsync(dataSource, 2, cancellationToken)}, "
            + $"account 3 = {await ShowcaseDatabase.GetBalanceAsync(dataSource, 3, cancellationToken)}.");
    }

    /// <summary>
    /// True if the connection's session still has a transaction with a transaction ID, that is one
    /// that wrote or locked something and was never ended. A fresh statement outside any transaction
    /// has none.
    /// </summary>
    public static async Task<bool> HoldsTransactionAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_current_xact_id_if_assigned() IS NOT NULL", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
