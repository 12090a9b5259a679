using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using NpgsqlTypes;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>The benchmark tables, the seed data and the SQL every contender runs.</summary>
internal static class BenchDatabase
{
    public const string ReadTable = "bench_rows";
    public const string InsertTable = "bench_insert";
    public const int SeededRows = 100_000;

    public const string Columns = "id, quantity, name, note, amount, created_at, is_active, external_id, score, due_date";

    private const string TableShape = """
        (
            id bigint PRIMARY KEY,
            quantity integer NOT NULL,
            name text NOT NULL,
            note text,
            amount numeric(12,2) NOT NULL,
            created_at timestamptz NOT NULL,
            is_active boolean NOT NULL,
            external_id uuid NOT NULL,
            score double precision NOT NULL,
            due_date date NOT NULL
        )
        """;

    // One constant SQL text per size: every contender sends exactly the same text, with no parameters.
    public const string Select1 = "SELECT " + Columns + " FROM " + ReadTable + " WHERE id <= 1";
    public const string Select1000 = "SELECT " + Columns + " FROM " + ReadTable + " WHERE id <= 1000";
    public const string Select100000 = "SELECT " + Columns + " FROM " + ReadTable + " WHERE id <= 100000";

    public static string SelectSql(int rows) => rows switch
    {
        1 => Select1,
        1000 => Select1000,
        100_000 => Select100000,
        _ => throw new ArgumentOutOfRangeException(nameof(rows), rows, "Sizes: 1, 1000, 100000."),
    };

    public static string ConnectionString
        => Environment.GetEnvironmentVariable("PG_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "PG_CONNECTION_STRING is not set: run through ci/with-postgres.sh (see docs/benchmarks.md).");

    /// <summary>Creates both tables and seeds <see cref="ReadTable"/> with 100,000 rows (once: it checks the count first).</summary>
    public static async Task EnsureSeededAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await using (var create = new NpgsqlCommand(
            $"CREATE TABLE IF NOT EXISTS {ReadTable} {TableShape}; CREATE TABLE IF NOT EXISTS {InsertTable} {TableShape};", connection))
        {
            await create.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var count = new NpgsqlCommand($"SELECT count(*) FROM {ReadTable}", connection))
        {
            if ((long)(await count.ExecuteScalarAsync(cancellationToken))! == SeededRows)
                return;
        }

        await using (var truncate = new NpgsqlCommand($"TRUNCATE {ReadTable}", connection))
            await truncate.ExecuteNonQueryAsync(cancellationToken);
        await CopyAsync(connection, ReadTable, MakeRows(SeededRows), cancellationToken);
        await using (var analyze = new NpgsqlCommand($"VACUUM ANALYZE {ReadTable}", connection))
            await analyze.ExecuteNonQueryAsync(cancellationToken);
    }

    public static BenchRow[] MakeRows(int count)
    {
        var rows = new BenchRow[count];
        for (var i = 0; i < count; i++)
            rows[i] = BenchRow.Make(i + 1);
        return rows;
    }

    /// <summary>The hand-written binary COPY (also the seeding path).</summary>
    public static async Task<ulong> CopyAsync(NpgsqlConnection connection, string table, IReadOnlyList<BenchRow> rows, CancellationToken cancellationToken)
    {
        await using var importer = await connection.BeginBinaryImportAsync(
            $"COPY {table} ({Columns}) FROM STDIN (FORMAT BINARY)", cancellationToken);
        foreach (var row in rows)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync(row.Id, NpgsqlDbType.Bigint, cancellationToken);
            await importer.WriteAsync(row.Quantity, NpgsqlDbType.Integer, cancellationToken);
            await importer.WriteAsync(row.Name, NpgsqlDbType.Text, cancellationToken);
            if (row.Note is null)
                await importer.WriteNullAsync(cancellationToken);
            else
                await importer.WriteAsync(row.Note, NpgsqlDbType.Text, cancellationToken);
            await importer.WriteAsync(row.Amount, NpgsqlDbType.Numeric, cancellationToken);
            await importer.WriteAsync(row.CreatedAt, NpgsqlDbType.TimestampTz, cancellationToken);
            await importer.WriteAsync(row.IsActive, NpgsqlDbType.Boolean, cancellationToken);
            await importer.WriteAsync(row.ExternalId, NpgsqlDbType.Uuid, cancellationToken);
            await importer.WriteAsync(row.Score, NpgsqlDbType.Double, cancellationToken);
            await importer.WriteAsync(row.DueDate, NpgsqlDbType.Date, cancellationToken);
        }

        return await importer.CompleteAsync(cancellationToken);
    }
}
