using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Samples.FlashSale;
using Xunit;

namespace PgBorrow.IntegrationTests.Scenarios;

/// <summary>samples/FlashSale under load, and with faults injected: the stock never goes below zero, sold +
/// remaining = initial, nobody is charged twice, and a failed purchase leaves nothing behind.</summary>
[Collection(ScenarioCollection.Name)]
public sealed class FlashSaleScenarioTests : IClassFixture<PgDatabaseFixture>, IAsyncLifetime
{
    private const int ProductId = 1;

    private readonly PgDatabaseFixture _db;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private NpgsqlDataSource? _dataSource;

    public FlashSaleScenarioTests(PgDatabaseFixture db) => _db = db;

    private CancellationToken Ct => _timeout.Token;

    private NpgsqlDataSource DataSource => _dataSource!;

    public async Task InitializeAsync()
    {
        if (PgFactAttribute.ServerConnectionString is null)
            return;
        _dataSource = await ScenarioDatabase.CreateSchemaDataSourceAsync(_db, "scenario_flashsale");
        await FlashSaleDatabase.CreateTablesAsync(DataSource, Ct);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
            await _dataSource.DisposeAsync();
        _timeout.Dispose();
    }

    [PgFact]
    public async Task Eighty_concurrent_requests_for_25_units_sell_exactly_25_and_charge_nobody_twice()
    {
        // 64 buyers, 16 of whom click twice: 80 workers racing behind one start gate.
        var result = await FlashSaleSimulation.RunAsync(DataSource, buyers: 64, doubleClickers: 16, stock: 25, Ct);

        Assert.Equal(80, result.Requests);
        Assert.Equal(25, result.Bought);
        Assert.Equal(80 - 25, result.SoldOut + result.AlreadyBought);
        Assert.Empty(result.Audit.Violations());
        Assert.Equal(0, result.Audit.Product.Stock);
        Assert.Equal(25, result.Audit.Sold);
        Assert.Equal(25, result.Audit.DistinctBuyers);
        Assert.Equal(1, result.Audit.MaxSalesPerBuyer);
    }

    [PgFact]
    public async Task When_the_stock_outlasts_demand_every_buyer_gets_one_and_every_double_click_is_refused()
    {
        var result = await FlashSaleSimulation.RunAsync(DataSource, buyers: 48, doubleClickers: 16, stock: 1000, Ct);

        Assert.Equal(48, result.Bought);
        Assert.Equal(16, result.AlreadyBought);
        Assert.Equal(0, result.SoldOut);
        Assert.Equal(1000 - 48, result.Audit.Product.Stock);
        Assert.Empty(result.Audit.Violations());
    }

    [PgFact]
    public async Task A_backend_terminated_mid_purchase_is_retried_on_a_new_connection_and_buys_once()
    {
        await FlashSaleDatabase.ResetAsync(DataSource, ProductId, "lamp", 30, 5, Ct);
        var store = new FlashSaleStore(DataSource);
        var pids = new List<int>();

        var purchase = await DataSource.InTransactionAsync(FlashSaleStore.PurchaseOptions, async (tx, ct) =>
        {
            var pid = await tx.ExecuteScalarAsync<int>("SELECT pg_backend_pid()", ct);
            pids.Add(pid);
            var bought = await store.BuyAsync(tx, ProductId, buyerId: 7, ct); // decremented and charged, not committed
            if (tx.Attempt == 1)
            {
                await ScenarioDatabase.TerminateAsync(DataSource, pid);
                await tx.ExecuteAsync("SELECT 1", ct);
            }

            return bought;
        }, Ct);

        // The first session died before COMMIT was sent, so nothing of it committed: the scope ran the
        // purchase again in a new session, and it happened once.
        Assert.Equal(PurchaseOutcome.Bought, purchase.Outcome);
        Assert.Equal(2, pids.Distinct().Count());
        var audit = await store.AuditAsync(ProductId, Ct);
        Assert.Equal(4, audit.Product.Stock);
        Assert.Equal(1, audit.Sold);
        Assert.Empty(audit.Violations());
    }

    [PgFact]
    public async Task A_backend_terminated_during_commit_surfaces_as_commit_outcome_unknown_and_the_audit_tells_what_happened()
    {
        await FlashSaleDatabase.ResetAsync(DataSource, ProductId, "lamp", 30, 5, Ct);
        await ScenarioDatabase.InstallCommitStallAsync(DataSource, "sales");
        try
        {
            await using var stalling = await ScenarioDatabase.CreateSchemaDataSourceAsync(
                _db, "scenario_flashsale", b => b.Options = ScenarioDatabase.StallCommitOptions);
            var store = new FlashSaleStore(stalling);

            var terminator = Task.Run(async () =>
                await ScenarioDatabase.TerminateAsync(DataSource, await ScenarioDatabase.WaitForSleepingBackendAsync(DataSource, TimeSpan.FromSeconds(20), Ct)));
            var thrown = await Assert.ThrowsAsync<PgCommitOutcomeUnknownException>(() => store.BuyAsync(ProductId, 8, Ct));
            await terminator;

            Assert.Equal(PostgresErrorCodes.AdminShutdown, thrown.SqlState); // 57P01: the backend was terminated
            Assert.Contains("57P01", thrown.Message);
            // The caller has to look: here the COMMIT never happened, and the books still balance.
            var audit = await store.AuditAsync(ProductId, Ct);
            Assert.Equal(5, audit.Product.Stock);
            Assert.Equal(0, audit.Sold);
            Assert.Empty(audit.Violations());
        }
        finally
        {
            await DataSource.ExecuteAsync("DROP TRIGGER IF EXISTS scenario_stall_commit ON sales", Ct);
        }
    }

    [PgFact]
    public async Task With_a_lock_timeout_32_buyers_queued_behind_a_held_row_lock_fail_fast_with_55P03_and_change_nothing()
    {
        await FlashSaleDatabase.ResetAsync(DataSource, ProductId, "lamp", 30, 5, Ct);
        var store = new FlashSaleStore(DataSource, lockTimeout: TimeSpan.FromMilliseconds(50));

        // Another session holds the product's row lock (an inventory correction in progress).
        await using var holder = await DataSource.OpenConnectionAsync(Ct);
        await using var held = await holder.BeginTransactionAsync(Ct);
        await held.ExecuteAsync($"SELECT stock FROM products WHERE id = {ProductId} FOR UPDATE", Ct);

        var attempts = Enumerable.Range(100, 32).Select(async buyer =>
        {
            var e = await Assert.ThrowsAsync<PostgresException>(() => store.BuyAsync(ProductId, buyer, Ct));
            return e.SqlState;
        });
        var states = await Task.WhenAll(attempts);
        await held.RollbackAsync(Ct);

        Assert.All(states, state => Assert.Equal(PostgresErrorCodes.LockNotAvailable, state)); // 55P03
        var audit = await store.AuditAsync(ProductId, Ct);
        Assert.Equal(5, audit.Product.Stock);
        Assert.Equal(0, audit.Sold);

        // Once the lock is gone, the same store sells normally.
        Assert.Equal(PurchaseOutcome.Bought, (await store.BuyAsync(ProductId, 100, Ct)).Outcome);
    }
}
