using System;
using System.Collections.Generic;
using System.Data;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.OrderOutbox;

/// <summary>Where published events go: a message broker in production, a list in the tests.</summary>
public interface IOutboxSink
{
    /// <summary>Delivers one event. Events arrive one at a time, in outbox id order.</summary>
    Task PublishAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken);
}

/// <summary>
/// Publishes the outbox: woken by LISTEN/NOTIFY, it takes unpublished events in id order, marks them
/// published and hands them to the sink, each exactly once, in order.
/// </summary>
/// <remarks>
/// <para>
/// <b>Subscribe, then read.</b> The runtime's <see cref="PgNotificationExtensions.ListenAsync(NpgsqlDataSource, string, PgListenOptions?, CancellationToken)"/>
/// stream starts with a Listening marker once LISTEN is in effect, and yields a Reconnected marker after
/// a broken connection. The publisher drains the table on every item, markers included: an event
/// committed before LISTEN was in effect, or while the listener was reconnecting, is in the table,
/// even though its notification was never seen. Notifications are hints, the table is the truth.
/// </para>
/// <para>
/// <b>One publisher at a time.</b> Any number of publishers may run (for availability); a session-level
/// advisory lock (<see cref="PgAdvisoryLockExtensions.AdvisoryLockAsync"/>, released by the guard on
/// every path) lets one of them drain at a time, and it holds that lock from taking a batch until the
/// sink has every event of it. Without it, two publishers could take consecutive batches and their
/// deliveries could interleave out of order. (With FOR UPDATE SKIP LOCKED, several publishers can
/// work at once, but then only per-batch order is kept.)
/// </para>
/// <para>
/// <b>Exactly once.</b> A batch is read with FOR UPDATE and marked published in the same short
/// transaction; the sink gets it after COMMIT, outside any transaction (calling a broker while holding
/// row locks is PGB101, and inside a retried body PGB108). A batch whose transaction fails is not
/// marked and is taken again. The window left: if the process dies after COMMIT and before the sink
/// has the batch, those events are lost (at most once). When that matters more than duplicates,
/// deliver first and mark after, under the same advisory lock, and let the consumer drop event ids it
/// has already seen (at least once + idempotent consumer).
/// </para>
/// </remarks>
public sealed class OutboxPublisher
{
    /// <summary>The advisory lock key that lets one publisher drain at a time.</summary>
    public const long PublisherLockKey = 0x5075626C6973; // "Publis"

    private static readonly PgTransactionOptions ClaimOptions = PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.ReadCommitted };

    private readonly NpgsqlDataSource _dataSource;
    private readonly IOutboxSink _sink;
    private readonly int _batchSize;
    private readonly PgListenOptions? _listenOptions;

    public OutboxPublisher(NpgsqlDataSource dataSource, IOutboxSink sink, int batchSize = 100, PgListenOptions? listenOptions = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        _dataSource = dataSource;
        _sink = sink;
        _batchSize = batchSize;
        _listenOptions = listenOptions;
    }

    /// <summary>Listens and publishes until cancelled (then throws <see cref="OperationCanceledException"/>).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await foreach (var _ in _dataSource.ListenAsync(OrderService.Channel, _listenOptions, cancellationToken))
        {
            // A notification (something committed), or a marker (we may have missed some): either way, drain.
            await PublishPendingAsync(cancellationToken);
        }
    }

    /// <summary>Publishes every event that is unpublished now, in id order. Returns how many this call published.</summary>
    public async Task<int> PublishPendingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var guard = await connection.AdvisoryLockAsync(PublisherLockKey, cancellationToken);
        var published = 0;
        while (true)
        {
            var batch = await connection.InTransactionAsync(ClaimOptions, _batchSize, static async (tx, batchSize, ct) =>
            {
                var events = await tx.QueryAsync<OutboxEvent>($"""
                    SELECT id, order_id, topic, payload FROM outbox
                    WHERE published_at IS NULL ORDER BY id LIMIT {batchSize} FOR UPDATE
                    """, ct);
                if (events.Count > 0)
                {
                    var ids = events.Select(e => e.Id).ToArray();
                    await tx.ExecuteAsync($"UPDATE outbox SET published_at = clock_timestamp() WHERE id = ANY({ids})", ct);
                }

                return events;
            }, cancellationToken);

            // Committed: the batch is ours alone. Deliver it in order, outside the transaction.
            foreach (var outboxEvent in batch)
                await _sink.PublishAsync(outboxEvent, cancellationToken);
            published += batch.Count;
            if (batch.Count < _batchSize)
                return published;
        }
    }
}

/// <summary>A sink that keeps what it is given, in order (for tests and the sample's report).</summary>
public sealed class InMemoryOutboxSink : IOutboxSink
{
    private readonly List<OutboxEvent> _events = new();
    private readonly object _gate = new();
    private TaskCompletionSource? _waiter;
    private int _waitFor;

    /// <summary>A copy of what was published so far, in delivery order.</summary>
    public IReadOnlyList<OutboxEvent> Events
    {
        get
        {
            lock (_gate)
                return _events.ToList();
        }
    }

    public Task PublishAsync(OutboxEvent outboxEvent, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _events.Add(outboxEvent);
            if (_waiter is not null && _events.Count >= _waitFor)
            {
                _waiter.TrySetResult();
                _waiter = null;
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>Completes once at least <paramref name="count"/> events have been published.</summary>
    public Task WaitForCountAsync(int count, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_events.Count >= count)
                return Task.CompletedTask;
            _waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waitFor = count;
            return _waiter.Task.WaitAsync(cancellationToken);
        }
    }
}
