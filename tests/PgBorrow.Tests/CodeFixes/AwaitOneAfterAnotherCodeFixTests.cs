using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class AwaitOneAfterAnotherCodeFixTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<AwaitOneAfterAnotherCodeFixTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<AwaitOneAfterAnotherCodeFixTests>(name);

    static CodeFixCase WhenAll_statement_becomes_sequential_awaits
        => CodeFixCase.Of<ConnectionUsedConcurrentlyAnalyzer, AwaitOneAfterAnotherCodeFix>("""
            class Dashboard
            {
                async Task RefreshAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("REFRESH MATERIALIZED VIEW order_totals", conn);
                    await using var customers = new NpgsqlCommand("REFRESH MATERIALIZED VIEW customer_totals", conn);
                    await {|PGB104:Task.WhenAll(orders.ExecuteNonQueryAsync(ct), customers.ExecuteNonQueryAsync(ct))|};
                }
            }
            """, """
            class Dashboard
            {
                async Task RefreshAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("REFRESH MATERIALIZED VIEW order_totals", conn);
                    await using var customers = new NpgsqlCommand("REFRESH MATERIALIZED VIEW customer_totals", conn);
                    await orders.ExecuteNonQueryAsync(ct);
                    await customers.ExecuteNonQueryAsync(ct);
                }
            }
            """);

    static CodeFixCase No_fix_when_the_results_are_used
        => CodeFixCase.Of<ConnectionUsedConcurrentlyAnalyzer, AwaitOneAfterAnotherCodeFix>("""
            class Dashboard
            {
                async Task<object?[]> LoadAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    await using var customers = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    return await {|PGB104:Task.WhenAll(orders.ExecuteScalarAsync(ct), customers.ExecuteScalarAsync(ct))|};
                }
            }
            """, """
            class Dashboard
            {
                async Task<object?[]> LoadAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    await using var customers = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    return await {|PGB104:Task.WhenAll(orders.ExecuteScalarAsync(ct), customers.ExecuteScalarAsync(ct))|};
                }
            }
            """);
}
