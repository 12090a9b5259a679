using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class AddUsingCodeFixTests
{
    [Fact]
    public Task Leaked_transaction_gets_await_using_in_async_code()
        => Verify<TransactionMayBeLeftOpenAnalyzer>.CodeFixAsync<AddUsingCodeFix>("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var {|PGB001:tx|} = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
            }
            """, """
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Leaked_exported_snapshot_gets_await_using()
        => Verify<TransactionMayBeLeftOpenAnalyzer>.CodeFixAsync<AddUsingCodeFix>("""
            class Export
            {
                async Task<string> IdAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var {|PGB001:snapshot|} = await dataSource.ExportSnapshotAsync(ct);
                    return snapshot.Id;
                }
            }
            """, """
            class Export
            {
                async Task<string> IdAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var snapshot = await dataSource.ExportSnapshotAsync(ct);
                    return snapshot.Id;
                }
            }
            """);

    [Fact]
    public Task Leaked_advisory_lock_guard_gets_await_using()
        => Verify<SessionAdvisoryLockNotReleasedAnalyzer>.CodeFixAsync<AddUsingCodeFix>("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    var {|PGB103:guard|} = await conn.AdvisoryLockAsync(key, ct);
                    await conn.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {key}", ct);
                }
            }
            """, """
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await using var guard = await conn.AdvisoryLockAsync(key, ct);
                    await conn.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {key}", ct);
                }
            }
            """);

    [Fact]
    public Task Fix_all_adds_using_to_every_leaked_transaction()
        => Verify<TransactionNotRolledBackOnExceptionAnalyzer>.CodeFixAsync<AddUsingCodeFix>("""
            class Orders
            {
                void One(NpgsqlConnection conn)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }

                void Two(NpgsqlConnection conn)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("DELETE FROM orders", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """, """
            class Orders
            {
                void One(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }

                void Two(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("DELETE FROM orders", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Leaked_connection_and_reader_get_using()
        => Verify<ConnectionNotDisposedAnalyzer>.CodeFixAsync<AddUsingCodeFix>("""
            class Orders
            {
                long Count(string connectionString)
                {
                    var {|PGB006:conn|} = new NpgsqlConnection(connectionString);
                    conn.Open();
                    using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    return (long)cmd.ExecuteScalar()!;
                }
            }
            """, """
            class Orders
            {
                long Count(string connectionString)
                {
                    using var conn = new NpgsqlConnection(connectionString);
                    conn.Open();
                    using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    return (long)cmd.ExecuteScalar()!;
                }
            }
            """);

    [Fact]
    public Task No_fix_for_a_variable_assigned_again()
        => Verify<TransactionMayBeLeftOpenAnalyzer>.CodeFixAsync<AddUsingCodeFix>("""
            class Orders
            {
                void Place(NpgsqlConnection conn, bool retry)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    if (retry)
                        tx = conn.BeginTransaction();
                }
            }
            """, """
            class Orders
            {
                void Place(NpgsqlConnection conn, bool retry)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    if (retry)
                        tx = conn.BeginTransaction();
                }
            }
            """);
}
