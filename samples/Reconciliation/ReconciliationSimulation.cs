using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Reconciliation;

/// <summary>Writers move money the whole time while the reconciler runs round after round.</summary>
public static class ReconciliationSimulation
{
    /// <summary>Every round's report, with and without a shared snapshot, and how many moves committed meanwhile.</summary>
    public sealed record Result(
        long ExpectedTotal, int Accounts, IReadOnlyList<ReconciliationReport> WithSnapshot, IReadOnlyList<ReconciliationReport> WithoutSnapshot, long Moves);

    public static async Task<Result> RunAsync(
        NpgsqlDataSource dataSource, int accounts, long balance, int writers, int readers, int rounds, CancellationToken cancellationToken)
    {
        var ledger = new Ledger(dataSource);
        await ledger.ResetAsync(accounts, balance, cancellationToken);
        var reconciler = new Reconciler(dataSource);

        using var stopWriters = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var writing = ledger.RunWritersAsync(writers, accounts, seed: 42, stopWriters.Token);
        var withSnapshot = new List<ReconciliationReport>();
        var withoutSnapshot = new List<ReconciliationReport>();
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                withSnapshot.Add(await reconciler.ReconcileAsync(accounts, readers, cancellationToken));
                withoutSnapshot.Add(await reconciler.ReconcileWithoutSnapshotAsync(accounts, readers, cancellationToken));
            }
        }
        finally
        {
            await stopWriters.CancelAsync();
        }

        var moves = await writing;
        return new Result(accounts * balance, accounts, withSnapshot, withoutSnapshot, moves);
    }

    /// <summary>Prints a result and its invariant check; returns false when an invariant is broken.</summary>
    public static bool Report(Result result, TextWriter output)
    {
        var readers = result.WithSnapshot.Count > 0 ? result.WithSnapshot[0].Ranges.Count : 0;
        output.WriteLine($"{result.WithSnapshot.Count} rounds of {readers} parallel readers over {result.Accounts} accounts, "
            + $"while writers committed {result.Moves} moves. The books must always add up to {result.ExpectedTotal}.");
        var broken = 0;
        foreach (var report in result.WithSnapshot)
        {
            var violations = report.Violations(result.ExpectedTotal, result.Accounts);
            output.WriteLine($"  snapshot {report.SnapshotId}: partial sums {report.PartialSum}, single reader {report.SingleReaderTotal}"
                + (violations.Count == 0 ? "  ok" : "  INVARIANT BROKEN: " + string.Join("; ", violations)));
            broken += violations.Count;
        }

        var off = result.WithoutSnapshot.Where(r => r.PartialSum != result.ExpectedTotal).ToList();
        output.WriteLine($"Without a shared snapshot, the partial sums were off in {off.Count} of {result.WithoutSnapshot.Count} rounds"
            + (off.Count == 0 ? "." : $" (by up to {off.Max(r => Math.Abs(r.PartialSum - result.ExpectedTotal))}): money in flight counted twice or not at all."));
        if (broken == 0)
            output.WriteLine("Invariant holds: under one exported snapshot, the parallel readers' partial sums always add up to the constant total and agree with a single reader.");
        return broken == 0;
    }
}
