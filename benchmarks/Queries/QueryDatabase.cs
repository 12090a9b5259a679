using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Queries;

/// <summary>The table the call benchmarks read and update, and its seed.</summary>
internal static class QueryDatabase
{
    public const string Table = "bench_orders";
    public const int SeededRows = 10_000;

    public static string ConnectionString
        => Environment.GetEnvironmentVariable("PG_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "PG_CONNECTION_STRING is not set: run through ci/with-postgres.sh (see docs/benchmarks.md).");

    /// <summary>Creates and seeds <see cref="Table"/> (once: it checks the count first). Every third note is NULL.</summary>
    public static async Task EnsureSeededAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using (var create = new NpgsqlCommand($"""
            CREATE TABLE IF NOT EXISTS {Table} (
                id bigint PRIMARY KEY,
                customer text NOT NULL,
                total numeric(12,2) NOT NULL,
                note text,
                placed_at timestamptz NOT NULL
            )
            """, connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM {Table}", connection))
        {
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! == SeededRows)
                return;
        }

        await using var seed = new NpgsqlCommand($"""
            TRUNCATE {Table};
            INSERT INTO {Table} (id, customer, total, note, placed_at)
            SELECT i, 'customer-' || (i % 500), (i % 10000) / 100.0 + 0.25,
                   CASE WHEN i % 3 = 0 THEN NULL ELSE 'note ' || i END,
                   timestamptz '2026-01-01 00:00:00+00' + i * interval '37 seconds'
            FROM generate_series(1, {SeededRows}) AS i;
            ANALYZE {Table};
            """, connection);
        await seed.ExecuteNonQueryAsync(cancellationToken);
    }
}
