using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class MoveSideEffectAfterScopeCodeFixTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<MoveSideEffectAfterScopeCodeFixTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<MoveSideEffectAfterScopeCodeFixTests>(name);

    static CodeFixCase Last_statement_moves_after_the_scope_with_the_scope_token
        => CodeFixCase.Of<SideEffectInRetriedBodyAnalyzer, MoveSideEffectAfterScopeCodeFix>("""
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                async Task ShipAsync(NpgsqlDataSource ds, int id, CancellationToken ct)
                {
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token);
                        await {|PGB108:_http.PostAsync("https://shipping.example/orders", null, token)|};
                    }, ct);
                    Console.WriteLine("done");
                }
            }
            """, """
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                async Task ShipAsync(NpgsqlDataSource ds, int id, CancellationToken ct)
                {
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token);
                    }, ct);
                    await _http.PostAsync("https://shipping.example/orders", null, ct);
                    Console.WriteLine("done");
                }
            }
            """);

    static CodeFixCase Trailing_side_effects_move_together_in_order
        => CodeFixCase.Of<SideEffectInRetriedBodyAnalyzer, MoveSideEffectAfterScopeCodeFix>("""
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                int _shipped;
                async Task ShipAgainAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        {|PGB108:_shipped++|};
                        await {|PGB108:_http.PostAsync("https://shipping.example/orders", null, ct)|}.ConfigureAwait(false);
                    }, ct);
                }
            }
            """, """
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                int _shipped;
                async Task ShipAgainAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                    }, ct);
                    _shipped++;
                    await _http.PostAsync("https://shipping.example/orders", null, ct).ConfigureAwait(false);
                }
            }
            """);

    static CodeFixCase No_fix_when_the_side_effect_uses_a_local_of_the_body_or_is_not_last
        => CodeFixCase.Of<SideEffectInRetriedBodyAnalyzer, MoveSideEffectAfterScopeCodeFix>("""
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                Task<int> ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        var id = await tx.ExecuteScalarAsync<int>($"SELECT id FROM orders LIMIT 1", token);
                        await {|PGB108:_http.PostAsync("https://shipping.example/orders/" + id, null, token)|};
                        return id;
                    }, ct);

                Task NotAwaitedAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        await {|PGB108:_http.PostAsync("https://shipping.example/orders", null, ct)|};
                    }, ct);

                async Task UsesLocalAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        var id = await tx.ExecuteScalarAsync<int>($"SELECT id FROM orders LIMIT 1", token);
                        await {|PGB108:_http.PostAsync("https://shipping.example/orders/" + id, null, token)|};
                    }, ct);
                }
            }
            """, """
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                Task<int> ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        var id = await tx.ExecuteScalarAsync<int>($"SELECT id FROM orders LIMIT 1", token);
                        await {|PGB108:_http.PostAsync("https://shipping.example/orders/" + id, null, token)|};
                        return id;
                    }, ct);

                Task NotAwaitedAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        await {|PGB108:_http.PostAsync("https://shipping.example/orders", null, ct)|};
                    }, ct);

                async Task UsesLocalAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        var id = await tx.ExecuteScalarAsync<int>($"SELECT id FROM orders LIMIT 1", token);
                        await {|PGB108:_http.PostAsync("https://shipping.example/orders/" + id, null, token)|};
                    }, ct);
                }
            }
            """);
}
