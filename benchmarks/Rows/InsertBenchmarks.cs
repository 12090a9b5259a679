using System;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Npgsql;
using NpgsqlTypes;
using PgBorrow;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// Inserts 100,000 <see cref="BenchRow"/>s into an empty table (truncated before every iteration),
/// on one open connection, each way in a single transaction or COPY.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("insert")]
public class InsertBenchmarks
{
    public const int RowCount = 100_000;

    private const string InsertSql =
        "INSERT INTO " + BenchDatabase.InsertTable + " (" + BenchDatabase.Columns + ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";

    // One statement for all rows: ten arrays, one per column, turned back into rows by unnest.
    // (Multi-row VALUES cannot carry 100,000 rows: that would be 1,000,000 parameters, and the
    // protocol allows 65,535 per statement.)
    private const string UnnestSql =
        "INSERT INTO " + BenchDatabase.InsertTable + " (" + BenchDatabase.Columns + ") "
        + "SELECT * FROM unnest($1::bigint[], $2::integer[], $3::text[], $4::text[], $5::numeric[], "
        + "$6::timestamptz[], $7::boolean[], $8::uuid[], $9::double precision[], $10::date[])";

    private NpgsqlDataSource _dataSource = null!;
    private NpgsqlConnection _connection = null!;
    private BenchRow[] _rows = [];

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString);
        _connection = await _dataSource.OpenConnectionAsync();
        await BenchDatabase.EnsureSeededAsync(_connection);
        _rows = BenchDatabase.MakeRows(RowCount);
    }

    [IterationSetup]
    public void Truncate()
    {
        using var truncate = new NpgsqlCommand("TRUNCATE " + BenchDatabase.InsertTable, _connection);
        truncate.ExecuteNonQuery();
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await using (var count = new NpgsqlCommand("SELECT count(*) FROM " + BenchDatabase.InsertTable, _connection))
        {
            var inserted = (long)(await count.ExecuteScalarAsync())!;
            if (inserted != RowCount)
                throw new InvalidOperationException($"The last iteration left {inserted} rows, not {RowCount}.");
        }

        await _connection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    /// <summary>One prepared INSERT per row, its parameters reused, all in one transaction.</summary>
    [Benchmark(Baseline = true, Description = "Row-by-row INSERT (prepared, 1 tx)")]
    public async Task<int> RowByRow()
    {
        await using var transaction = await _connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(InsertSql, _connection, transaction);
        var id = new NpgsqlParameter<long> { NpgsqlDbType = NpgsqlDbType.Bigint };
        var quantity = new NpgsqlParameter<int> { NpgsqlDbType = NpgsqlDbType.Integer };
        var name = new NpgsqlParameter<string> { NpgsqlDbType = NpgsqlDbType.Text };
        var note = new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Text };
        var amount = new NpgsqlParameter<decimal> { NpgsqlDbType = NpgsqlDbType.Numeric };
        var createdAt = new NpgsqlParameter<DateTime> { NpgsqlDbType = NpgsqlDbType.TimestampTz };
        var isActive = new NpgsqlParameter<bool> { NpgsqlDbType = NpgsqlDbType.Boolean };
        var externalId = new NpgsqlParameter<Guid> { NpgsqlDbType = NpgsqlDbType.Uuid };
        var score = new NpgsqlParameter<double> { NpgsqlDbType = NpgsqlDbType.Double };
        var dueDate = new NpgsqlParameter<DateOnly> { NpgsqlDbType = NpgsqlDbType.Date };
        command.Parameters.Add(id);
        command.Parameters.Add(quantity);
        command.Parameters.Add(name);
        command.Parameters.Add(note);
        command.Parameters.Add(amount);
        command.Parameters.Add(createdAt);
        command.Parameters.Add(isActive);
        command.Parameters.Add(externalId);
        command.Parameters.Add(score);
        command.Parameters.Add(dueDate);
        await command.PrepareAsync();

        var inserted = 0;
        foreach (var row in _rows)
        {
            id.TypedValue = row.Id;
            quantity.TypedValue = row.Quantity;
            name.TypedValue = row.Name;
            note.Value = row.Note is null ? DBNull.Value : row.Note;
            amount.TypedValue = row.Amount;
            createdAt.TypedValue = row.CreatedAt;
            isActive.TypedValue = row.IsActive;
            externalId.TypedValue = row.ExternalId;
            score.TypedValue = row.Score;
            dueDate.TypedValue = row.DueDate;
            inserted += await command.ExecuteNonQueryAsync();
        }

        await transaction.CommitAsync();
        return inserted;
    }

    /// <summary>One INSERT ... SELECT FROM unnest(10 arrays): the arrays are built from the rows inside the measurement.</summary>
    [Benchmark(Description = "Batched INSERT (unnest of 10 arrays)")]
    public async Task<int> UnnestArrays()
    {
        var n = _rows.Length;
        var ids = new long[n];
        var quantities = new int[n];
        var names = new string[n];
        var notes = new string?[n];
        var amounts = new decimal[n];
        var createdAts = new DateTime[n];
        var actives = new bool[n];
        var externalIds = new Guid[n];
        var scores = new double[n];
        var dueDates = new DateOnly[n];
        for (var i = 0; i < n; i++)
        {
            var row = _rows[i];
            ids[i] = row.Id;
            quantities[i] = row.Quantity;
            names[i] = row.Name;
            notes[i] = row.Note;
            amounts[i] = row.Amount;
            createdAts[i] = row.CreatedAt;
            actives[i] = row.IsActive;
            externalIds[i] = row.ExternalId;
            scores[i] = row.Score;
            dueDates[i] = row.DueDate;
        }

        await using var transaction = await _connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand(UnnestSql, _connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = ids });
        command.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = quantities });
        command.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = names });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = notes });
        command.Parameters.Add(new NpgsqlParameter<decimal[]> { TypedValue = amounts });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]> { TypedValue = createdAts });
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = actives });
        command.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = externalIds });
        command.Parameters.Add(new NpgsqlParameter<double[]> { TypedValue = scores });
        command.Parameters.Add(new NpgsqlParameter<DateOnly[]> { TypedValue = dueDates });
        var inserted = await command.ExecuteNonQueryAsync();
        await transaction.CommitAsync();
        return inserted;
    }

    /// <summary>Hand-written binary COPY: BeginBinaryImportAsync, one typed WriteAsync per column.</summary>
    [Benchmark(Description = "Binary COPY (hand-written)")]
    public Task<ulong> HandWrittenCopy() => BenchDatabase.CopyAsync(_connection, BenchDatabase.InsertTable, _rows, default);

    /// <summary>PgBorrow's binary COPY: the [PgRow] generator's typed writer for each row.</summary>
    [Benchmark(Description = "PgBorrow CopyInAsync")]
    public Task<ulong> PgBorrowCopy() => _connection.CopyInAsync(BenchDatabase.InsertTable, _rows, default);
}
