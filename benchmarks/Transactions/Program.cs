using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>
/// Modes (run through ci/with-postgres.sh, which sets PG_CONNECTION_STRING):
/// <list type="bullet">
/// <item><c>verify</c>: every contender commits exactly its update and sends the same statements.</item>
/// <item><c>scope [BDN args]</c>: BenchmarkDotNet, one-statement transactions, hand-written vs InTransactionAsync.</item>
/// <item><c>pooler [BDN args]</c>: BenchmarkDotNet, the same direct and through PgBouncer (PG_PGBOUNCER_CONNECTION_STRING) in one run.</item>
/// <item><c>paired [rounds] [transactions]</c>: the same, contenders interleaved round by round (robust to changing load).</item>
/// <item><c>interleaved [rounds]</c>: one transaction per contender per round, each timed alone; median latencies.</item>
/// <item><c>interleaved-pooler [rounds]</c>: the same on a data source, direct and through PgBouncer in the same rounds.</item>
/// <item><c>alloc-probe [transactions]</c>: exact bytes per transaction, and a sampled breakdown by type.</item>
/// <item><c>throughput [seconds] [rounds] [accounts] [workers...]</c>: bank transfers under contention.</item>
/// <item><c>throughput-pooler [seconds] [rounds] [accounts] [workers...]</c>: the same with InTransactionAsync, direct and through PgBouncer in the same rounds.</item>
/// </list>
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var mode = args.Length > 0 ? args[0] : "";
        var rest = args.Skip(1).ToArray();
        int Arg(int index, int fallback) => rest.Length > index ? int.Parse(rest[index], CultureInfo.InvariantCulture) : fallback;
        int[] WorkerCounts() => rest.Length > 3 ? rest.Skip(3).Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() : [8, 32];
        switch (mode)
        {
            case "verify":
                return await Verify.RunAsync();
            case "paired":
                return await Paired.RunAsync(Arg(0, 30), Arg(1, 100));
            case "interleaved":
                return await Interleaved.RunAsync(Arg(0, 3000));
            case "interleaved-pooler":
                return await Interleaved.RunPoolerAsync(Arg(0, 3000));
            case "alloc-probe":
                return await AllocationProbe.RunAsync(Arg(0, 5000));
            case "throughput":
                return await Throughput.RunAsync(TimeSpan.FromSeconds(Arg(0, 5)), Arg(1, 3), Arg(2, 10), WorkerCounts());
            case "throughput-pooler":
                return await Throughput.RunPoolerAsync(TimeSpan.FromSeconds(Arg(0, 5)), Arg(1, 3), Arg(2, 10), WorkerCounts());
            case "scope":
                // A fixed 200 transactions per iteration: on the busy machine the pilot stage chased the noise up
                // to 2,048 operations (2 s) per iteration, which made a run take minutes per benchmark.
                BenchmarkRunner.Run<ScopeBenchmarks>(ScopeJobConfig, rest);
                return 0;
            case "pooler":
                BenchmarkRunner.Run<PoolerBenchmarks>(ScopeJobConfig, rest);
                return 0;
            default:
                Console.Error.WriteLine("usage: Transactions.Benchmarks verify | scope [BDN args] | pooler [BDN args] | paired [rounds] [transactions] | interleaved [rounds] | interleaved-pooler [rounds] | alloc-probe [transactions] | throughput [seconds] [rounds] [accounts] [workers...] | throughput-pooler [seconds] [rounds] [accounts] [workers...]");
                return 2;
        }
    }

    private static IConfig ScopeJobConfig
        => Config(Job.Default.WithInvocationCount(200).WithUnrollFactor(1).WithWarmupCount(3).WithIterationCount(15));

    private static IConfig Config(Job job)
        => DefaultConfig.Instance
            .AddJob(job.WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance).AsDefault())
            .AddColumn(StatisticColumn.Median)
            .HideColumns(Column.Error)
            .WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
}
