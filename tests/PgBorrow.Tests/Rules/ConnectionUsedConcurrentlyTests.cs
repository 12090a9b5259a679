using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb104 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.ConnectionUsedConcurrentlyAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class ConnectionUsedConcurrentlyTests
{
    [Fact]
    public Task Two_commands_on_one_connection_awaited_together_are_reported()
        => VerifyPgb104.AnalyzerAsync("""
            class Dashboard
            {
                async Task LoadAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    await using var customers = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    await {|#0:Task.WhenAll(orders.ExecuteScalarAsync(ct), customers.ExecuteScalarAsync(ct))|};
                }
            }
            """,
            new DiagnosticResult("PGB104", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("conn", "'ExecuteScalarAsync' and 'ExecuteScalarAsync' are awaited together by 'WhenAll'"));

    [Fact]
    public Task Select_async_over_a_captured_connection_is_reported()
        => VerifyPgb104.AnalyzerAsync("""
            class Orders
            {
                async Task ShipAllAsync(NpgsqlConnection conn, int[] ids, CancellationToken ct)
                {
                    var tasks = ids.Select(async id =>
                    {
                        await using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn);
                        cmd.Parameters.AddWithValue(id);
                        await cmd.ExecuteNonQueryAsync(ct);
                    });
                    await {|PGB104:Task.WhenAll(tasks)|};
                }
            }
            """.Replace("class Orders", "using System.Linq;\nclass Orders"));

    [Fact]
    public Task Parallel_bodies_and_unawaited_task_run_capturing_a_connection_are_reported()
        => VerifyPgb104.AnalyzerAsync("""
            class Orders
            {
                async Task ShipAllAsync(NpgsqlConnection conn, int[] ids, CancellationToken ct)
                {
                    await {|PGB104:Parallel.ForEachAsync(ids, ct, async (id, token) =>
                    {
                        await using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn);
                        cmd.Parameters.AddWithValue(id);
                        await cmd.ExecuteNonQueryAsync(token);
                    })|};
                }

                Task Background(NpgsqlConnection conn)
                {
                    var work = {|PGB104:Task.Run(() =>
                    {
                        using var cmd = new NpgsqlCommand("VACUUM", conn);
                        cmd.ExecuteNonQuery();
                    })|};
                    return work;
                }
            }
            """);

    [Fact]
    public Task Stored_task_still_pending_when_the_next_command_starts_is_reported()
        => VerifyPgb104.AnalyzerAsync("""
            class Orders
            {
                async Task<long> CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var first = new NpgsqlCommand("UPDATE orders SET seen = true", conn);
                    await using var second = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    var update = first.ExecuteNonQueryAsync(ct);
                    var count = (long)(await {|PGB104:second.ExecuteScalarAsync(ct)|})!;
                    await update;
                    return count;
                }
            }
            """);

    [Fact]
    public Task One_after_another_own_connections_and_awaited_task_run_are_fine()
        => VerifyPgb104.AnalyzerAsync("""
            class Dashboard
            {
                async Task LoadAsync(NpgsqlConnection conn, NpgsqlDataSource dataSource, int[] ids, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    await using var customers = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    await orders.ExecuteScalarAsync(ct);
                    await customers.ExecuteScalarAsync(ct);

                    var pending = orders.ExecuteScalarAsync(ct);
                    await pending;
                    await customers.ExecuteScalarAsync(ct);

                    await Task.WhenAll(
                        dataSource.CreateCommand("SELECT 1").ExecuteScalarAsync(ct),
                        dataSource.CreateCommand("SELECT 2").ExecuteScalarAsync(ct));

                    await Parallel.ForEachAsync(ids, ct, async (id, token) =>
                    {
                        await using var own = await dataSource.OpenConnectionAsync(token);
                        await using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", own);
                        cmd.Parameters.AddWithValue(id);
                        await cmd.ExecuteNonQueryAsync(token);
                    });

                    await Task.Run(() => orders.ExecuteScalar());
                }
            }
            """);

    [Fact]
    public Task Connection_handed_to_a_background_task_that_owns_it_is_fine_unless_the_method_goes_on_using_it()
        => VerifyPgb104.AnalyzerAsync("""
            class Listener
            {
                Task ListenAsync(string cs, CancellationToken ct)
                {
                    var conn = new NpgsqlConnection(cs);
                    return Task.Run(async () =>
                    {
                        try
                        {
                            await conn.OpenAsync(ct);
                            while (!ct.IsCancellationRequested) await conn.WaitAsync(ct);
                        }
                        finally { await conn.DisposeAsync(); }
                    }, ct);
                }

                async Task KeepsUsingAsync(string cs, CancellationToken ct)
                {
                    await using var conn = new NpgsqlConnection(cs);
                    await conn.OpenAsync(ct);
                    var listening = {|PGB104:Task.Run(() => conn.WaitAsync(ct))|};
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await listening;
                }

                void StartsOnePerItem(string cs, int[] ids)
                {
                    var conn = new NpgsqlConnection(cs);
                    foreach (var id in ids)
                        {|PGB104:Task.Run(() => new NpgsqlCommand("SELECT 1", conn).ExecuteNonQuery())|};
                }
            }
            """);

    [Fact]
    public Task Parameter_of_a_lambda_nested_in_a_parallel_body_is_a_fresh_value_per_iteration()
        => VerifyPgb104.AnalyzerAsync("""
            static class Inserts
            {
                static void UseNewConnection(string cs, Action<NpgsqlConnection> action)
                {
                    using var conn = new NpgsqlConnection(cs);
                    conn.Open();
                    action(conn);
                }

                public static void Run(string cs, NpgsqlConnection shared)
                {
                    Parallel.For(0, 100, i =>
                        UseNewConnection(cs, sql =>
                        {
                            using var cmd = new NpgsqlCommand("INSERT INTO t VALUES ($1)", sql);
                            cmd.Parameters.AddWithValue(i);
                            cmd.ExecuteNonQuery();
                        }));
                    {|PGB104:Parallel.For(0, 100, i =>
                        UseNewConnection(cs, _ => new NpgsqlCommand("SELECT 1", shared).ExecuteNonQuery()))|};
                }
            }
            """);

    [Fact]
    public Task Task_run_stored_and_awaited_before_the_connection_is_used_again_is_fine()
        => VerifyPgb104.AnalyzerAsync("""
            class Storage
            {
                readonly bool _synchronousProvider = true;

                async Task<int> ExecuteAsync(DbConnection connection, string sql, Func<DbCommand, CancellationToken, Task<int>> executor, CancellationToken ct)
                {
                    using var command = connection.CreateCommand();
                    command.CommandText = sql;
                    Task<int> ret;
                    if (_synchronousProvider)
                        ret = Task.Run(() => executor(command, ct), ct);
                    else
                        ret = executor(command, ct);
                    return await ret.ConfigureAwait(false);
                }

                async Task<int> UsesItMeanwhileAsync(DbConnection connection, CancellationToken ct)
                {
                    using var command = connection.CreateCommand();
                    var ret = {|PGB104:Task.Run(() => command.ExecuteNonQuery(), ct)|};
                    using var other = connection.CreateCommand();
                    await other.ExecuteNonQueryAsync(ct);
                    return await ret;
                }
            }
            """);
}
