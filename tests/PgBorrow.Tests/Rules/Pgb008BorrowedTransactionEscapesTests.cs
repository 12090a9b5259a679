using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb008 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.BorrowedTransactionEscapesAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class Pgb008BorrowedTransactionEscapesTests
{
    static DiagnosticResult Escapes(int location, string handle, string how)
        => new DiagnosticResult("PGB008", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(handle, how);

    // True positives

    [Fact]
    public Task Stored_in_a_field_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                PgTx? _current;
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        _current = {|#0:tx|};
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                    }, ct);
            }
            """,
            Escapes(0, "tx", "it is stored in the field '_current'"));

    [Fact]
    public Task Stored_in_a_static_property_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            static class Ambient { public static PgTx? Current { get; set; } }
            class Orders
            {
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        Ambient.Current = {|#0:tx|};
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                    }, ct);
            }
            """,
            Escapes(0, "tx", "it is stored in the property 'Current'"));

    [Fact]
    public Task Returned_from_the_body_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                Task<PgTx> LeakAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        return {|#0:tx|};
                    }, ct);
            }
            """,
            Escapes(0, "tx", "it is returned"));

    [Fact]
    public Task Returned_from_a_helper_method_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                static PgTx Keep(PgTx tx) => {|#0:tx|};
            }
            """,
            Escapes(0, "tx", "it is returned"));

    [Fact]
    public Task Added_to_a_field_collection_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                readonly List<PgTx> _open = new();
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        _open.Add({|#0:tx|});
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                    }, ct);
            }
            """,
            Escapes(0, "tx", "it is stored in the collection '_open', which outlives the body"));

    [Fact]
    public Task Captured_by_Task_Run_that_is_not_awaited_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        _ = Task.Run(async () => await {|#0:tx|}.ExecuteAsync($"INSERT INTO audit VALUES (1)", token));
                    }, ct);
            }
            """,
            Escapes(0, "tx", "a lambda that uses it runs on the thread pool through 'Run', whose task is discarded"));

    [Fact]
    public Task Captured_by_a_thread_a_timer_and_an_event_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                public event EventHandler? Shipped;
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        new Thread(() => {|#0:tx|}.ExecuteAsync($"SELECT 1").Wait()).Start();
                        var timer = new Timer(_ => {|#1:tx|}.ExecuteAsync($"SELECT 1"), null, 1000, Timeout.Infinite);
                        Shipped += (_, _) => {|#2:tx|}.ExecuteAsync($"SELECT 1");
                        GC.KeepAlive(timer);
                    }, ct);
            }
            """,
            Escapes(0, "tx", "a lambda that uses it runs on a new Thread"),
            Escapes(1, "tx", "a lambda that uses it runs on a Timer"),
            Escapes(2, "tx", "a lambda that uses it is subscribed to the event 'Shipped'"));

    [Fact]
    public Task Lambda_stored_in_a_field_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                Func<Task>? _later;
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        _later = () => {|#0:tx|}.ExecuteAsync($"SELECT 1");
                    }, ct);
            }
            """,
            Escapes(0, "tx", "a lambda that uses it is stored in the field '_later'"));

    [Fact]
    public Task Assigned_to_an_outer_variable_and_used_after_the_scope_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                async Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    PgTx? saved = null;
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        saved = {|#0:tx|};
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                    }, ct);
                    await saved!.ExecuteAsync($"SELECT 1", ct);
                }
            }
            """,
            Escapes(0, "tx", "it is assigned to 'saved', declared outside the body and read after it"));

    [Fact]
    public Task Task_started_with_tx_and_not_awaited_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                static Task AuditAsync(PgTx tx, CancellationToken ct) => tx.ExecuteAsync($"INSERT INTO audit VALUES (1)", ct);

                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        {|#0:AuditAsync(tx, token)|};
                        var pending = {|#1:tx.ExecuteAsync($"UPDATE orders SET shipped = true", token)|};
                        await tx.ExecuteAsync($"SELECT 1", token);
                    }, ct);
            }
            """,
            Escapes(0, "tx", "the task of 'AuditAsync' uses it and is not awaited, so it can still run after the scope commits"),
            Escapes(1, "tx", "the task of 'ExecuteAsync' uses it and is never awaited, so it can still run after the scope commits"));

    [Fact]
    public Task Alias_of_tx_stored_in_a_field_is_reported()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                object? _last;
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        var handle = tx;
                        _last = {|#0:handle|};
                        await handle.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                    }, ct);
            }
            """,
            Escapes(0, "handle", "it is stored in the field '_last'"));

    [Fact]
    public Task Method_group_body_and_state_overload_are_checked()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                static PgTx? s_last;
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct) => ds.InTransactionAsync(ShipBodyAsync, ct);
                async Task ShipBodyAsync(PgTx tx, CancellationToken ct)
                {
                    s_last = {|#0:tx|};
                    await tx.ExecuteAsync($"UPDATE orders SET shipped = true", ct);
                }
                Task RenameAsync(NpgsqlConnection conn, string name, CancellationToken ct)
                    => conn.InTransactionAsync(null, name, static async (tx, n, token) =>
                    {
                        s_last = {|#1:tx|};
                        await tx.ExecuteAsync($"UPDATE orders SET name = {n}", token);
                    }, ct);
            }
            """,
            Escapes(0, "tx", "it is stored in the field 's_last'"),
            Escapes(1, "tx", "it is stored in the field 's_last'"));

    // True negatives

    [Fact]
    public Task Helpers_that_borrow_tx_and_awaited_tasks_are_fine()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                static async Task ReserveAsync(PgTx tx, int id, CancellationToken ct)
                    => await tx.ExecuteAsync($"UPDATE stock SET reserved = reserved + 1 WHERE id = {id}", ct);
                static Task AuditAsync(PgTx tx, CancellationToken ct) => tx.ExecuteAsync($"INSERT INTO audit VALUES (1)", ct);

                Task<int> ShipAsync(NpgsqlDataSource ds, int id, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await ReserveAsync(tx, id, token);
                        var audit = AuditAsync(tx, token);
                        await audit;
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token).ConfigureAwait(false);
                        return tx.Attempt;
                    }, ct);

                Task ExpressionBodyAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync((tx, token) => tx.ExecuteAsync($"SELECT 1", token), ct);
            }
            """);

    [Fact]
    public Task Awaited_Task_WhenAll_and_awaited_Task_Run_inside_the_body_are_fine()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                static Task AuditAsync(PgTx tx, CancellationToken ct) => tx.ExecuteAsync($"INSERT INTO audit VALUES (1)", ct);
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        var first = tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        await Task.WhenAll(first, AuditAsync(tx, token));
                        await Task.Run(() => tx.ExecuteAsync($"SELECT 1", token));
                        var running = Task.Run(() => tx.ExecuteAsync($"SELECT 2", token));
                        await running;
                    }, ct);
            }
            """);

    [Fact]
    public Task Lambdas_and_local_functions_that_capture_tx_and_run_inside_the_body_are_fine()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                Task ShipAsync(NpgsqlDataSource ds, int[] ids, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        Func<int, Task> ship = id => tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token);
                        foreach (var id in ids)
                            await ship(id);
                        await AuditAsync();
                        async Task AuditAsync() => await tx.ExecuteAsync($"INSERT INTO audit VALUES (1)", token);
                        var handles = new List<PgTx> { tx };
                        var pair = (tx, 1);
                        GC.KeepAlive(handles);
                        GC.KeepAlive(pair);
                    }, ct);
            }
            """);

    [Fact]
    public Task Outer_variable_not_read_after_the_scope_is_fine()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                async Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    PgTx? saved = null;
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        saved = tx;
                        await saved.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                    }, ct);
                    saved = null;
                }
            }
            """);

    [Fact]
    public Task Wrapper_built_around_tx_is_a_borrow()
        => VerifyPgb008.AnalyzerAsync("""
            sealed class OrderRepository
            {
                readonly PgTx _tx;
                public OrderRepository(PgTx tx) => _tx = tx;
                public PgTx? Extra { get; init; }
                public Task ShipAsync(int id, CancellationToken ct) => _tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", ct);
            }
            class Orders
            {
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        var repository = new OrderRepository(tx) { Extra = tx };
                        await repository.ShipAsync(1, token);
                    }, ct);
            }
            """);

    [Fact]
    public Task No_runtime_reference_means_no_work()
        => VerifyPgb008.AnalyzerAsync("""
            class Plain
            {
                object? _kept;
                void Keep(object value) => _kept = value;
            }
            """);

    // Tricky cases

    [Fact]
    public Task Nested_lambda_in_a_nested_lambda_that_escapes_is_reported_once()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                Task ShipAsync(NpgsqlDataSource ds, int[] ids, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"SELECT 1", token);
                        ThreadPool.QueueUserWorkItem(_ =>
                        {
                            foreach (var id in ids)
                                Array.ForEach(ids, i => {|#0:tx|}.ExecuteAsync($"SELECT {i}").Wait());
                            tx.ExecuteAsync($"SELECT 2").Wait();
                        });
                    }, ct);
            }
            """,
            Escapes(0, "tx", "a lambda that uses it is queued to the thread pool by 'QueueUserWorkItem'"));

    [Fact]
    public Task Half_written_code_does_not_throw()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                PgTx? _kept;
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        _kept = {|#0:tx|};
                        await tx.{|CS1001:|}{|CS1002:|}
                    }, ct);
            }
            """,
            Escapes(0, "tx", "it is stored in the field '_kept'"));

    [Fact]
    public Task Lambda_added_to_a_member_list_is_reported_and_a_kept_registration_is_not()
        => VerifyPgb008.AnalyzerAsync("""
            class Orders
            {
                readonly List<Func<Task>> _later = new();

                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        _later.Add(() => {|#0:tx|}.ExecuteAsync($"UPDATE orders SET shipped = true"));
                        using var registration = token.Register(() => tx.ExecuteAsync($"SELECT 1"));
                        await tx.ExecuteAsync($"SELECT 2", token);
                    }, ct);
            }
            """,
            Escapes(0, "tx", "a lambda that uses it is added to '_later', which outlives the body"));
}
