using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb001 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionMayBeLeftOpenAnalyzer>;
using VerifyPgb002 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionNotRolledBackOnExceptionAnalyzer>;
using VerifyPgb103 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SessionAdvisoryLockNotReleasedAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// The runtime's handles that own a transaction or a session lock are owned values: an exported
/// snapshot (PgSnapshot, PGB001/PGB002) and an advisory lock guard (PgAdvisoryLock, PGB103).
/// </summary>
public class RuntimeHandleTests
{
    const string SnapshotLeak = "it is not disposed on that path, so its exporting REPEATABLE READ transaction stays open on a connection of its own and holds back VACUUM; declare it with 'await using'";

    [Fact]
    public Task Exported_snapshot_not_disposed_is_reported_as_left_open()
        => VerifyPgb001.AnalyzerAsync("""
            class Export
            {
                async Task<long> CountAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var {|#0:snapshot|} = await dataSource.ExportSnapshotAsync(ct);
                    {|#1:return await snapshot.ReadAsync((tx, token) => tx.ExecuteScalarAsync<long>("SELECT count(*) FROM orders", token), ct);|}
                }
            }
            """,
            new DiagnosticResult("PGB001", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("snapshot", LineOf(1), "Exported snapshot (PgSnapshot)", SnapshotLeak));

    [Fact]
    public Task Exported_snapshot_disposed_only_on_one_branch_is_reported()
        => VerifyPgb001.AnalyzerAsync("""
            class Export
            {
                async Task<string?> IdAsync(NpgsqlDataSource dataSource, bool keep, CancellationToken ct)
                {
                    var {|PGB001:snapshot|} = await dataSource.ExportSnapshotAsync(ct);
                    if (keep)
                        return snapshot.Id;
                    await snapshot.DisposeAsync();
                    return null;
                }
            }
            """);

    [Fact]
    public Task Exported_snapshot_disposed_moved_or_returned_is_fine()
        => VerifyPgb001.AnalyzerAsync("""
            class Export
            {
                PgSnapshot? _current;

                async Task<long> UsingAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var snapshot = await dataSource.ExportSnapshotAsync(ct);
                    return await snapshot.ReadAsync((tx, token) => tx.ExecuteScalarAsync<long>("SELECT count(*) FROM orders", token), ct);
                }

                async Task<PgSnapshot> FactoryAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var snapshot = await dataSource.ExportSnapshotAsync(ct);
                    return snapshot;
                }

                async Task StoreAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var snapshot = await dataSource.ExportSnapshotAsync(ct);
                    _current = snapshot;
                }

                async Task HandOverAsync(NpgsqlDataSource dataSource, Jobs jobs, CancellationToken ct)
                {
                    var snapshot = await dataSource.ExportSnapshotAsync(ct);
                    jobs.Adopt(snapshot);
                }

                async Task FactoryCallerAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var snapshot = await FactoryAsync(dataSource, ct);
                }
            }

            class Jobs
            {
                public void Adopt([Owned] PgSnapshot snapshot) { }
            }
            """);

    [Fact]
    public Task Snapshot_from_a_factory_of_the_compilation_is_owned_by_the_caller()
        => VerifyPgb001.AnalyzerAsync("""
            class Export
            {
                static Task<PgSnapshot> ExportAsync(NpgsqlDataSource dataSource, CancellationToken ct) => dataSource.ExportSnapshotAsync(ct);

                async Task<string> IdAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var {|PGB001:snapshot|} = await ExportAsync(dataSource, ct);
                    return snapshot.Id;
                }
            }
            """);

    [Fact]
    public Task Exported_snapshot_not_disposed_when_an_exception_is_thrown_is_reported()
        => VerifyPgb002.AnalyzerAsync("""
            class Export
            {
                async Task<long> CountAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var {|#0:snapshot|} = await dataSource.ExportSnapshotAsync(ct);
                    {|#1:var count = await snapshot.ReadAsync((tx, token) => tx.ExecuteScalarAsync<long>("SELECT count(*) FROM orders", token), ct);|}
                    await snapshot.DisposeAsync();
                    return count;
                }

                async Task<long> FinallyAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var snapshot = await dataSource.ExportSnapshotAsync(ct);
                    try
                    {
                        return await snapshot.ReadAsync((tx, token) => tx.ExecuteScalarAsync<long>("SELECT count(*) FROM orders", token), ct);
                    }
                    finally
                    {
                        await snapshot.DisposeAsync();
                    }
                }
            }
            """,
            new DiagnosticResult("PGB002", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("snapshot", "ReadAsync", LineOf(1), "Exported snapshot (PgSnapshot)", "no 'await using' or 'finally' disposes it there, so its exporting transaction stays open on a connection of its own; declare it with 'await using'"));

    [Fact]
    public Task Advisory_lock_guard_not_disposed_is_reported()
        => VerifyPgb103.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    var {|#0:guard|} = await conn.AdvisoryLockAsync(key, ct);
                    await conn.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {key}", ct);
                {|#1:}|}
            }
            """,
            new DiagnosticResult("PGB103", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("AdvisoryLockAsync", "conn", $"when the method returns on line {LineOf(1)}", "dispose the PgAdvisoryLock guard 'guard' with 'await using'"));

    [Fact]
    public Task Advisory_lock_guard_released_outside_a_finally_is_reported_at_the_first_throwing_point()
        => VerifyPgb103.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn, long key, Func<Task> work, CancellationToken ct)
                {
                    var {|#0:guard|} = await conn.AdvisoryLockAsync(key, ct);
                    {|#1:await work();|}
                    await guard.ReleaseAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB103", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("AdvisoryLockAsync", "conn", $"when 'work' throws on line {LineOf(1)}", "dispose the PgAdvisoryLock guard 'guard' with 'await using'"));

    [Fact]
    public Task Try_lock_guard_that_is_not_disposed_when_taken_is_reported()
        => VerifyPgb103.AnalyzerAsync("""
            class Jobs
            {
                async Task<bool> RunAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    var {|PGB103:guard|} = await conn.TryAdvisoryLockAsync(key, ct);
                    if (guard is null)
                        return false;
                    await conn.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {key}", ct);
                    return true;
                }
            }
            """);

    [Fact]
    public Task Advisory_lock_guard_thrown_away_is_reported()
        => VerifyPgb103.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await {|#0:conn.AdvisoryLockAsync(key, ct)|};
                    _ = await {|#1:conn.AdvisoryLockAsync(key + 1, ct)|}.ConfigureAwait(false);
                    await conn.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {key}", ct);
                }

                Task<PgAdvisoryLock> ReturnedAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                    => conn.AdvisoryLockAsync(key, ct);

                async Task<PgAdvisoryLock> AwaitedAndReturnedAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    return await conn.AdvisoryLockAsync(key, ct);
                }
            }
            """,
            new DiagnosticResult("PGB103", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("AdvisoryLockAsync", "conn", "anywhere: the PgAdvisoryLock guard it returns is discarded", "keep the guard and dispose it with 'await using'"),
            new DiagnosticResult("PGB103", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("AdvisoryLockAsync", "conn", "anywhere: the PgAdvisoryLock guard it returns is discarded", "keep the guard and dispose it with 'await using'"));

    [Fact]
    public Task Advisory_lock_guards_disposed_released_in_finally_or_moved_are_fine()
        => VerifyPgb103.AnalyzerAsync("""
            class Jobs
            {
                async Task UsingAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await using var guard = await conn.AdvisoryLockAsync(key, ct);
                    await conn.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {key}", ct);
                }

                async Task<bool> TryAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await using var guard = await conn.TryAdvisoryLockAsync(key, ct);
                    if (guard is null)
                        return false;
                    await conn.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {key}", ct);
                    return true;
                }

                async Task FinallyAsync(NpgsqlConnection conn, long key, Func<Task> work, CancellationToken ct)
                {
                    var guard = await conn.AdvisoryLockAsync(key, ct);
                    try
                    {
                        await work();
                    }
                    finally
                    {
                        await guard.ReleaseAsync(ct);
                    }
                }

                async Task<PgAdvisoryLock> AcquireAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    var guard = await conn.AdvisoryLockAsync(key, ct);
                    return guard;
                }

                async Task CallerAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await using var guard = await AcquireAsync(conn, key, ct);
                }
            }
            """);

    [Fact]
    public Task Savepoint_not_disposed_is_not_a_leak_the_scope_transaction_ends_it()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                Task PlaceAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                    => dataSource.InTransactionAsync(async (tx, token) =>
                    {
                        var savepoint = await tx.SavepointAsync("before_items", token);
                        await tx.ExecuteAsync($"INSERT INTO items DEFAULT VALUES", token);
                    }, ct);
            }
            """);
}
