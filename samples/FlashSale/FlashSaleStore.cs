using System;
using System.Collections.Generic;
using System.Data;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.FlashSale;

/// <summary>How a purchase ended.</summary>
public enum PurchaseOutcome
{
    /// <summary>One unit was taken from the stock and the buyer was charged once.</summary>
    Bought,

    /// <summary>No unit was left: nothing changed.</summary>
    SoldOut,

    /// <summary>The buyer already has this product (a double click, a retried request): nothing changed.</summary>
    AlreadyBought,
}

/// <summary>The outcome of a purchase, and the sale when there was one.</summary>
public sealed record Purchase(PurchaseOutcome Outcome, int ProductId, int BuyerId, long? SaleId = null);

/// <summary>What the tables say after a sale, and whether the invariants hold.</summary>
public sealed record FlashSaleAudit(Product Product, long Sold, long DistinctBuyers, int MaxSalesPerBuyer)
{
    /// <summary>Stock never below zero; sold + remaining = initial; no buyer charged twice.</summary>
    public IReadOnlyList<string> Violations()
    {
        var violations = new List<string>();
        if (Product.Stock < 0)
            violations.Add($"stock of product {Product.Id} is {Product.Stock}, below zero");
        if (Sold + Product.Stock != Product.InitialStock)
            violations.Add($"sold {Sold} + remaining {Product.Stock} != initial {Product.InitialStock}");
        if (MaxSalesPerBuyer > 1 || DistinctBuyers != Sold)
            violations.Add($"a buyer was charged more than once ({Sold} sales, {DistinctBuyers} buyers)");
        return violations;
    }
}

