using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class UseAsyncOverloadCodeFixTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<UseAsyncOverloadCodeFixTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<UseAsyncOverloadCodeFixTests>(name);

    static CodeFixCase Sync_calls_become_awaited_async_calls_with_the_token_in_scope
        => CodeFixCase.Of<BlockingCallInAsyncAnalyzer, UseAsyncOverloadCodeFix>("""
            class Orders
            {
                async Task<long> CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    {|PGB005:conn.Open()|};
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    return (long)({|PGB005:cmd.ExecuteScalar()|})!;
                }
            }
            """, """
            class Orders
            {
                async Task<long> CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await conn.OpenAsync(ct);
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    return (long)(await cmd.ExecuteScalarAsync(ct))!;
                }
            }
            """);

    static CodeFixCase Sync_using_becomes_await_using
        => CodeFixCase.Of<BlockingCallInAsyncAnalyzer, UseAsyncOverloadCodeFix>("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, bool skip)
                {
                    {|PGB005:using|} var tx = await conn.BeginTransactionAsync();
                    {|PGB005:using|} (var other = await conn.BeginTransactionAsync()) { }
                    if (skip)
                        return;
                    await tx.CommitAsync();
                }
            }
            """, """
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, bool skip)
                {
                    await using var tx = await conn.BeginTransactionAsync();
                    await using (var other = await conn.BeginTransactionAsync()) { }
                    if (skip)
                        return;
                    await tx.CommitAsync();
                }
            }
            """);
}
