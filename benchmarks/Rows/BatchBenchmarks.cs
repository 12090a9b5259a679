using System.Collections.Generic;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Npgsql;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// Three statements a page typically needs (one row by key, a count over a key range, a page of ten
/// rows: all cheap on the server, so what differs is the client and the round trips), sent one after
/// another (three round trips) or as one <see cref="PgBatch"/> through QueryMultipleAsync (one round trip).
/// Same open connection, same parameters, same rows. On loopback a round trip costs tens of microseconds;
/// over a network each one adds the network's latency, which this does not measure. (The column list is
/// written out: a hole of a <see cref="PgSql"/> is always a parameter, never SQL text.)
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("batch")]
public class BatchBenchmarks
{
    private NpgsqlDataSource _dataSource = null!;
    private NpgsqlConnection _connection = null!;
    private readonly long _id = 42;
    private readonly long _after = 500;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString);
        _connection = await _dataSource.OpenConnectionAsync();
        await BenchDatabase.EnsureSeededAsync(_connection);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _connection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "3 statements, 3 round trips")]
    public async Task<int> SeveralRoundTrips()
    {
        var row = await _connection.QuerySingleAsync<BenchRow>($"SELECT id, quantity, name, note, amount, created_at, is_active, external_id, score, due_date FROM bench_rows WHERE id = {_id}", default);
        var count = await _connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM bench_rows WHERE id > {_after} AND id <= {_after + 100}", default);
        var page = await _connection.QueryAsync<BenchRow>($"SELECT id, quantity, name, note, amount, created_at, is_active, external_id, score, due_date FROM bench_rows WHERE id > {_after} ORDER BY id LIMIT 10", default);
        return Check(row, count, page);
    }

    [Benchmark(Description = "3 statements, 1 round trip (QueryMultipleAsync)")]
    public async Task<int> OneRoundTrip()
    {
        await using var results = await _connection.QueryMultipleAsync(new PgBatch
        {
            $"SELECT id, quantity, name, note, amount, created_at, is_active, external_id, score, due_date FROM bench_rows WHERE id = {_id}",
            $"SELECT count(*) FROM bench_rows WHERE id > {_after} AND id <= {_after + 100}",
            $"SELECT id, quantity, name, note, amount, created_at, is_active, external_id, score, due_date FROM bench_rows WHERE id > {_after} ORDER BY id LIMIT 10",
        }, default);
        var row = await results.ReadSingleAsync<BenchRow>(default);
        var count = await results.ReadScalarAsync<long>(default);
        var page = await results.ReadAsync<BenchRow>(default);
        return Check(row, count, page);
    }

    private int Check(BenchRow row, long count, List<BenchRow> page)
        => row.Id == _id && count == 100 && page.Count == 10
            ? page.Count
            : throw new System.InvalidOperationException($"Unexpected results: row {row.Id}, count {count}, page of {page.Count}.");
}
