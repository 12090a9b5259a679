using System.Collections.Generic;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Npgsql;
using RowsBenchmarks.DapperContenders;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// Reads 1, 1,000 and 100,000 rows of <see cref="BenchRow"/> with each contender: same SQL text, one
/// open connection reused across iterations (as a service holding a pooled connection would).
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("read")]
public class ReadBenchmarks
{
    private NpgsqlDataSource _dataSource = null!;
    private NpgsqlConnection _connection = null!;
    private string _sql = "";

    [Params(1, 1000, 100_000)]
    public int Rows { get; set; }

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _dataSource = NpgsqlDataSource.Create(BenchDatabase.ConnectionString);
        _connection = await _dataSource.OpenConnectionAsync();
        await BenchDatabase.EnsureSeededAsync(_connection);
        _sql = BenchDatabase.SelectSql(Rows);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _connection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    [Benchmark(Baseline = true, Description = "Hand-written ADO.NET")]
    public Task<List<BenchRow>> HandWritten() => HandWrittenReader.QueryAsync(_connection, _sql, default);

    [Benchmark(Description = "Dapper")]
    public Task<List<BenchRow>> Dapper() => DapperReader.QueryAsync(_connection, _sql, default);

    [Benchmark(Description = "Dapper.AOT")]
    public Task<List<BenchRow>> DapperAot() => DapperAotReader.QueryAsync(_connection, _sql, default);

    [Benchmark(Description = "PgBorrow QueryAsync")]
    public Task<List<BenchRow>> PgBorrow() => PgBorrowReader.QueryAsync(_connection, _sql, default);

    [Benchmark(Description = "PgBorrow QueryStreamAsync")]
    public Task<long> PgBorrowStream() => PgBorrowReader.StreamSumAsync(_connection, _sql, default);
}
