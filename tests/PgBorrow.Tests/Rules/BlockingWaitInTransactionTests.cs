using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb005 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.BlockingCallInAsyncAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>PGB005: Thread.Sleep, WaitOne and blocking on database tasks in async code while a transaction is open.</summary>
public class BlockingWaitInTransactionTests
{
    static DiagnosticResult Pgb005(int location, string call, string why)
        => new DiagnosticResult("PGB005", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(call, why);

    [Fact]
    public Task Sleep_and_wait_handles_after_a_locking_statement_are_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                readonly ManualResetEvent _ready = new(false);

                async Task ShipAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var select = new NpgsqlCommand("SELECT status FROM orders WHERE id = $1 FOR UPDATE", conn, tx);
                    select.Parameters.AddWithValue(id);
                    {|#3:await select.ExecuteScalarAsync(ct);|}
                    {|#0:Thread.Sleep(500)|};
                    {|#1:_ready.WaitOne()|};
                    await tx.CommitAsync(ct);
                }

                async Task CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var select = new NpgsqlCommand("SELECT count(*) FROM orders", conn, tx);
                    await select.ExecuteScalarAsync(ct);
                    {|#2:Thread.Sleep(TimeSpan.FromSeconds(1))|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            Pgb005(0, "'Thread.Sleep'", $"transaction 'tx' is open and holds the locks of 'SELECT ... FOR UPDATE on orders' (line {LineOf(3)}) while the thread sleeps; await 'Task.Delay' instead, or sleep after the commit"),
            Pgb005(1, "'WaitOne'", $"transaction 'tx' is open and holds the locks of 'SELECT ... FOR UPDATE on orders' (line {LineOf(3)}) while the thread waits; wait asynchronously (for example 'SemaphoreSlim.WaitAsync') or after the commit"),
            Pgb005(2, "'Thread.Sleep'", "transaction 'tx' is open on the server (its snapshot and connection are held) while the thread sleeps; await 'Task.Delay' instead, or sleep after the commit"));

    [Fact]
    public Task Slim_primitives_waited_on_in_an_open_transaction_are_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Stock
            {
                readonly SemaphoreSlim _gate = new(1);
                readonly ManualResetEventSlim _warm = new();

                async Task ReserveAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var update = new NpgsqlCommand("UPDATE stock SET reserved = reserved + 1", conn, tx);
                    {|#2:await update.ExecuteNonQueryAsync(ct);|}
                    {|#0:_gate.Wait(ct)|};
                    if (_gate.Wait(0))
                        _gate.Release();
                    {|#1:_warm.Wait()|};
                    await _gate.WaitAsync(ct);
                    await tx.CommitAsync(ct);
                    _gate.Wait();
                }
            }
            """,
            Pgb005(0, "'SemaphoreSlim.Wait'", $"transaction 'tx' is open and holds the locks of 'UPDATE stock' (line {LineOf(2)}) while the thread waits; wait asynchronously (for example 'SemaphoreSlim.WaitAsync') or after the commit"),
            Pgb005(1, "'ManualResetEventSlim.Wait'", $"transaction 'tx' is open and holds the locks of 'UPDATE stock' (line {LineOf(2)}) while the thread waits; wait asynchronously (for example 'SemaphoreSlim.WaitAsync') or after the commit"));

    [Fact]
    public Task Blocking_on_a_database_task_in_an_open_transaction_is_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                async Task<long> ShipAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn, tx);
                    update.Parameters.AddWithValue(id);
                    var changed = {|#0:update.ExecuteNonQueryAsync(ct).Result|};
                    await using var count = new NpgsqlCommand("SELECT count(*) FROM orders", conn, tx);
                    var pending = count.ExecuteScalarAsync(ct);
                    var total = (long){|#1:pending.Result|}!;
                    {|#2:LogAsync(conn, id).Wait()|};
                    {|#3:count.ExecuteScalarAsync(ct).ConfigureAwait(false).GetAwaiter().GetResult()|};
                    await tx.CommitAsync(ct);
                    return total + changed;
                }

                static async Task LogAsync(NpgsqlConnection conn, int id)
                {
                    await using var cmd = new NpgsqlCommand("INSERT INTO log VALUES ($1)", conn);
                    cmd.Parameters.AddWithValue(id);
                    await cmd.ExecuteNonQueryAsync();
                }
            }
            """,
            Pgb005(0, "'.Result'", $"transaction 'tx' is open and holds the locks of 'UPDATE orders' (line {LineOf(0)}) while the thread waits for 'ExecuteNonQueryAsync'; await it instead"),
            Pgb005(1, "'.Result'", $"transaction 'tx' is open and holds the locks of 'UPDATE orders' (line {LineOf(0)}) while the thread waits for 'ExecuteScalarAsync'; await it instead"),
            Pgb005(2, "'Wait'", $"transaction 'tx' is open and holds the locks of 'UPDATE orders' (line {LineOf(0)}) while the thread waits for 'LogAsync'; await it instead"),
            Pgb005(3, "'GetResult'", $"transaction 'tx' is open and holds the locks of 'UPDATE orders' (line {LineOf(0)}) while the thread waits for 'ExecuteScalarAsync'; await it instead"));

    [Fact]
    public Task Awaited_tasks_polls_completed_transactions_and_code_without_a_transaction_are_fine()
        => VerifyPgb005.AnalyzerAsync("""
            interface IRates { Task<decimal> GetAsync(string currency); }

            class Orders
            {
                readonly ManualResetEvent _ready = new(false);

                async Task<long> AwaitedAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var a = new NpgsqlCommand("SELECT count(*) FROM orders", conn, tx);
                    await using var b = new NpgsqlCommand("SELECT count(*) FROM items", conn, tx);
                    var first = a.ExecuteScalarAsync(ct);
                    var second = b.ExecuteScalarAsync(ct);
                    await Task.WhenAll(first, second);
                    var total = (long)first.Result! + (long)second.Result!;
                    var third = a.ExecuteScalarAsync(ct);
                    await third;
                    total += (long)third.Result!;
                    var fourth = a.ExecuteScalarAsync(ct);
                    if (fourth.IsCompleted)
                        total += (long)fourth.Result!;
                    await tx.CommitAsync(ct);
                    return total;
                }

                async Task PollsAsync(NpgsqlConnection conn, IRates rates, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn, tx);
                    await update.ExecuteNonQueryAsync(ct);
                    if (_ready.WaitOne(0))
                        Thread.Sleep(0);
                    // Not database work: left to VSTHRD002 and friends.
                    var rate = rates.GetAsync("EUR").Result;
                    await tx.CommitAsync(ct);
                }

                async Task AfterCommitAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn, tx);
                    await update.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                    Thread.Sleep(100);
                    _ready.WaitOne();
                }

                async Task BeforeAnyStatementAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    Thread.Sleep(100); // Npgsql has not sent BEGIN yet: nothing is held
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn, tx);
                    await update.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }

                async Task NoTransactionAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn);
                    Thread.Sleep(100);
                    _ready.WaitOne();
                    var changed = update.ExecuteNonQueryAsync(ct).Result;
                }

                // Synchronous code: PGB005 is about async code only.
                void Sync(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn, tx);
                    update.ExecuteNonQuery();
                    Thread.Sleep(100);
                    var changed = update.ExecuteNonQueryAsync().Result;
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task A_scope_body_is_a_transaction_but_a_lambda_capturing_one_is_judged_where_it_is_begun()
        => VerifyPgb005.AnalyzerAsync("""
            class Locks
            {
                Task HoldAsync(NpgsqlDataSource dataSource, long key, CancellationToken ct)
                    => dataSource.InTransactionAsync(async (tx, token) =>
                    {
                        {|#1:await tx.AdvisoryXactLockAsync(key, token);|}
                        {|#0:Thread.Sleep(1000)|};
                    }, ct);

                async Task BackgroundAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var update = new NpgsqlCommand("UPDATE orders SET shipped = true", conn, tx);
                    await update.ExecuteNonQueryAsync(ct);
                    Func<Task> later = async () => { Thread.Sleep(10); await Task.Yield(); };
                    await tx.CommitAsync(ct);
                    await later();
                }
            }
            """,
            new DiagnosticResult("PGB005", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("'Thread.Sleep'",
                $"transaction 'tx' is open and holds the locks of 'pg_advisory_xact_lock' (line {LineOf(1)}) while the thread sleeps; await 'Task.Delay' instead, or sleep after the commit"));
}
