using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Samples.OrderOutbox;
using Xunit;

namespace PgBorrow.IntegrationTests.Scenarios;

/// <summary>samples/OrderOutbox: every committed order's event is published exactly once, in order;
/// rolled-back orders publish nothing; a lost listener or a killed publisher loses and duplicates nothing.</summary>
[Collection(ScenarioCollection.Name)]
public sealed class OrderOutboxScenarioTests : IClassFixture<PgDatabaseFixture>, IAsyncLifetime
{
    private const string ListenerName = "scenario-outbox-listener";

    private static readonly PgListenOptions FastReconnect = PgListenOptions.Default with
    {
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(20),
        ReconnectMaxDelay = TimeSpan.FromMilliseconds(200),
        ApplicationName = ListenerName,
    };

    private readonly PgDatabaseFixture _db;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private NpgsqlDataSource? _dataSource;

    public OrderOutboxScenarioTests(PgDatabaseFixture db) => _db = db;

    private CancellationToken Ct => _timeout.Token;

    private NpgsqlDataSource DataSource => _dataSource!;

    public async Task InitializeAsync()
    {
        if (PgFactAttribute.ServerConnectionString is null)
            return;
        _dataSource = await ScenarioDatabase.CreateSchemaDataSourceAsync(_db, "scenario_outbox");
        await OrderDatabase.CreateTablesAsync(DataSource, Ct);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
            await _dataSource.DisposeAsync();
        _timeout.Dispose();
    }

    [PgFact]
    public async Task Forty_eight_workers_and_two_publishers_deliver_every_committed_order_once_in_order_and_no_rolled_back_one()
    {
        var sink = new InMemoryOutboxSink();

        var result = await OutboxSimulation.RunAsync(DataSource, sink, workers: 48, ordersPerWorker: 8, abandonEvery: 4, publishers: 2, Ct, FastReconnect);

        Assert.Empty(result.Violations);
        Assert.Equal(48 * 8 / 4, result.Abandoned);
        Assert.Equal(48 * 8 - result.Abandoned, result.Committed);
        Assert.Equal(result.Committed, result.Delivered.Count);
        Assert.Equal(result.Committed, await DataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM orders", Ct));
    }

    [PgFact]
    public async Task Events_committed_while_the_listener_was_disconnected_are_published_after_it_reconnects()
    {
        await OrderDatabase.ResetAsync(DataSource, Ct);
        var sink = new InMemoryOutboxSink();
        var orders = new OrderService(DataSource);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var publisher = Task.Run(() => new OutboxPublisher(DataSource, sink, listenOptions: FastReconnect).RunAsync(stop.Token), CancellationToken.None);

        await orders.PlaceOrderAsync("first", 100, Ct);
        await sink.WaitForCountAsync(1, Ct); // the listener is up and the publisher works

        // Kill the listener's session, and place orders from 32 workers while it reconnects.
        var listenerPid = await DataSource.ExecuteScalarAsync<int>(
            $"SELECT pid FROM pg_stat_activity WHERE application_name = {ListenerName} AND datname = current_database()", Ct);
        await ScenarioDatabase.TerminateAsync(DataSource, listenerPid);
        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => orders.PlaceOrderAsync($"customer-{i}", 100 + i, Ct)));

        await sink.WaitForCountAsync(33, Ct); // the Reconnected marker made it read the table
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => publisher);

        Assert.Equal(33, sink.Events.Count);
        Assert.Empty(await OutboxAudit.CheckAsync(DataSource, sink.Events, Ct));
    }

    [PgFact]
    public async Task A_publisher_killed_while_claiming_a_batch_marks_nothing_and_the_next_one_delivers_it_once()
    {
        await OrderDatabase.ResetAsync(DataSource, Ct);
        var orders = new OrderService(DataSource);
        await Task.WhenAll(Enumerable.Range(0, 32).Select(i => orders.PlaceOrderAsync($"customer-{i}", 100 + i, Ct)));
        var sink = new InMemoryOutboxSink();

        // Another session holds a row lock on the first event, so the publisher's claim (FOR UPDATE) waits on it.
        await using var holder = await DataSource.OpenConnectionAsync(Ct);
        await using var held = await holder.BeginTransactionAsync(Ct);
        await held.ExecuteAsync("SELECT id FROM outbox WHERE id = 1 FOR UPDATE", Ct);

        var claiming = new OutboxPublisher(DataSource, sink).PublishPendingAsync(Ct);
        var waiter = await _db.WaitForLockWaiterAsync("SELECT id, order_id, topic, payload FROM outbox", holder.ProcessID, TimeSpan.FromSeconds(10));
        await ScenarioDatabase.TerminateAsync(DataSource, waiter);
        await Assert.ThrowsAnyAsync<NpgsqlException>(() => claiming);
        await held.RollbackAsync(Ct);

        Assert.Empty(sink.Events);
        Assert.Equal(32, await DataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox WHERE published_at IS NULL", Ct));

        Assert.Equal(32, await new OutboxPublisher(DataSource, sink).PublishPendingAsync(Ct));
        Assert.Empty(await OutboxAudit.CheckAsync(DataSource, sink.Events, Ct));
    }
}
