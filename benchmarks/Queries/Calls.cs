using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow;

namespace PgBorrow.Benchmarks.Queries;

/// <summary>The row both contenders read: a [PgRow] class, so the two fill the same type the same way.</summary>
[PgRow]
public sealed partial class OrderRow
{
    public long Id { get; set; }                // bigint
    public string Customer { get; set; } = "";  // text
    public decimal Total { get; set; }          // numeric(12,2)
    public string? Note { get; set; }           // text, NULL on every third row
    public DateTime PlacedAt { get; set; }      // timestamptz (read as UTC)

    public bool SameAs(OrderRow other)
        => Id == other.Id && Customer == other.Customer && Total == other.Total && Note == other.Note && PlacedAt == other.PlacedAt;
}

/// <summary>
/// The four call shapes as [PgQuery] methods: the generator writes their bodies (the SQL as sent has <c>$n</c> for
/// each <c>@name</c>, each value an <c>NpgsqlParameter&lt;T&gt;</c>).
/// </summary>
public static partial class GeneratedCalls
{
    [PgQuery("SELECT id, customer, total, note, placed_at FROM bench_orders WHERE id <= @lastId ORDER BY id")]
    public static partial Task<List<OrderRow>> ListOrdersAsync(this NpgsqlConnection connection, long lastId, CancellationToken cancellationToken);

    [PgQuery("SELECT id, customer, total, note, placed_at FROM bench_orders WHERE id = @id")]
    public static partial Task<OrderRow> OrderAsync(this NpgsqlConnection connection, long id, CancellationToken cancellationToken);

    [PgQuery("SELECT total FROM bench_orders WHERE id = @id")]
    public static partial Task<decimal> OrderTotalAsync(this NpgsqlConnection connection, long id, CancellationToken cancellationToken);

    [PgQuery("UPDATE bench_orders SET placed_at = @placedAt WHERE id = @id")]
    public static partial Task<int> SetPlacedAtAsync(this NpgsqlConnection connection, long id, DateTime placedAt, CancellationToken cancellationToken);
}

/// <summary>
/// The same four calls written by hand: the same SQL text as the generated code sends, the same typed
/// <c>NpgsqlParameter&lt;T&gt;</c>, constant ordinals and typed getters, and the same contract (exactly one row for
/// <see cref="SingleAsync"/> and <see cref="ScalarAsync"/>: a missing or second row throws), so both do the same work.
/// </summary>
public static class HandWrittenCalls
{
    public static async Task<List<OrderRow>> ListAsync(NpgsqlConnection connection, long lastId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id, customer, total, note, placed_at FROM bench_orders WHERE id <= $1 ORDER BY id", connection)
        {
            Parameters = { new NpgsqlParameter<long> { TypedValue = lastId } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<OrderRow>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(ReadOrder(reader));
        return rows;
    }

    public static async Task<OrderRow> SingleAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT id, customer, total, note, placed_at FROM bench_orders WHERE id = $1", connection)
        {
            Parameters = { new NpgsqlParameter<long> { TypedValue = id } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            throw new InvalidOperationException("No order " + id);
        var row = ReadOrder(reader);
        if (await reader.ReadAsync(cancellationToken))
            throw new InvalidOperationException("More than one order " + id);
        return row;
    }

    public static async Task<decimal> ScalarAsync(NpgsqlConnection connection, long id, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT total FROM bench_orders WHERE id = $1", connection)
        {
            Parameters = { new NpgsqlParameter<long> { TypedValue = id } },
        };
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
            throw new InvalidOperationException("No order " + id);
        var total = reader.GetDecimal(0);
        if (await reader.ReadAsync(cancellationToken))
            throw new InvalidOperationException("More than one order " + id);
        return total;
    }

    public static async Task<int> ExecuteAsync(NpgsqlConnection connection, long id, DateTime placedAt, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("UPDATE bench_orders SET placed_at = $1 WHERE id = $2", connection)
        {
            Parameters =
            {
                new NpgsqlParameter<DateTime> { TypedValue = placedAt },
                new NpgsqlParameter<long> { TypedValue = id },
            },
        };
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static OrderRow ReadOrder(NpgsqlDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        Customer = reader.GetString(1),
        Total = reader.GetDecimal(2),
        Note = reader.IsDBNull(3) ? null : reader.GetString(3),
        PlacedAt = reader.GetDateTime(4),
    };
}
