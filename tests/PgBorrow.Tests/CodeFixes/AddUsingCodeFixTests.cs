using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class AddUsingCodeFixTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<AddUsingCodeFixTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<AddUsingCodeFixTests>(name);

    static CodeFixCase Leaked_transaction_gets_await_using_in_async_code
        => CodeFixCase.Of<TransactionMayBeLeftOpenAnalyzer, AddUsingCodeFix>("""
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

    static CodeFixCase Leaked_exported_snapshot_gets_await_using
        => CodeFixCase.Of<TransactionMayBeLeftOpenAnalyzer, AddUsingCodeFix>("""
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

    static CodeFixCase Leaked_advisory_lock_guard_gets_await_using
        => CodeFixCase.Of<SessionAdvisoryLockNotReleasedAnalyzer, AddUsingCodeFix>("""
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

    static CodeFixCase Fix_all_adds_using_to_every_leaked_transaction
        => CodeFixCase.Of<TransactionNotRolledBackOnExceptionAnalyzer, AddUsingCodeFix>("""
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

    static CodeFixCase Leaked_connection_and_reader_get_using
        => CodeFixCase.Of<ConnectionNotDisposedAnalyzer, AddUsingCodeFix>("""
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

    static CodeFixCase No_fix_for_a_variable_assigned_again
        => CodeFixCase.Of<TransactionMayBeLeftOpenAnalyzer, AddUsingCodeFix>("""
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

    static CodeFixCase No_fix_for_a_replication_connection_in_synchronous_code
        => CodeFixCase.Of<ConnectionNotDisposedAnalyzer, AddUsingCodeFix>("""
            using Npgsql.Replication;

            class Slots
            {
                void Configure(string connectionString)
                {
                    var {|PGB006:connection|} = new PhysicalReplicationConnection(connectionString);
                    connection.CommandTimeout = TimeSpan.FromSeconds(5);
                }
            }
            """, """
            using Npgsql.Replication;

            class Slots
            {
                void Configure(string connectionString)
                {
                    var {|PGB006:connection|} = new PhysicalReplicationConnection(connectionString);
                    connection.CommandTimeout = TimeSpan.FromSeconds(5);
                }
            }
            """);

    static CodeFixCase Replication_connection_gets_await_using_in_async_code
        => CodeFixCase.Of<ConnectionNotDisposedAnalyzer, AddUsingCodeFix>("""
            using Npgsql.Replication;

            class Slots
            {
                async Task<string> SystemIdAsync(string connectionString, CancellationToken ct)
                {
                    var {|PGB006:connection|} = new LogicalReplicationConnection(connectionString);
                    await connection.Open(ct);
                    return (await connection.IdentifySystem(ct)).SystemId;
                }
            }
            """, """
            using Npgsql.Replication;

            class Slots
            {
                async Task<string> SystemIdAsync(string connectionString, CancellationToken ct)
                {
                    await using var connection = new LogicalReplicationConnection(connectionString);
                    await connection.Open(ct);
                    return (await connection.IdentifySystem(ct)).SystemId;
                }
            }
            """);
}
