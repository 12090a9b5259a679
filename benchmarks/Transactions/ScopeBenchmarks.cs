using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Npgsql;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>
/// One single-statement READ COMMITTED transaction per operation, hand-written vs the scope, (a) on one
/// open connection reused by every operation and (b) on a data source, opening a pooled connection per
/// transaction. The counter updated moves through ids 1..1000, the same sequence for every contender.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ScopeBenchmarks
{
    private NpgsqlDataSource _dataSource = null!;
    private NpgsqlConnection _connection = null!;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _dataSource = TxDatabase.CreateDataSource();
        _connection = await _dataSource.OpenConnectionAsync();
        await TxDatabase.EnsureCountersAsync(_connection);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _connection.DisposeAsync();
        await _dataSource.DisposeAsync();
    }

    private int NextId() => _next = _next % TxDatabase.Counters + 1;

    [Benchmark(Baseline = true, Description = "Hand-written Begin/Commit"), BenchmarkCategory("connection")]
    public Task<int> Connection_HandWritten() => Scopes.HandWrittenAsync(_connection, NextId(), default);

    [Benchmark(Description = "Hand-written, statement via PgSql"), BenchmarkCategory("connection")]
    public Task<int> Connection_HandWrittenPgSql() => Scopes.HandWrittenPgSqlAsync(_connection, NextId(), default);

    [Benchmark(Description = "InTransactionAsync, lambda"), BenchmarkCategory("connection")]
    public Task<int> Connection_ScopeLambda() => Scopes.ScopeLambdaAsync(_connection, NextId(), default);

    [Benchmark(Description = "InTransactionAsync, state"), BenchmarkCategory("connection")]
    public Task<int> Connection_ScopeState() => Scopes.ScopeStateAsync(_connection, NextId(), default);

    [Benchmark(Description = "InTransactionAsync, state + result"), BenchmarkCategory("connection")]
    public Task<int> Connection_ScopeStateResult() => Scopes.ScopeStateResultAsync(_connection, NextId(), default);

    [Benchmark(Baseline = true, Description = "Hand-written Begin/Commit"), BenchmarkCategory("data source")]
    public Task<int> DataSource_HandWritten() => Scopes.HandWrittenAsync(_dataSource, NextId(), default);

    [Benchmark(Description = "Hand-written, statement via PgSql"), BenchmarkCategory("data source")]
    public Task<int> DataSource_HandWrittenPgSql() => Scopes.HandWrittenPgSqlAsync(_dataSource, NextId(), default);

    [Benchmark(Description = "InTransactionAsync, lambda"), BenchmarkCategory("data source")]
    public Task<int> DataSource_ScopeLambda() => Scopes.ScopeLambdaAsync(_dataSource, NextId(), default);

    [Benchmark(Description = "InTransactionAsync, state"), BenchmarkCategory("data source")]
    public Task<int> DataSource_ScopeState() => Scopes.ScopeStateAsync(_dataSource, NextId(), default);

    [Benchmark(Description = "InTransactionAsync, state + result"), BenchmarkCategory("data source")]
    public Task<int> DataSource_ScopeStateResult() => Scopes.ScopeStateResultAsync(_dataSource, NextId(), default);
}
