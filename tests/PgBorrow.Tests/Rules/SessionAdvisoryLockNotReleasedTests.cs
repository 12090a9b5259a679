using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb103 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SessionAdvisoryLockNotReleasedAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class SessionAdvisoryLockNotReleasedTests
{
    [Fact]
    public Task Unlock_not_in_finally_is_reported_at_the_first_throwing_point()
        => VerifyPgb103.AnalyzerAsync("""
            class Jobs
            {
                async Task RunExclusiveAsync(NpgsqlConnection conn, Func<Task> work, CancellationToken ct)
                {
                    await using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(42)", conn);
                    await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(42)", conn);
                    await {|#0:acquire.ExecuteNonQueryAsync(ct)|};
                    await work();
                    await release.ExecuteNonQueryAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB103", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("pg_advisory_lock", "conn", "when 'work' throws on line 16", "unlock in a 'finally'"));

    [Fact]
    public Task Lock_never_released_on_an_early_return_is_reported()
        => VerifyPgb103.AnalyzerAsync("""
            using Dapper;

            class Jobs
            {
                void Run(NpgsqlConnection conn, bool skip)
                {
                    {|PGB103:conn.Execute("SELECT pg_advisory_lock_shared(7)")|};
                    try
                    {
                        if (skip)
                            return;
                    }
                    catch
                    {
                        conn.Execute("SELECT pg_advisory_unlock_shared(7)");
                        throw;
                    }
                    conn.Execute("SELECT pg_advisory_unlock_shared(7)");
                }
            }
            """.Replace("            using Dapper;\n\n", "").Insert(0, "using Dapper;\n"));

    [Fact]
    public Task Unlock_in_finally_transaction_locks_and_try_locks_with_finally_are_fine()
        => VerifyPgb103.AnalyzerAsync("""
            class Jobs
            {
                async Task RunExclusiveAsync(NpgsqlConnection conn, Func<Task> work, CancellationToken ct)
                {
                    await using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(42)", conn);
                    await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(42)", conn);
                    await acquire.ExecuteNonQueryAsync(ct);
                    try
                    {
                        await work();
                    }
                    finally
                    {
                        await release.ExecuteNonQueryAsync(ct);
                    }
                }

                async Task TryAsync(NpgsqlConnection conn, Func<Task> work, CancellationToken ct)
                {
                    await using var acquire = new NpgsqlCommand("SELECT pg_try_advisory_lock(42)", conn);
                    await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", conn);
                    var got = (bool)(await acquire.ExecuteScalarAsync(ct))!;
                    if (!got)
                        return;
                    try
                    {
                        await work();
                    }
                    finally
                    {
                        await release.ExecuteNonQueryAsync(ct);
                    }
                }

                async Task TransactionLevelAsync(NpgsqlConnection conn, Func<Task> work, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var acquire = new NpgsqlCommand("SELECT pg_advisory_xact_lock(42)", conn, tx);
                    await acquire.ExecuteNonQueryAsync(ct);
                    await work();
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Lock_then_unlock_with_nothing_between_is_fine()
        => VerifyPgb103.AnalyzerAsync("""
            class Jobs
            {
                void Touch(NpgsqlConnection conn)
                {
                    using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(1)", conn);
                    using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(1)", conn);
                    acquire.ExecuteNonQuery();
                    release.ExecuteNonQuery();
                }
            }
            """);
}
