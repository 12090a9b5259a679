using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class UnlockInFinallyCodeFixTests
{
    [Fact]
    public Task Work_between_lock_and_unlock_moves_into_try_with_the_unlock_in_finally()
        => Verify<SessionAdvisoryLockNotReleasedAnalyzer>.CodeFixAsync<UnlockInFinallyCodeFix>("""
            class Jobs
            {
                async Task RunExclusiveAsync(NpgsqlConnection conn, Func<Task> work, CancellationToken ct)
                {
                    await using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(42)", conn);
                    await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(42)", conn);
                    await {|PGB103:acquire.ExecuteNonQueryAsync(ct)|};
                    await work();
                    await release.ExecuteNonQueryAsync(ct);
                }
            }
            """, """
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
            }
            """);
}
