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

    [Fact]
    public Task When_any_and_wait_all_on_one_connection_are_reported()
        => VerifyPgb104.AnalyzerAsync("""
            class Dashboard
            {
                async Task FirstAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    await using var customers = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    await {|#0:Task.WhenAny(orders.ExecuteScalarAsync(ct), customers.ExecuteScalarAsync(ct))|};
                }

                void Blocking(NpgsqlConnection conn)
                {
                    using var orders = conn.CreateCommand();
                    using var customers = conn.CreateCommand();
                    {|#1:Task.WaitAll(new Task[] { orders.ExecuteNonQueryAsync(), customers.ExecuteNonQueryAsync() })|};
                }
            }
            """,
            new DiagnosticResult("PGB104", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("conn", "'ExecuteScalarAsync' and 'ExecuteScalarAsync' are awaited together by 'WhenAny'"),
            new DiagnosticResult("PGB104", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("conn", "'ExecuteNonQueryAsync' and 'ExecuteNonQueryAsync' are awaited together by 'WaitAll'"));

    [Fact]
    public Task Dapper_calls_and_a_reader_of_the_connection_awaited_together_are_reported()
        => VerifyPgb104.AnalyzerAsync("""
            using Dapper;

            class Dashboard
            {
                async Task LoadAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await {|PGB104:Task.WhenAll(
                        conn.QueryAsync<int>("SELECT id FROM orders"),
                        conn.ExecuteAsync("UPDATE orders SET seen = true", new { }))|};
                }

                async Task ReaderAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT id FROM orders", conn);
                    await using var reader = await cmd.ExecuteReaderAsync(ct);
                    await using var other = new NpgsqlCommand("SELECT 1", conn);
                    await {|PGB104:Task.WhenAll(reader.ReadAsync(ct), other.ExecuteScalarAsync(ct))|};
                }
            }
            """);

    [Fact]
    public Task Pending_stored_task_is_reported_once_with_the_second_call_named()
        => VerifyPgb104.AnalyzerAsync("""
            class Orders
            {
                async Task<(long, long)> CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var open = new NpgsqlCommand("SELECT count(*) FROM orders WHERE NOT shipped", conn);
                    await using var shipped = new NpgsqlCommand("SELECT count(*) FROM orders WHERE shipped", conn);
                    var openCount = open.ExecuteScalarAsync(ct);
                    var shippedCount = {|#0:shipped.ExecuteScalarAsync(ct)|};
                    await Task.WhenAll(openCount, shippedCount);
                    return ((long)(await openCount)!, (long)(await shippedCount)!);
                }
            }
            """,
            new DiagnosticResult("PGB104", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("conn", "'ExecuteScalarAsync' starts while the task in 'openCount' ('ExecuteScalarAsync') may still be running"));

    [Fact]
    public Task Select_materialized_with_to_list_or_to_array_is_reported()
        => VerifyPgb104.AnalyzerAsync("""
            using System.Linq;

            class Orders
            {
                async Task ListAsync(NpgsqlConnection conn, int[] ids, CancellationToken ct)
                {
                    var tasks = ids.Select(async id =>
                    {
                        await using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn);
                        cmd.Parameters.AddWithValue(id);
                        return await cmd.ExecuteNonQueryAsync(ct);
                    }).ToList();
                    await {|PGB104:Task.WhenAll(tasks)|};
                }

                async Task ArrayAsync(NpgsqlConnection conn, int[] ids, CancellationToken ct)
                    => await {|#0:Task.WhenAll(ids.Select(async id => await conn.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", ct)).ToArray())|};
            }
            """,
            new DiagnosticResult("PGB104", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("conn", "the tasks of 'Select' all use it and are awaited together by 'WhenAll'"));

    [Fact]
    public Task Synchronous_parallel_bodies_capturing_a_connection_or_its_command_are_reported()
        => VerifyPgb104.AnalyzerAsync("""
            class Orders
            {
                void Recalculate(NpgsqlConnection conn, int[] ids)
                {
                    using var cmd = new NpgsqlCommand("SELECT recalculate($1)", conn);
                    {|#0:Parallel.For(0, ids.Length, i => cmd.ExecuteNonQuery())|};
                }

                void Both(NpgsqlConnection conn)
                {
                    {|PGB104:Parallel.Invoke(
                        () => new NpgsqlCommand("VACUUM orders", conn).ExecuteNonQuery(),
                        () => new NpgsqlCommand("VACUUM customers", conn).ExecuteNonQuery())|};
                }
            }
            """,
            new DiagnosticResult("PGB104", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("conn", "the bodies of 'Parallel.For' run at the same time and all use it"));

    [Fact]
    public Task Field_connection_in_an_unawaited_start_new_is_reported_but_a_returned_one_is_fine()
        => VerifyPgb104.AnalyzerAsync("""
            class Maintenance
            {
                readonly NpgsqlConnection _conn = new();

                void Kick()
                {
                    _ = {|#0:Task.Factory.StartNew(() => new NpgsqlCommand("VACUUM", _conn).ExecuteNonQuery())|};
                }

                Task Returned() => Task.Factory.StartNew(() => new NpgsqlCommand("VACUUM", _conn).ExecuteNonQuery());

                Task ReturnedFromBody()
                {
                    return Task.Run(() => new NpgsqlCommand("VACUUM", _conn).ExecuteNonQuery());
                }
            }
            """,
            new DiagnosticResult("PGB104", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("_conn", "the body of 'StartNew' runs on another thread while this method goes on"));

    [Fact]
    public Task Own_methods_other_connections_and_chained_commands_are_not_judged()
        => VerifyPgb104.AnalyzerAsync("""
            class Dashboard
            {
                async Task LoadAsync(NpgsqlConnection conn, NpgsqlConnection other, NpgsqlTransaction tx, CancellationToken ct)
                {
                    await Task.WhenAll(CountAsync(conn, "orders", ct), CountAsync(conn, "customers", ct));

                    await using var a = new NpgsqlCommand("SELECT 1", conn);
                    await using var b = new NpgsqlCommand("SELECT 2", other);
                    await Task.WhenAll(a.ExecuteScalarAsync(ct), b.ExecuteScalarAsync(ct));

                    await Task.WhenAll(
                        conn.CreateCommand().ExecuteScalarAsync(ct),
                        conn.CreateCommand().ExecuteScalarAsync(ct));

                    await using var c = new NpgsqlCommand("SELECT 3", tx.Connection);
                    await using var d = new NpgsqlCommand("SELECT 4", tx.Connection);
                    await Task.WhenAll(c.ExecuteScalarAsync(ct), d.ExecuteScalarAsync(ct));
                }

                static async Task<object?> CountAsync(NpgsqlConnection conn, string table, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM " + table, conn);
                    return await cmd.ExecuteScalarAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Task_locals_assigned_twice_or_collected_in_a_list_are_not_judged()
        => VerifyPgb104.AnalyzerAsync("""
            class Dashboard
            {
                async Task ReassignedAsync(NpgsqlConnection conn, bool early, CancellationToken ct)
                {
                    await using var a = new NpgsqlCommand("SELECT 1", conn);
                    await using var b = new NpgsqlCommand("SELECT 2", conn);
                    Task first = Task.CompletedTask;
                    if (early)
                        first = a.ExecuteScalarAsync(ct);
                    await first;
                    var second = b.ExecuteScalarAsync(ct);
                    await Task.WhenAll(first, second);
                }

                async Task ListAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var a = new NpgsqlCommand("SELECT 1", conn);
                    var tasks = new List<Task>();
                    tasks.Add(a.ExecuteScalarAsync(ct));
                    await Task.WhenAll(tasks);
                }
            }
            """);

    [Fact]
    public Task Half_written_combinators_and_bodies_do_not_throw()
        => VerifyPgb104.AnalyzerAsync("""
            class Dashboard
            {
                async Task EmptyAsync(NpgsqlConnection conn, int[] ids, CancellationToken ct)
                {
                    await Task.WhenAll();
                    await Task.WhenAll(new Task[0]);
                    Parallel.ForEach(ids, Handle);
                    await Parallel.ForEachAsync(ids, ct, (id, token) => ValueTask.CompletedTask);
                }

                static void Handle(int id) { }

                async Task UnfinishedAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var a = new NpgsqlCommand("SELECT 1", conn);
                    await Task.WhenAll(a.ExecuteScalarAsync(ct), a.{|CS1001:)|};
                }
            }
            """);
}
