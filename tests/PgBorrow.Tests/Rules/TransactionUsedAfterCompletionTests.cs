using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb003 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionUsedAfterCompletionAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class TransactionUsedAfterCompletionTests
{
    [Fact]
    public Task Rollback_after_commit_is_reported_with_the_commit_line()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    tx.Commit();
                    {|#0:tx|}.Rollback();
                }
            }
            """,
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("tx", "'Rollback'", "committed", 14, "move the use before that, or begin a new transaction for it"));

    [Fact]
    public Task Second_commit_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await tx.CommitAsync(ct);
                    await {|PGB003:tx|}.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Command_executed_with_a_committed_transaction_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                    {|PGB003:cmd|}.ExecuteNonQuery();
                    using var late = new NpgsqlCommand("SELECT 1", conn, {|PGB003:tx|});
                }
            }
            """);

    [Fact]
    public Task Use_after_using_block_disposed_it_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    using (tx)
                    {
                        tx.Commit();
                    }
                    {|PGB003:tx|}.Rollback();
                }
            }
            """);

    [Fact]
    public Task Dispose_after_commit_and_uses_on_some_paths_only_are_fine()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, bool early)
                {
                    var tx = conn.BeginTransaction();
                    if (early)
                        tx.Commit();
                    using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                    tx.Dispose();
                }

                void Flag(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    var committed = false;
                    try
                    {
                        tx.Commit();
                        committed = true;
                    }
                    finally
                    {
                        if (!committed)
                            tx.Rollback();
                        tx.Dispose();
                    }
                }

                void Catch(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        tx.Commit();
                    }
                    catch
                    {
                        tx.Rollback();
                        throw;
                    }
                }
            }
            """);

    [Fact]
    public Task Borrowed_parameter_committed_twice_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Finish(NpgsqlTransaction tx)
                {
                    tx.Commit();
                    {|PGB003:tx|}.Commit();
                }
            }
            """);

    [Fact]
    public Task Use_after_commit_inside_a_lambda_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                Func<NpgsqlTransaction, Task> Work = async tx =>
                {
                    await tx.CommitAsync();
                    await {|PGB003:tx|}.RollbackAsync();
                };
            }
            """);

    [Fact]
    public Task Savepoints_are_uses_of_an_open_transaction()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    tx.Save("before_items");
                    tx.Rollback("before_items");
                    tx.Release("before_items");
                    tx.Commit();
                    {|PGB003:tx|}.Save("too_late");
                }
            }
            """);
}
