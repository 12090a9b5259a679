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

    // Dotmim.Sync efec8ebf: DisposeAsync of a runner disposed its (possibly pending) transaction with Dispose().
    [Fact]
    public Task Sync_dispose_of_a_transaction_member_that_may_be_pending_is_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Runner : IAsyncDisposable
            {
                public System.Data.Common.DbTransaction? Transaction { get; set; }
                NpgsqlTransaction? _transaction;
                public bool AlreadyInTransaction { get; set; }

                public async ValueTask DisposeAsync()
                {
                    if (!AlreadyInTransaction && Transaction != null)
                    {
                        {|#0:this.Transaction.Dispose()|};
                        Transaction = null;
                    }
                    _transaction?{|#1:.Dispose()|};
                    await Task.Yield();
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("'Dispose'", "'this.Transaction' may still be pending here (nothing in this method commits or rolls it back first), and its Dispose sends ROLLBACK; call 'DisposeAsync' and await it"),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("'Dispose'", "'_transaction' may still be pending here (nothing in this method commits or rolls it back first), and its Dispose sends ROLLBACK; call 'DisposeAsync' and await it"));

    // NServiceBus 8ac72364 (fixed code and its neighbours): committed first, or disposed in sync code.
    [Fact]
    public Task Sync_dispose_of_a_transaction_member_after_commit_or_outside_async_code_is_fine()
        => VerifyPgb005.AnalyzerAsync("""
            class Session : IDisposable
            {
                public System.Data.Common.DbTransaction? Transaction { get; set; }
                System.Data.IDbTransaction? _legacy;

                public async Task CompleteAsync(CancellationToken ct)
                {
                    await Transaction!.CommitAsync(ct);
                    Transaction.Dispose();
                }

                public async Task AbortAsync(CancellationToken ct)
                {
                    Transaction?.Rollback();
                    Transaction?.Dispose();
                    await Task.Yield();
                }

                public async Task LegacyAsync()
                {
                    _legacy?.Dispose(); // IDbTransaction has no DisposeAsync
                    await Task.Yield();
                }

                public void Dispose()
                {
                    Transaction?.Dispose();
                }
            }
            """.Replace("Transaction?.Rollback();", "Transaction?{|PGB005:.Rollback()|};"));
}
