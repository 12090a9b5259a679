using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.OrderOutbox;

/// <summary>Thrown inside an order's transaction to roll it back (a check that failed after the order was written).</summary>
public sealed class OrderAbandonedException : Exception
{
    public OrderAbandonedException(long orderId)
        : base($"Order {orderId} was abandoned before its transaction committed.") => OrderId = orderId;

    public long OrderId { get; }
}

/// <summary>Checks a sink's deliveries against the committed orders.</summary>
public static class OutboxAudit
{
    /// <summary>Every committed order's event delivered exactly once, in outbox id order; nothing else delivered; nothing left unpublished.</summary>
    public static async Task<IReadOnlyList<string>> CheckAsync(NpgsqlDataSource dataSource, IReadOnlyList<OutboxEvent> delivered, CancellationToken cancellationToken)
    {
        var violations = new List<string>();
        var committedRows = await dataSource.QueryAsync<CommittedOrder>("SELECT id FROM orders ORDER BY id", cancellationToken);
        var committed = committedRows.Select(r => r.Id).ToHashSet();
        var unpublished = await dataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM outbox WHERE published_at IS NULL", cancellationToken);

        for (var i = 1; i < delivered.Count; i++)
        {
            if (delivered[i].Id <= delivered[i - 1].Id)
            {
                violations.Add($"event {delivered[i].Id} was delivered after event {delivered[i - 1].Id}");
                break;
            }
        }

        var deliveredOrders = delivered.Select(e => e.OrderId).ToList();
        if (deliveredOrders.Distinct().Count() != deliveredOrders.Count)
            violations.Add("an order's event was delivered more than once");
        var unknown = deliveredOrders.Where(id => !committed.Contains(id)).ToList();
        if (unknown.Count > 0)
            violations.Add($"{unknown.Count} delivered events belong to orders that never committed (e.g. {unknown[0]})");
        var missing = committed.Except(deliveredOrders).ToList();
        if (missing.Count > 0)
            violations.Add($"{missing.Count} committed orders' events were never delivered (e.g. {missing[0]})");
        if (unpublished != 0)
            violations.Add($"{unpublished} outbox rows are still unpublished");
        return violations;
    }
}

/// <summary>The id of an order that committed.</summary>
[PgRow]
public partial record CommittedOrder(long Id);

/// <summary>Customers place orders from many tasks at once while publishers drain the outbox.</summary>
public static class OutboxSimulation
{
    /// <summary>What was placed, what was abandoned, what the sink got.</summary>
    public sealed record Result(int Committed, int Abandoned, IReadOnlyList<OutboxEvent> Delivered, IReadOnlyList<string> Violations);

    /// <summary>
    /// <paramref name="workers"/> tasks each place <paramref name="ordersPerWorker"/> orders; every
    /// <paramref name="abandonEvery"/>-th one is placed in a transaction that then fails, so it rolls
    /// back. <paramref name="publishers"/> publishers run all along and deliver to <paramref name="sink"/>.
    /// </summary>
    public static async Task<Result> RunAsync(
        NpgsqlDataSource dataSource, InMemoryOutboxSink sink, int workers, int ordersPerWorker, int abandonEvery, int publishers,
        CancellationToken cancellationToken, PgListenOptions? listenOptions = null)
    {
        await OrderDatabase.ResetAsync(dataSource, cancellationToken);
        var orders = new OrderService(dataSource);

        using var stopPublishers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var publisherTasks = Enumerable.Range(0, publishers)
            .Select(_ => Task.Run(() => new OutboxPublisher(dataSource, sink, batchSize: 50, listenOptions).RunAsync(stopPublishers.Token), CancellationToken.None))
            .ToList();

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var abandoned = 0;
        var workerTasks = Enumerable.Range(0, workers).Select(async worker =>
        {
            await gate.Task;
            var committed = 0;
            for (var i = 0; i < ordersPerWorker; i++)
            {
                var customer = $"customer-{worker}";
                var total = 100L * (i + 1);
                if ((worker * ordersPerWorker + i) % abandonEvery == abandonEvery - 1)
                {
                    try
                    {
                        await dataSource.InTransactionAsync(OrderService.PlaceOptions, async (tx, ct) =>
                        {
                            var placed = await OrderService.PlaceOrderAsync(tx, customer, total, ct);
                            throw new OrderAbandonedException(placed.OrderId); // rolls back the order, its event and its NOTIFY
                        }, cancellationToken);
                    }
                    catch (OrderAbandonedException)
                    {
                        Interlocked.Increment(ref abandoned);
                    }
                }
                else
                {
                    await orders.PlaceOrderAsync(customer, total, cancellationToken);
                    committed++;
                }
            }

            return committed;
        }).ToList();
        gate.SetResult();
        var committedOrders = (await Task.WhenAll(workerTasks)).Sum();

        try
        {
            await sink.WaitForCountAsync(committedOrders, cancellationToken);
        }
        finally
        {
            await stopPublishers.CancelAsync();
            foreach (var publisher in publisherTasks)
            {
                try
                {
                    await publisher;
                }
                catch (OperationCanceledException) when (stopPublishers.IsCancellationRequested)
                {
                    // Stopped.
                }
            }
        }

        var delivered = sink.Events;
        return new Result(committedOrders, abandoned, delivered, await OutboxAudit.CheckAsync(dataSource, delivered, cancellationToken));
    }

    /// <summary>Prints a result and its invariant check; returns false when an invariant is broken.</summary>
    public static bool Report(Result result, TextWriter output)
    {
        output.WriteLine($"{result.Committed} orders committed, {result.Abandoned} rolled back; the sink received {result.Delivered.Count} events"
            + (result.Delivered.Count > 0 ? $", outbox ids {result.Delivered[0].Id} to {result.Delivered[^1].Id}." : "."));
        foreach (var violation in result.Violations)
            output.WriteLine("INVARIANT BROKEN: " + violation);
        if (result.Violations.Count == 0)
            output.WriteLine("Invariant holds: every committed order's event was published exactly once, in order; rolled-back orders published nothing.");
        return result.Violations.Count == 0;
    }
}
