using System;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace PgBorrow.Benchmarks.Queries;

/// <summary>
/// Modes (the database ones run through ci/with-postgres.sh, which sets PG_CONNECTION_STRING):
/// <list type="bullet">
/// <item><c>verify</c>: [PgQuery] and hand-written code read the same values.</item>
/// <item><c>calls [BDN args]</c>: BenchmarkDotNet, [PgQuery] against hand-written ADO.NET.</item>
/// <item><c>paired [rounds]</c>: the same calls, the two contenders interleaved round by round (robust to changing load).</item>
/// <item><c>prepare [statements] [repeats]</c>: <c>pgborrow prepare</c> on that many statements, cold, warm and <c>--check</c>.</item>
/// <item><c>offline-cost [statements] [rounds]</c>: the analyzers on that many [PgQuery] methods, with and without their statement files.</item>
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
            case "paired":
                return await Paired.RunAsync(Argument(rest, 0, 30));
            case "prepare":
                return await PrepareTime.RunAsync(Argument(rest, 0, 500), Argument(rest, 1, 3));
            case "offline-cost":
                return await OfflineCheckCost.RunAsync(Argument(rest, 0, 500), Argument(rest, 1, 10));
            case "calls":
                BenchmarkRunner.Run<CallBenchmarks>(
                    DefaultConfig.Instance
                        .AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(15).WithLaunchCount(1).WithToolchain(InProcessEmitToolchain.Instance).AsDefault())
                        .AddColumn(StatisticColumn.Median)
                        .WithSummaryStyle(BenchmarkDotNet.Reports.SummaryStyle.Default.WithRatioStyle(RatioStyle.Value)),
                    rest);
                return 0;
            default:
                Console.Error.WriteLine("usage: Queries.Benchmarks verify | calls [BDN args] | paired [rounds] | prepare [statements] [repeats] | offline-cost [statements] [rounds]");
                return 2;
        }
    }

    private static int Argument(string[] args, int index, int fallback)
        => args.Length > index ? int.Parse(args[index], CultureInfo.InvariantCulture) : fallback;
}
