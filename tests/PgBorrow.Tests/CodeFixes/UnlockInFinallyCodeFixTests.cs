using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class UnlockInFinallyCodeFixTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<UnlockInFinallyCodeFixTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<UnlockInFinallyCodeFixTests>(name);

    static CodeFixCase Work_between_lock_and_unlock_moves_into_try_with_the_unlock_in_finally
        => CodeFixCase.Of<SessionAdvisoryLockNotReleasedAnalyzer, UnlockInFinallyCodeFix>("""
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

    static CodeFixCase Unlock_command_declared_after_the_work_moves_before_the_try_and_its_run_into_finally
        => CodeFixCase.Of<SessionAdvisoryLockNotReleasedAnalyzer, UnlockInFinallyCodeFix>("""
            class Jobs
            {
                async Task RunExclusiveAsync(NpgsqlConnection conn, Func<Task> work, CancellationToken ct)
                {
                    await using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(7)", conn);
                    await {|PGB103:acquire.ExecuteNonQueryAsync(ct)|};
                    await work();
                    await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7)", conn);
                    await unlock.ExecuteNonQueryAsync(ct);
                }
            }
            """, """
            class Jobs
            {
                async Task RunExclusiveAsync(NpgsqlConnection conn, Func<Task> work, CancellationToken ct)
                {
                    await using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(7)", conn);
                    await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7)", conn);
                    await acquire.ExecuteNonQueryAsync(ct);
                    try
                    {
                        await work();
                    }
                    finally
                    {
                        await unlock.ExecuteNonQueryAsync(ct);
                    }
                }
            }
            """);

    static CodeFixCase Unlock_command_declared_before_the_work_stays_before_the_try
        => CodeFixCase.Of<SessionAdvisoryLockNotReleasedAnalyzer, UnlockInFinallyCodeFix>("""
            class Jobs
            {
                void RunExclusive(NpgsqlConnection conn, Action work)
                {
                    using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(7)", conn);
                    {|PGB103:acquire.ExecuteNonQuery()|};
                    using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7)", conn);
                    work();
                    var done = true;
                    unlock.ExecuteNonQuery();
                }
            }
            """, """
            class Jobs
            {
                void RunExclusive(NpgsqlConnection conn, Action work)
                {
                    using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(7)", conn);
                    using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7)", conn);
                    acquire.ExecuteNonQuery();
                    try
                    {
                        work();
                        var done = true;
                    }
                    finally
                    {
                        unlock.ExecuteNonQuery();
                    }
                }
            }
            """);

    static CodeFixCase Unlock_result_read_after_it_gets_no_fix
        => CodeFixCase.Of<SessionAdvisoryLockNotReleasedAnalyzer, UnlockInFinallyCodeFix>("""
            class Jobs
            {
                bool RunExclusive(NpgsqlConnection conn, Action work)
                {
                    using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(7)", conn);
                    using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7)", conn);
                    {|PGB103:acquire.ExecuteNonQuery()|};
                    work();
                    var released = (bool)unlock.ExecuteScalar()!;
                    return released;
                }
            }
            """, """
            class Jobs
            {
                bool RunExclusive(NpgsqlConnection conn, Action work)
                {
                    using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(7)", conn);
                    using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7)", conn);
                    {|PGB103:acquire.ExecuteNonQuery()|};
                    work();
                    var released = (bool)unlock.ExecuteScalar()!;
                    return released;
                }
            }
            """);
}
