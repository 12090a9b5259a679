using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb101 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.LocksHeldAcrossAwaitAnalyzer>;
using VerifyPgb102 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionHeldAcrossAwaitAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class LocksHeldAcrossAwaitTests
{
    const string Shipping = """
        interface IShippingApi { Task<string> BookAsync(int orderId, CancellationToken ct); }

        """;

    [Fact]
    public Task For_update_then_http_call_before_commit_is_reported()
        => VerifyPgb101.AnalyzerAsync(Shipping + """
            class Orders
            {
                async Task ShipAsync(NpgsqlDataSource dataSource, IShippingApi shipping, int id, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var select = new NpgsqlCommand("SELECT status FROM orders WHERE id = $1 FOR UPDATE", conn, tx);
                    select.Parameters.AddWithValue(id);
                    await select.ExecuteScalarAsync(ct);
                    var label = {|#0:await shipping.BookAsync(id, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB101", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("tx", "SELECT ... FOR UPDATE on orders", 18, "IShippingApi.BookAsync"));

    [Fact]
    public Task Update_then_task_delay_is_reported_and_lock_sql_can_come_from_a_const_field()
        => VerifyPgb101.AnalyzerAsync("""
            class Stock
            {
                const string Reserve = "UPDATE stock SET reserved = reserved + 1 WHERE sku = @sku";

                async Task ReserveAsync(NpgsqlConnection conn, string sku, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = Reserve;
                    cmd.Parameters.AddWithValue("sku", sku);
                    await cmd.ExecuteNonQueryAsync(ct);
                    {|PGB101:await Task.Delay(100, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Database_work_commit_before_the_await_and_skip_locked_claims_are_fine()
        => VerifyPgb101.AnalyzerAsync(Shipping + """
            class Orders
            {
                static Task AuditAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int id) => Task.CompletedTask;

                async Task ShipAsync(NpgsqlDataSource dataSource, IShippingApi shipping, int id, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using (var tx = await conn.BeginTransactionAsync(ct))
                    {
                        await using var claim = new NpgsqlCommand("SELECT id FROM jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", conn, tx);
                        await claim.ExecuteScalarAsync(ct);
                        await AuditAsync(conn, tx, id);
                        await using var other = await dataSource.OpenConnectionAsync(ct);
                        await tx.CommitAsync(ct);
                    }
                    await shipping.BookAsync(id, ct);
                }
            }
            """);

    [Fact]
    public Task Configured_database_awaits_are_not_reported()
        => VerifyPgb101.AnalyzerAsync("""
            static class Outbox { public static Task PublishAsync(string topic) => Task.CompletedTask; }

            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("DELETE FROM orders WHERE shipped", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await Outbox.PublishAsync("orders.deleted");
                    await tx.CommitAsync(ct);
                }
            }
            """,
            "dotnet_code_quality.PGB101.database_awaits = Outbox.*");

    [Fact]
    public Task Read_only_transaction_across_an_await_is_PGB102_not_PGB101()
        => Task.WhenAll(
            VerifyPgb102.AnalyzerAsync(Shipping + """
                class Orders
                {
                    async Task<string> ReportAsync(NpgsqlConnection conn, IShippingApi shipping, CancellationToken ct)
                    {
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn, tx);
                        var count = (long)(await cmd.ExecuteScalarAsync(ct))!;
                        var label = {|PGB102:await shipping.BookAsync((int)count, ct)|};
                        await tx.CommitAsync(ct);
                        return label;
                    }
                }
                """),
            VerifyPgb101.AnalyzerAsync(Shipping + """
                class Orders
                {
                    async Task<string> ReportAsync(NpgsqlConnection conn, IShippingApi shipping, CancellationToken ct)
                    {
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn, tx);
                        var count = (long)(await cmd.ExecuteScalarAsync(ct))!;
                        var label = await shipping.BookAsync((int)count, ct);
                        await tx.CommitAsync(ct);
                        return label;
                    }
                }
                """));

    [Fact]
    public Task Await_before_the_first_statement_is_fine_because_nothing_was_sent()
        => VerifyPgb102.AnalyzerAsync(Shipping + """
            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, IShippingApi shipping, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var label = await shipping.BookAsync(1, ct);
                    await using var cmd = new NpgsqlCommand("UPDATE orders SET label = $1", conn, tx);
                    cmd.Parameters.AddWithValue(label);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Locks_taken_through_Dapper_count()
        => VerifyPgb101.AnalyzerAsync("using Dapper;\n" + Shipping + """
            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, IShippingApi shipping, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(@id)", new { id }, tx);
                    {|PGB101:await shipping.BookAsync(id, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);
}
