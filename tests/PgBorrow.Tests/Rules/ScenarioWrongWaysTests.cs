using System.Threading.Tasks;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// The tempting wrong ways of the four scenario samples (samples/FlashSale, BankTransfer, Reconciliation,
/// OrderOutbox; docs/guide/scenarios.md), with every PGB rule running: each is flagged by the rule named,
/// and by nothing else. The samples themselves hold the right ways and build with no diagnostic.
/// </summary>
public class ScenarioWrongWaysTests
{
    [Fact]
    public Task FlashSale_reading_the_stock_and_writing_it_back_is_a_lost_update()
        => VerifyAllRules.AnalyzerAsync("""
            class FlashSale
            {
                async Task<bool> BuyAsync(NpgsqlDataSource dataSource, int productId, CancellationToken ct)
                {
                    await using var connection = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await connection.BeginTransactionAsync(ct);
                    await using var read = new NpgsqlCommand("SELECT stock FROM products WHERE id = $1", connection, tx);
                    read.Parameters.AddWithValue(productId);
                    var stock = (int)(await read.ExecuteScalarAsync(ct))!;
                    if (stock == 0)
                        return false;
                    await using var write = new NpgsqlCommand("UPDATE products SET stock = $2 WHERE id = $1", connection, tx);
                    write.Parameters.AddWithValue(productId);
                    write.Parameters.AddWithValue(stock - 1); // two buyers read 1, both write 0: two sales, one unit
                    await {|PGB107:write.ExecuteNonQueryAsync(ct)|};
                    await tx.CommitAsync(ct);
                    return true;
                }
            }
            """);

    [Fact]
    public Task FlashSale_charging_the_card_while_the_product_row_is_locked_holds_every_buyer_up()
        => VerifyAllRules.AnalyzerAsync("""
            class FlashSale
            {
                readonly System.Net.Http.HttpClient _payments = new();

                async Task BuyAsync(NpgsqlDataSource dataSource, int productId, int buyerId, CancellationToken ct)
                {
                    await using var connection = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await connection.BeginTransactionAsync(ct);
                    await using var take = new NpgsqlCommand("UPDATE products SET stock = stock - 1 WHERE id = $1 AND stock > 0", connection, tx);
                    take.Parameters.AddWithValue(productId);
                    await take.ExecuteNonQueryAsync(ct);
                    {|PGB101:await _payments.PostAsync("https://payments.example/charge", null, ct)|}; // every other buyer waits for this call
                    await using var sale = new NpgsqlCommand("INSERT INTO sales (product_id, buyer_id) VALUES ($1, $2)", connection, tx);
                    sale.Parameters.AddWithValue(productId);
                    sale.Parameters.AddWithValue(buyerId);
                    await sale.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task FlashSale_charging_the_card_inside_a_scope_body_charges_again_on_every_retry()
        => VerifyAllRules.AnalyzerAsync("""
            class FlashSale
            {
                readonly System.Net.Http.HttpClient _payments = new();

                // Two problems at one await: PGB101 (the product row locked through the PgTx is held across
                // the call) and PGB108 (a retry charges the card again).
                Task BuyAsync(NpgsqlDataSource dataSource, int productId, int buyerId, CancellationToken ct)
                    => dataSource.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE products SET stock = stock - 1 WHERE id = {productId} AND stock > 0", token);
                        {|PGB101:await {|PGB108:_payments.PostAsync("https://payments.example/charge", null, token)|}|};
                        await tx.ExecuteAsync($"INSERT INTO sales (product_id, buyer_id) VALUES ({productId}, {buyerId})", token);
                    }, ct);
            }
            """);

    [Fact]
    public Task BankTransfer_serializable_without_a_retry_fails_under_load()
        => VerifyAllRules.AnalyzerAsync("""
            class Bank
            {
                async Task TransferAsync(NpgsqlDataSource dataSource, int from, int to, long amount, CancellationToken ct)
                {
                    await using var connection = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await {|PGB106:connection.BeginTransactionAsync(IsolationLevel.Serializable, ct)|};
                    await using var debit = new NpgsqlCommand("UPDATE accounts SET balance = balance - $2 WHERE id = $1", connection, tx);
                    debit.Parameters.AddWithValue(from);
                    debit.Parameters.AddWithValue(amount);
                    await debit.ExecuteNonQueryAsync(ct);
                    await using var credit = new NpgsqlCommand("UPDATE accounts SET balance = balance + $2 WHERE id = $1", connection, tx);
                    credit.Parameters.AddWithValue(to);
                    credit.Parameters.AddWithValue(amount);
                    await credit.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct); // 40001 here (or above) reaches the caller as a failed transfer
                }
            }
            """);

    [Fact]
    public Task Reconciliation_sharing_one_connection_between_parallel_readers_is_concurrent_use()
        => VerifyAllRules.AnalyzerAsync("""
            using System.Linq;
            class Reconciler
            {
                // "One connection, so one snapshot": but a connection runs one command at a time.
                async Task<long> SumAsync(NpgsqlConnection connection, (int First, int Last)[] ranges, CancellationToken ct)
                {
                    var partials = ranges.Select(async range =>
                    {
                        await using var command = new NpgsqlCommand("SELECT coalesce(sum(balance), 0)::bigint FROM accounts WHERE id BETWEEN $1 AND $2", connection);
                        command.Parameters.AddWithValue(range.First);
                        command.Parameters.AddWithValue(range.Last);
                        return (long)(await command.ExecuteScalarAsync(ct))!;
                    });
                    return (await {|PGB104:Task.WhenAll(partials)|}).Sum();
                }
            }
            """);

    [Fact]
    public Task OrderOutbox_publishing_from_inside_the_order_transaction_announces_rolled_back_and_retried_orders()
        => VerifyAllRules.AnalyzerAsync("""
            class Orders
            {
                readonly System.Net.Http.HttpClient _broker = new();

                Task PlaceAsync(NpgsqlDataSource dataSource, string customer, long totalCents, CancellationToken ct)
                    => dataSource.InTransactionAsync(async (tx, token) =>
                    {
                        var orderId = await tx.ExecuteScalarAsync<long>($"INSERT INTO orders (customer, total_cents) VALUES ({customer}, {totalCents}) RETURNING id", token);
                        // PGB108 (a retried or rolled-back order is announced anyway) and PGB101 (the inserted
                        // order row is locked until the scope commits, across the broker call).
                        {|PGB101:await {|PGB108:_broker.PostAsync($"https://broker.example/orders/{orderId}", null, token)|}|};
                    }, ct);
            }
            """);
}
