using System;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.FlashSale;

/// <summary>Runs a whole sale: every buyer clicks "buy" at the same moment, some of them twice.</summary>
public static class FlashSaleSimulation
{
    /// <summary>The counts of a finished sale, by outcome.</summary>
    public sealed record Result(int Requests, int Bought, int SoldOut, int AlreadyBought, FlashSaleAudit Audit);

    /// <summary>
    /// <paramref name="buyers"/> buyers (the first <paramref name="doubleClickers"/> of them send their
    /// request twice) try to buy one unit of product 1, of which there are <paramref name="stock"/>,
    /// all at once: each request is its own task with its own pooled connection.
    /// </summary>
    public static async Task<Result> RunAsync(NpgsqlDataSource dataSource, int buyers, int doubleClickers, int stock, CancellationToken cancellationToken)
    {
        const int productId = 1;
        await FlashSaleDatabase.ResetAsync(dataSource, productId, "Limited edition sneakers", 120, stock, cancellationToken);
        var store = new FlashSaleStore(dataSource);

        // A start gate, so that the requests really race instead of trickling in as the tasks are created.
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = Enumerable.Range(1, buyers).Concat(Enumerable.Range(1, doubleClickers))
            .Select(async buyerId =>
            {
                await gate.Task;
                return await store.BuyAsync(productId, buyerId, cancellationToken);
            })
            .ToList();
        gate.SetResult();
        var purchases = await Task.WhenAll(requests);

        return new Result(
            purchases.Length,
            purchases.Count(p => p.Outcome == PurchaseOutcome.Bought),
            purchases.Count(p => p.Outcome == PurchaseOutcome.SoldOut),
            purchases.Count(p => p.Outcome == PurchaseOutcome.AlreadyBought),
            await store.AuditAsync(productId, cancellationToken));
    }

    /// <summary>Prints a result and its invariant check; returns false when an invariant is broken.</summary>
    public static bool Report(Result result, TextWriter output)
    {
        var product = result.Audit.Product;
        output.WriteLine($"{result.Requests} requests for {product.InitialStock} x {product.Name}: "
            + $"{result.Bought} bought, {result.SoldOut} sold out, {result.AlreadyBought} double clicks refused.");
        output.WriteLine($"Stock left: {product.Stock}; sales recorded: {result.Audit.Sold}, by {result.Audit.DistinctBuyers} distinct buyers.");
        var violations = result.Audit.Violations();
        foreach (var violation in violations)
            output.WriteLine("INVARIANT BROKEN: " + violation);
        if (violations.Count == 0)
            output.WriteLine("Invariants hold: stock >= 0, sold + remaining = initial, nobody charged twice.");
        return violations.Count == 0;
    }
}
