using System;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Npgsql;

namespace PgBorrow.Benchmarks.Queries;

/// <summary>
/// <c>calls</c>: BenchmarkDotNet's view of the four call shapes, [PgQuery] against the hand-written baseline of
/// each category. One connection, opened in the global setup and reused, as a service holding a pooled
/// connection would.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CallBenchmarks
{
    private NpgsqlDataSource _dataSource = null!;
    private NpgsqlConnection _connection = null!;
    private int _call;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _dataSource = NpgsqlDataSource.Create(QueryDatabase.ConnectionString);
        _connection = await _dataSource.OpenConnectionAsync();
        await QueryDatabase.EnsureSeededAsync(_connection);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _connection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    [Benchmark(Baseline = true), BenchmarkCategory("list-10")]
    public async Task<int> HandWrittenList10() => (await HandWrittenCalls.ListAsync(_connection, 10, CancellationToken.None)).Count;

    [Benchmark, BenchmarkCategory("list-10")]
    public async Task<int> PgQueryList10() => (await _connection.ListOrdersAsync(10, CancellationToken.None)).Count;

    [Benchmark(Baseline = true), BenchmarkCategory("list-1000")]
    public async Task<int> HandWrittenList1000() => (await HandWrittenCalls.ListAsync(_connection, 1000, CancellationToken.None)).Count;

    [Benchmark, BenchmarkCategory("list-1000")]
    public async Task<int> PgQueryList1000() => (await _connection.ListOrdersAsync(1000, CancellationToken.None)).Count;

    [Benchmark(Baseline = true), BenchmarkCategory("single")]
    public Task<OrderRow> HandWrittenSingle() => HandWrittenCalls.SingleAsync(_connection, CallCase.RowId(_call++), CancellationToken.None);

    [Benchmark, BenchmarkCategory("single")]
    public Task<OrderRow> PgQuerySingle() => _connection.OrderAsync(CallCase.RowId(_call++), CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("scalar")]
    public Task<decimal> HandWrittenScalar() => HandWrittenCalls.ScalarAsync(_connection, CallCase.RowId(_call++), CancellationToken.None);

    [Benchmark, BenchmarkCategory("scalar")]
    public Task<decimal> PgQueryScalar() => _connection.OrderTotalAsync(CallCase.RowId(_call++), CancellationToken.None);

    [Benchmark(Baseline = true), BenchmarkCategory("execute")]
    public Task<int> HandWrittenExecute() => HandWrittenCalls.ExecuteAsync(_connection, CallCase.RowId(_call), CallCase.PlacedAt(_call++), CancellationToken.None);

    [Benchmark, BenchmarkCategory("execute")]
    public Task<int> PgQueryExecute() => _connection.SetPlacedAtAsync(CallCase.RowId(_call), CallCase.PlacedAt(_call++), CancellationToken.None);
}
