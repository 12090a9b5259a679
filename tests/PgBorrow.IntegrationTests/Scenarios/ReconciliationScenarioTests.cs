using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Samples.Reconciliation;
using Xunit;

namespace PgBorrow.IntegrationTests.Scenarios;

/// <summary>samples/Reconciliation: parallel readers under one exported snapshot add up to the constant
/// total, and agree with a single reader, while writers keep moving money.</summary>
[Collection(ScenarioCollection.Name)]
public sealed class ReconciliationScenarioTests : IClassFixture<PgDatabaseFixture>, IAsyncLifetime
{
    private readonly PgDatabaseFixture _db;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private NpgsqlDataSource? _dataSource;

    public ReconciliationScenarioTests(PgDatabaseFixture db) => _db = db;

    private CancellationToken Ct => _timeout.Token;

    private NpgsqlDataSource DataSource => _dataSource!;

    public async Task InitializeAsync()
    {
        if (PgFactAttribute.ServerConnectionString is null)
            return;
        _dataSource = await ScenarioDatabase.CreateSchemaDataSourceAsync(_db, "scenario_reconciliation");
        await Ledger.CreateTablesAsync(DataSource, Ct);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
            await _dataSource.DisposeAsync();
        _timeout.Dispose();
    }

    [PgFact]
    public async Task Sixteen_readers_in_one_snapshot_always_add_up_while_32_writers_move_money()
    {
        var result = await ReconciliationSimulation.RunAsync(DataSource, accounts: 2000, balance: 100, writers: 32, readers: 16, rounds: 8, Ct);

        Assert.True(result.Moves > 0, "the writers committed nothing");
        Assert.Equal(8, result.WithSnapshot.Count);
        Assert.All(result.WithSnapshot, report =>
        {
            Assert.Equal(16, report.Ranges.Count);
            Assert.Empty(report.Violations(200_000, 2000));
        });
        // The books really balance at the end too.
        Assert.Equal(200_000, await DataSource.ExecuteScalarAsync<long>("SELECT sum(balance)::bigint FROM accounts", Ct));
    }

    [PgFact]
    public async Task Every_reader_sees_the_ledger_as_of_the_export_not_a_move_committed_after_it()
    {
        var ledger = new Ledger(DataSource);
        await ledger.ResetAsync(100, 100, Ct);

        await using var snapshot = await DataSource.ExportSnapshotAsync(Ct);
        Assert.True(await ledger.MoveAsync(1, 100, 60, Ct)); // from the first reader's range to the last one's, after the export

        var report = await Reconciler.ReconcileAsync(snapshot, accounts: 100, readers: 4, Ct);
        Assert.Empty(report.Violations(10_000, 100));
        Assert.All(report.Ranges, range => Assert.Equal(25 * 100, range.Total)); // the move is invisible to every reader

        var now = await new Reconciler(DataSource).ReconcileAsync(accounts: 100, readers: 4, Ct); // a new snapshot sees it
        Assert.Equal(25 * 100 - 60, now.Ranges[0].Total);
        Assert.Equal(25 * 100 + 60, now.Ranges[^1].Total);
        Assert.Empty(now.Violations(10_000, 100));
    }

    [PgFact]
    public async Task When_the_exporting_backend_is_terminated_new_readers_fail_clearly_and_a_new_snapshot_works()
    {
        var ledger = new Ledger(DataSource);
        await ledger.ResetAsync(100, 100, Ct);

        await using (var snapshot = await DataSource.ExportSnapshotAsync(Ct))
        {
            await ScenarioDatabase.TerminateAsync(DataSource, snapshot.ProcessId);
            var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => Reconciler.ReconcileAsync(snapshot, 100, 8, Ct));
            Assert.Contains(snapshot.Id, thrown.Message);
        }

        var report = await new Reconciler(DataSource).ReconcileAsync(100, 8, Ct);
        Assert.Empty(report.Violations(10_000, 100));
    }
}
