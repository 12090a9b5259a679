using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
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
                    {|#1:await work();|}
                    await release.ExecuteNonQueryAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB103", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("pg_advisory_lock", "conn", $"when 'work' throws on line {LineOf(1)}", "unlock in a 'finally'"));

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

    [Fact]
    public Task Acquisition_helper_on_a_borrowed_connection_returns_holding_the_lock_but_an_owned_connection_does_not()
        => VerifyPgb103.AnalyzerAsync("""
            class Locks
            {
                // Contract: returns holding the lock; the caller unlocks it.
                public static async Task AcquireAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", conn);
                    cmd.Parameters.AddWithValue("key", key);
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                // Unlocks on one path: the method owns the lock, and the early return leaks it.
                public static async Task RunAsync(NpgsqlConnection conn, bool skip, CancellationToken ct)
                {
                    await using var lockCommand = new NpgsqlCommand("SELECT pg_advisory_lock(1)", conn);
                    await {|PGB103:lockCommand.ExecuteNonQueryAsync(ct)|};
                    if (skip)
                        return;
                    await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(1)", conn);
                    await unlock.ExecuteNonQueryAsync(ct);
                }

                // A connection of its own: nobody else can release what it leaves behind.
                public static async Task OwnConnectionAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock(2)", conn);
                    await {|PGB103:cmd.ExecuteNonQueryAsync(ct)|};
                }
            }
            """);

    [Fact]
    public Task Locks_taken_and_released_through_helpers_are_the_callers()
        => VerifyPgb103.AnalyzerAsync("""
            static class Locks
            {
                public static async Task AcquireAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock($1)", conn);
                    cmd.Parameters.AddWithValue(key);
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                public static async Task ReleaseAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", conn);
                    cmd.Parameters.AddWithValue(key);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
            }

            class Jobs
            {
                async Task SafeAsync(NpgsqlDataSource dataSource, Func<Task> work, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await Locks.AcquireAsync(conn, 1, ct);
                    try
                    {
                        await work();
                    }
                    finally
                    {
                        await Locks.ReleaseAsync(conn, 1, ct);
                    }
                }

                async Task LeakyAsync(NpgsqlDataSource dataSource, Func<Task> work, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await {|PGB103:Locks.AcquireAsync(conn, 2, ct)|};
                    await work();
                    await Locks.ReleaseAsync(conn, 2, ct);
                }
            }
            """);
}
