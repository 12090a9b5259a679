using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace PgBorrow.Benchmarks.Rows;

/// <summary>
/// Modes (run through ci/with-postgres.sh, which sets PG_CONNECTION_STRING):
/// <list type="bullet">
/// <item><c>verify</c>: every contender reads the same rows; Dapper.AOT really intercepts.</item>
/// <item><c>read [BDN args]</c>: the row-reading benchmarks.</item>
/// <item><c>insert [BDN args]</c>: the 100,000-row bulk-insert benchmarks.</item>
/// <item><c>batch [BDN args]</c>: three statements in three round trips against one QueryMultipleAsync batch.</item>
/// <item><c>paired [rounds]</c>: the read benchmarks again, contenders interleaved round by round (robust to changing load).</item>
/// <item><c>map-probe [passes]</c>: the mapping alone, contenders taking turns on every row of one result.</item>
/// <item><c>alloc-probe</c>: bytes allocated by the generated GetOrdinals and Read, next to hand-written mapping.</item>
/// <item><c>cold-all [N]</c>: N fresh processes per contender, each timing its first query (default 10).</item>
/// <item><c>cold &lt;hand|dapper|dapperaot|pgborrow&gt;</c>: one such process.</item>
/// </list>
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var mode = args.Length > 0 ? args[0] : "";
        var rest = args.Skip(1).ToArray();
        switch (mode)
        {
            case "verify":
                return await Verify.RunAsync();
            case "cold" when rest.Length == 1:
                return await ColdStart.RunOneAsync(rest[0]);
            case "paired":
                return await Paired.RunAsync(rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 30);
            case "map-probe":
                return await MappingProbe.RunAsync(rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 10);
            case "alloc-probe":
                return await AllocationProbe.RunAsync();
            case "cold-all":
                return await ColdStart.RunAllAsync(rest.Length > 0 ? int.Parse(rest[0], CultureInfo.InvariantCulture) : 10);
            case "read":
                BenchmarkRunner.Run<ReadBenchmarks>(Config(Job.Default.WithWarmupCount(3).WithIterationCount(10)), rest);
                return 0;
            case "batch":
                BenchmarkRunner.Run<BatchBenchmarks>(Config(Job.Default.WithWarmupCount(3).WithIterationCount(10)), rest);
                return 0;
            case "insert":
                // Each operation takes a second or more: no pilot stage, one invocation per iteration.
                BenchmarkRunner.Run<InsertBenchmarks>(
                    Config(Job.Default.WithStrategy(RunStrategy.Monitoring).WithWarmupCount(1).WithIterationCount(5)), rest);
                return 0;
            default:
                Console.Error.WriteLine("usage: Rows.Benchmarks verify | read [BDN args] | batch [BDN args] | paired [rounds] | map-probe [passes] | alloc-probe | insert [BDN args] | cold-all [N] | cold <hand|dapper|dapperaot|pgborrow>");
                return 2;
        }
    }

    private static IConfig Config(Job job)
        => DefaultConfig.Instance
            .AddJob(job.WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance).AsDefault())
            .AddColumn(StatisticColumn.Median)
            .HideColumns(Column.Error)
            .WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Trend));
}
