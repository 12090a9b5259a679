using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using Npgsql;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>
/// The same one-statement READ COMMITTED transaction on a data source (a pooled connection per transaction), hand-written
/// and as a scope, straight to PostgreSQL and through PgBouncer in transaction-pooling mode, in one run. Ratios are to the
/// direct hand-written transaction; scope overhead through the pooler is the scope row over the hand-written row of
/// the same target.
/// </summary>
[MemoryDiagnoser]
public class PoolerBenchmarks
{
    private NpgsqlDataSource _direct = null!;
    private NpgsqlDataSource _pooled = null!;
    private int _next;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _direct = TxDatabase.CreateDataSource();
        _pooled = TxDatabase.CreatePgBouncerDataSource();
        await using var connection = await _direct.OpenConnectionAsync();
        await TxDatabase.EnsureCountersAsync(connection);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _direct.DisposeAsync();
        await _pooled.DisposeAsync();
    }

    private int NextId() => _next = _next % TxDatabase.Counters + 1;

    [Benchmark(Baseline = true, Description = "Direct: hand-written Begin/Commit")]
    public Task<int> Direct_HandWritten() => Scopes.HandWrittenAsync(_direct, NextId(), default);

    [Benchmark(Description = "Direct: InTransactionAsync, state + result")]
    public Task<int> Direct_Scope() => Scopes.ScopeStateResultAsync(_direct, NextId(), default);

    [Benchmark(Description = "PgBouncer: hand-written Begin/Commit")]
    public Task<int> PgBouncer_HandWritten() => Scopes.HandWrittenAsync(_pooled, NextId(), default);

    [Benchmark(Description = "PgBouncer: InTransactionAsync, state + result")]
    public Task<int> PgBouncer_Scope() => Scopes.ScopeStateResultAsync(_pooled, NextId(), default);
}