/// <summary>
/// The flash sale: every buyer tries to take one unit of a product whose stock is small.
/// </summary>
/// <remarks>
/// <para>
/// A purchase is one short READ COMMITTED transaction (the runtime's scope) of two statements:
/// </para>
/// <list type="number">
/// <item><c>UPDATE products SET stock = stock - 1 WHERE id = $1 AND stock &gt; 0 RETURNING price</c>: the
/// check and the decrement are ONE statement. The row lock it takes makes concurrent buyers of the
/// same product queue; when a waiting buyer gets the lock, PostgreSQL re-evaluates <c>stock &gt; 0</c>
/// on the newest version of the row (READ COMMITTED's EvalPlanQual), so the last unit is sold once
/// and the stock never goes below zero. No row back means sold out: nothing was changed.</item>
/// <item><c>INSERT INTO sales ... ON CONFLICT (product_id, buyer_id) DO NOTHING</c>: the charge. If the
/// buyer already has a sale (a second click), no row is inserted; the purchase then throws, so the
/// scope rolls back the decrement, and <see cref="BuyAsync(int, int, CancellationToken)"/> reports
/// <see cref="PurchaseOutcome.AlreadyBought"/>.</item>
/// </list>
/// <para>
/// The wrong ways, which the analyzers flag: reading the stock with a plain SELECT and writing
/// <c>stock = @newValue</c> (a lost update, PGB107), or holding the row lock while calling the payment
/// provider (PGB101). Charge the card after the commit, from the sale row.
/// </para>
/// </remarks>
public sealed class FlashSaleStore
{
    /// <summary>READ COMMITTED: the atomic UPDATE needs no stronger isolation, and never fails with 40001.</summary>
    public static readonly PgTransactionOptions PurchaseOptions = PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.ReadCommitted };

    private readonly NpgsqlDataSource _dataSource;
    private readonly int? _lockTimeoutMilliseconds;

    /// <param name="dataSource">Where the products and sales are.</param>
    /// <param name="lockTimeout">
    /// How long a buyer may queue for a product's row lock before giving up with
    /// <see cref="PostgresException"/> 55P03 (lock_not_available); null to wait as long as it takes.
    /// In a flash sale, failing fast ("try again") beats a request that hangs behind a thousand others.
    /// </param>
    public FlashSaleStore(NpgsqlDataSource dataSource, TimeSpan? lockTimeout = null)
    {
        _dataSource = dataSource;
        _lockTimeoutMilliseconds = lockTimeout is { } timeout ? (int)Math.Max(1, timeout.TotalMilliseconds) : null;
    }

    /// <summary>The buyer tries to buy one unit of the product.</summary>
    /// <exception cref="PostgresException">55P03 when a lock timeout was set and the product stayed locked longer.</exception>
    public async Task<Purchase> BuyAsync(int productId, int buyerId, CancellationToken cancellationToken)
    {
        try
        {
            return await _dataSource.InTransactionAsync(
                PurchaseOptions, (Store: this, productId, buyerId),
                static (tx, s, ct) => s.Store.BuyAsync(tx, s.productId, s.buyerId, ct),
                cancellationToken);
        }
        catch (AlreadyBoughtException)
        {
            // The scope rolled the decrement back: the buyer keeps the unit they already had, and no other.
            return new Purchase(PurchaseOutcome.AlreadyBought, productId, buyerId);
        }
    }

    /// <summary>
    /// The purchase itself, in a transaction the caller owns (a scope's body). Throws
    /// <see cref="AlreadyBoughtException"/> when the buyer already has the product, after the
    /// decrement: the caller must roll back then (a scope does, because the body throws).
    /// </summary>
    public async Task<Purchase> BuyAsync(PgTx tx, int productId, int buyerId, CancellationToken cancellationToken)
    {
        if (_lockTimeoutMilliseconds is { } milliseconds)
            await tx.ExecuteAsync($"SELECT set_config('lock_timeout', {milliseconds + "ms"}, true)", cancellationToken); // SET LOCAL

        var price = await tx.ExecuteScalarAsync<int?>(
            $"UPDATE products SET stock = stock - 1 WHERE id = {productId} AND stock > 0 RETURNING price", cancellationToken);
        if (price is null)
            return new Purchase(PurchaseOutcome.SoldOut, productId, buyerId);

        var saleId = await tx.ExecuteScalarAsync<long?>($"""
            INSERT INTO sales (product_id, buyer_id, price) VALUES ({productId}, {buyerId}, {price.Value})
            ON CONFLICT (product_id, buyer_id) DO NOTHING
            RETURNING id
            """, cancellationToken);
        if (saleId is null)
            throw new AlreadyBoughtException(productId, buyerId);

        return new Purchase(PurchaseOutcome.Bought, productId, buyerId, saleId);
    }

    /// <summary>Reads the product and its sales (committed data, one statement each) and checks the invariants.</summary>
    public async Task<FlashSaleAudit> AuditAsync(int productId, CancellationToken cancellationToken)
    {
        // REPEATABLE READ, read only: both reads see the same snapshot, and it can never fail with 40001.
        var options = PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.RepeatableRead, ReadOnly = true };
        return await _dataSource.InTransactionAsync(options, productId, static async (tx, id, ct) =>
        {
            var product = await tx.QuerySingleAsync<Product>(
                $"SELECT id, name, price, initial_stock, stock FROM products WHERE id = {id}", ct);
            var sales = await tx.QueryAsync<Sale>(
                $"SELECT id, product_id, buyer_id, price FROM sales WHERE product_id = {id} ORDER BY id", ct);
            var perBuyer = sales.GroupBy(s => s.BuyerId).Select(g => g.Count()).DefaultIfEmpty(0).Max();
            return new FlashSaleAudit(product, sales.Count, sales.Select(s => s.BuyerId).Distinct().LongCount(), perBuyer);
        }, cancellationToken);
    }
}

/// <summary>The buyer already has one unit of this product; thrown inside the transaction so that it rolls back.</summary>
public sealed class AlreadyBoughtException : Exception
{
    public AlreadyBoughtException(int productId, int buyerId)
        : base($"Buyer {buyerId} already bought product {productId}.")
    {
        ProductId = productId;
        BuyerId = buyerId;
    }

    public int ProductId { get; }

    public int BuyerId { get; }
}
