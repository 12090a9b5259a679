using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.BankTransfer;

/// <summary>Many clerks moving money between a few accounts at once, while an auditor keeps adding the balances up.</summary>
public static class BankSimulation
{
    /// <summary>What happened: the outcome of every transfer id, every total the auditor saw, and the final audit.</summary>
    public sealed record Result(
        IReadOnlyList<TransferResult> Transfers, int DuplicatesSent, IReadOnlyList<long> TotalsSeen, long ExpectedTotal, BankAudit Audit)
    {
        public int Applied => Transfers.Count(t => t.Status == TransferStatus.Applied);

        public int Rejected => Transfers.Count(t => t.Status == TransferStatus.Rejected);

        public int Failed => Transfers.Count(t => t.Status == TransferStatus.Failed);

        public int Retried => Transfers.Count(t => t.Attempts > 1);
    }

    /// <summary>
    /// <paramref name="workers"/> tasks each send <paramref name="transfersPerWorker"/> random transfers
    /// between <paramref name="accounts"/> accounts; every fifth transfer is sent a second time at once
    /// from another task (a client retrying), with the same id. Meanwhile an auditor reads the total.
    /// </summary>
    public static async Task<Result> RunAsync(
        NpgsqlDataSource dataSource, int accounts, long initialBalance, int workers, int transfersPerWorker, int maxAttempts, int seed,
        CancellationToken cancellationToken)
    {
        await BankDatabase.ResetAsync(dataSource, accounts, initialBalance, cancellationToken);
        var bank = new Bank(dataSource, maxAttempts);
        var random = new Random(seed);
        var plans = Enumerable.Range(0, workers)
            .Select(_ => Enumerable.Range(0, transfersPerWorker).Select(_ =>
            {
                var from = random.Next(1, accounts + 1);
                var to = random.Next(1, accounts); // any other account
                if (to >= from)
                    to++;
                return (Id: Guid.NewGuid(), From: from, To: to, Amount: (long)random.Next(1, (int)Math.Max(2, initialBalance / 2)));
            }).ToList())
            .ToList();
        var duplicates = plans.SelectMany(p => p).Where((_, i) => i % 5 == 0).ToList();

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stopAuditor = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var totalsSeen = new List<long>();
        var auditor = Task.Run(async () =>
        {
            await gate.Task;
            while (!stopAuditor.IsCancellationRequested)
                totalsSeen.Add(await bank.TotalAsync(cancellationToken));
        }, CancellationToken.None);

        var workerTasks = plans.Select(async plan =>
        {
            await gate.Task;
            var results = new List<TransferResult>();
            foreach (var t in plan)
                results.Add(await bank.TransferAsync(t.Id, t.From, t.To, t.Amount, cancellationToken));
            return results;
        }).ToList();
        var duplicateTasks = duplicates.Select(async t =>
        {
            await gate.Task;
            return await bank.TransferAsync(t.Id, t.From, t.To, t.Amount, cancellationToken);
        }).ToList();

        gate.SetResult();
        var perWorker = await Task.WhenAll(workerTasks);
        var duplicateResults = await Task.WhenAll(duplicateTasks);
        await stopAuditor.CancelAsync();
        await auditor;

        // One final state per id: a duplicate must have got the same answer as the original.
        var byId = perWorker.SelectMany(r => r).ToDictionary(r => r.TransferId);
        foreach (var duplicate in duplicateResults)
        {
            if (byId[duplicate.TransferId].Status != duplicate.Status)
                throw new InvalidOperationException(
                    $"Transfer {duplicate.TransferId} was reported {byId[duplicate.TransferId].Status} and {duplicate.Status}.");
        }

        return new Result(byId.Values.ToList(), duplicates.Count, totalsSeen, accounts * initialBalance, await bank.AuditAsync(cancellationToken));
    }

    /// <summary>Prints a result and its invariant check; returns false when an invariant is broken.</summary>
    public static bool Report(Result result, TextWriter output)
    {
        var totals = result.Audit.Totals;
        output.WriteLine($"{result.Transfers.Count} transfers (+{result.DuplicatesSent} sent twice): "
            + $"{result.Applied} applied, {result.Rejected} rejected, {result.Failed} failed after retries; {result.Retried} needed more than one attempt.");
        output.WriteLine($"Recorded: {totals.Applied} applied, {totals.Rejected} rejected, {totals.Failed} failed. "
            + $"Total balance {totals.Total} (started at {totals.InitialTotal}); the auditor read it {result.TotalsSeen.Count} times during the run.");
        var violations = result.Audit.Violations().ToList();
        if (result.TotalsSeen.Any(t => t != result.ExpectedTotal))
            violations.Add($"the auditor saw a total other than {result.ExpectedTotal}");
        if (totals.Applied + totals.Rejected + totals.Failed != result.Transfers.Count)
            violations.Add($"{totals.Applied + totals.Rejected + totals.Failed} transfers recorded, {result.Transfers.Count} attempted");
        foreach (var violation in violations)
            output.WriteLine("INVARIANT BROKEN: " + violation);
        if (violations.Count == 0)
            output.WriteLine("Invariants hold: the total never changed, every transfer was applied once or reported, applied + rejected + failed = attempted.");
        return violations.Count == 0;
    }
}
