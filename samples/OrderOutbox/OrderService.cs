using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.OrderOutbox;

/// <summary>An event waiting in (or taken from) the outbox.</summary>
[PgRow]
public partial record OutboxEvent(long Id, long OrderId, string Topic, string Payload);

/// <summary>A placed order.</summary>
[PgRow]
public partial record PlacedOrder(long OrderId, long EventId);

/// <summary>The order-outbox schema, created in the first schema of the connection's search_path.</summary>
/// <remarks>
/// <code>
/// orders(id bigint identity primary key, customer text, total_cents bigint, placed_at timestamptz)
/// outbox(id bigint identity primary key, order_id bigint references orders, topic text, payload text,
///        published_at timestamptz null)   -- null: not published yet
/// </code>
/// </remarks>
public static class OrderDatabase
{
    public const string CreateTablesSql = """
        DROP TABLE IF EXISTS outbox;
        DROP TABLE IF EXISTS orders;
        CREATE TABLE orders (
            id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            customer    text NOT NULL,
            total_cents bigint NOT NULL CHECK (total_cents > 0),
            placed_at   timestamptz NOT NULL DEFAULT now()
        );
        CREATE TABLE outbox (
            id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            order_id     bigint NOT NULL REFERENCES orders (id),
            topic        text NOT NULL,
            payload      text NOT NULL,
            published_at timestamptz
        );
        -- The publisher looks for unpublished events in id order: a small partial index.
        CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
        """;

    /// <summary>(Re)creates the tables, empty.</summary>
    public static async Task CreateTablesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(CreateTablesSql, cancellationToken);
    }

    /// <summary>Empties both tables.</summary>
    public static Task ResetAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
        => dataSource.ExecuteAsync("TRUNCATE outbox, orders RESTART IDENTITY", cancellationToken);
}

/// <summary>
/// Places orders with a transactional outbox: the order and its "order placed" event are written in
/// the same transaction, so the event exists if and only if the order committed.
/// </summary>
/// <remarks>
/// <para>
/// The wrong way is to commit the order and then send the message to the broker: if the process dies
/// in between, the order exists and nobody hears of it; send it before the commit (or inside the
/// transaction, PGB101/PGB108) and a rolled-back order is announced anyway, or announced twice when the
/// transaction is retried. The outbox row rides on the order's own COMMIT instead.
/// </para>
/// <para>
/// <c>pg_notify</c> inside the transaction wakes the publisher up; PostgreSQL delivers it only if, and
/// when, the transaction commits, so a rolled-back order wakes nobody. It is only a hint: the
/// publisher reads the table, so a notification lost while it was disconnected loses nothing.
/// </para>
/// <para>
/// Order: the outbox id is taken under a transaction-level advisory lock that is held until COMMIT, so
/// outbox ids are committed in increasing order. Without it, a transaction that took id 7 could commit
/// after one that took id 8, and a publisher that had already passed 8 would publish 7 after it. The
/// lock is taken at the very end of the transaction: it serializes one INSERT, one pg_notify and the
/// COMMIT, not the order's own work.
/// </para>
/// </remarks>
public sealed class OrderService
{
    /// <summary>The LISTEN/NOTIFY channel the publisher listens on.</summary>
    public const string Channel = "outbox";

    /// <summary>The advisory lock key that orders outbox ids by commit.</summary>
    public const long OutboxOrderLockKey = 0x4F7574626F78; // "Outbox"

    /// <summary>READ COMMITTED: two INSERTs need nothing stronger.</summary>
    public static readonly PgTransactionOptions PlaceOptions = PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.ReadCommitted };

    private readonly NpgsqlDataSource _dataSource;

    public OrderService(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Places an order and queues its event, in one transaction.</summary>
    public Task<PlacedOrder> PlaceOrderAsync(string customer, long totalCents, CancellationToken cancellationToken)
        => _dataSource.InTransactionAsync(PlaceOptions, (customer, totalCents), static (tx, o, ct) => PlaceOrderAsync(tx, o.customer, o.totalCents, ct), cancellationToken);

    /// <summary>The same, inside a transaction the caller owns (a scope's body): if that transaction rolls back, so do the order and its event.</summary>
    public static async Task<PlacedOrder> PlaceOrderAsync(PgTx tx, string customer, long totalCents, CancellationToken cancellationToken)
    {
        var orderId = await tx.ExecuteScalarAsync<long>(
            $"INSERT INTO orders (customer, total_cents) VALUES ({customer}, {totalCents}) RETURNING id", cancellationToken);

        await tx.AdvisoryXactLockAsync(OutboxOrderLockKey, cancellationToken); // held until COMMIT: ids commit in order
        var eventId = await tx.ExecuteScalarAsync<long>(
            $"""
            INSERT INTO outbox (order_id, topic, payload)
            VALUES ({orderId}, 'order.placed', json_build_object('orderId', {orderId}, 'customer', {customer}, 'totalCents', {totalCents})::text)
            RETURNING id
            """, cancellationToken);
        await tx.NotifyAsync(Channel, null, cancellationToken); // delivered at COMMIT, and only if it commits
        return new PlacedOrder(orderId, eventId);
    }
}
