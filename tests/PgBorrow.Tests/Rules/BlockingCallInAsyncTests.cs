using System.Threading.Tasks;
using Xunit;
using VerifyPgb005 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.BlockingCallInAsyncAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class BlockingCallInAsyncTests
{
    [Fact]
    public Task Sync_calls_in_async_method_are_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                async Task<int> PlaceAsync(NpgsqlDataSource dataSource)
                {
                    await using var conn = dataSource.CreateConnection();
                    {|PGB005:conn.Open()|};
                    await using var tx = conn.BeginTransaction();      // no I/O in Npgsql: not reported
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                    var count = (int)({|PGB005:cmd.ExecuteScalar()|})!;
                    {|PGB005:tx.Commit()|};
                    return count;
                }
            }
            """);

    [Fact]
    public Task Sync_using_whose_dispose_does_io_in_async_code_is_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                async Task ReadAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    using var conn = await dataSource.OpenConnectionAsync(ct);     // nothing open on it when disposed
                    using (var tx = await conn.BeginTransactionAsync(ct))          // committed on every normal path
                    {
                        using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                        {|PGB005:using|} var reader = await cmd.ExecuteReaderAsync(ct);   // left with rows unread
                        while (await reader.ReadAsync(ct))
                            if (reader.GetInt32(0) == 0)
                                break;
                        await tx.CommitAsync(ct);
                    }
                }
            }
            """);

    [Fact]
    public Task Sync_code_and_async_calls_are_fine()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                void Sync(NpgsqlConnection conn)
                {
                    conn.Open();
                    using var tx = conn.BeginTransaction();
                    tx.Commit();
                }

                async Task Async(NpgsqlConnection conn, CancellationToken ct)
                {
                    await conn.OpenAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    Action later = () => tx.Commit();
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Async_lambda_is_async_code()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                Func<NpgsqlConnection, Task> Work = async conn =>
                {
                    await Task.Yield();
                    {|PGB005:conn.Open()|};
                };
            }
            """);
}
