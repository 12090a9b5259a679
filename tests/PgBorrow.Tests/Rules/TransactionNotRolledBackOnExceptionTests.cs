using System.Threading.Tasks;
using Xunit;
using VerifyPgb002 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionNotRolledBackOnExceptionAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class TransactionNotRolledBackOnExceptionTests
{
    [Fact]
    public Task Exception_between_begin_and_commit_is_reported()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var {|#0:tx|} = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB002", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
                .WithLocation(0)
                .WithArguments("tx", "new NpgsqlCommand", 14, "Transaction", "no 'using', 'finally' or rolling-back 'catch' covers that point; declare it with 'await using', or roll it back in a 'catch'"));

    [Fact]
    public Task Using_declaration_covers_every_throwing_point()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Rollback_in_catch_or_dispose_in_finally_covers_it()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                void Catch(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                        cmd.ExecuteNonQuery();
                        tx.Commit();
                    }
                    catch (Exception)
                    {
                        tx.Rollback();
                        throw;
                    }
                }

                void Finally(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                        cmd.ExecuteNonQuery();
                        tx.Commit();
                    }
                    finally
                    {
                        tx.Dispose();
                    }
                }
            }
            """);

    [Fact]
    public Task Catch_of_one_exception_type_leaves_the_others_uncovered()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    try
                    {
                        using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                        cmd.ExecuteNonQuery();
                        tx.Commit();
                    }
                    catch (PostgresException)
                    {
                        tx.Rollback();
                        throw;
                    }
                }
            }
            """);

    [Fact]
    public Task Connection_disposed_by_using_rolls_the_transaction_back()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task A_transaction_leaked_on_a_normal_path_is_left_to_PGB001()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Throw_statement_before_commit_is_reported()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, int quantity)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    if (quantity < 0)
                        throw new ArgumentOutOfRangeException(nameof(quantity));
                    tx.Commit();
                }
            }
            """);

    // EFCore.BulkExtensions PostgreSqlAdapter: one flag says whether the transaction is the caller's or begun
    // here and whether it is committed. The normal paths are right (no PGB001); a throwing command leaves
    // the begun one open.
    [Fact]
    public Task Flag_that_decides_between_borrowed_and_begun_is_followed()
        => VerifyPgb002.AnalyzerAsync("""
            class Counter
            {
                static async Task<long> CountAsync(NpgsqlConnection connection, NpgsqlTransaction? current, CancellationToken ct)
                {
                    bool external = current != null;
                    var {|PGB002:transaction|} = external ? current : connection.BeginTransaction();
                    using var command = new NpgsqlCommand("SELECT count(*) FROM t", connection, transaction);
                    var count = (long?)await command.ExecuteScalarAsync(ct) ?? 0;
                    if (!external)
                        await transaction!.CommitAsync(ct);
                    return count;
                }

                static async Task<long> CountSafelyAsync(NpgsqlConnection connection, NpgsqlTransaction? current, CancellationToken ct)
                {
                    bool external = current != null;
                    var transaction = external ? current : connection.BeginTransaction();
                    try
                    {
                        using var command = new NpgsqlCommand("SELECT count(*) FROM t", connection, transaction);
                        var count = (long?)await command.ExecuteScalarAsync(ct) ?? 0;
                        if (!external)
                            await transaction!.CommitAsync(ct);
                        return count;
                    }
                    catch
                    {
                        if (!external)
                            await transaction!.RollbackAsync(ct);
                        throw;
                    }
                }
            }
            """);
}
