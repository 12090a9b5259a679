using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb003 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionUsedAfterCompletionAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB003 (transaction used after it completed) on reported and clean code across the control-flow and
/// ownership shapes it must follow. Expectations follow docs/rules/PGB003.md.
/// </summary>
public partial class Pgb003TransactionUsedAfterCompletionTests
{
    static DiagnosticResult Pgb003(int location, string name, string use, string how, string line)
        => new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(name, $"'{use}'", how, line, "move the use before that, or begin a new transaction for it");

    static DiagnosticResult Outlives(int location, string how, string delegateLine, string completion, string completionLine)
        => new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(location)
            .WithArguments("tx", $"a lambda that {how} (line {delegateLine}) and can still run", completion, completionLine, RunItBefore);

    const string RunItBefore = "run the delegate before that, or let it begin a transaction of its own";

    [Fact]
    public Task Rollback_after_commit_is_reported_with_the_commit_line()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    {|#1:tx.Commit();|}
                    {|#0:tx|}.Rollback();
                }
            }
            """,
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("tx", "'Rollback'", "committed", LineOf(1), "move the use before that, or begin a new transaction for it"));

    [Fact]
    public Task Second_commit_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await tx.CommitAsync(ct);
                    await {|PGB003:tx|}.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Command_executed_with_a_committed_transaction_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                    {|PGB003:cmd|}.ExecuteNonQuery();
                    using var late = new NpgsqlCommand("SELECT 1", conn, {|PGB003:tx|});
                }
            }
            """);

    [Fact]
    public Task Use_after_using_block_disposed_it_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    using (tx)
                    {
                        tx.Commit();
                    }
                    {|PGB003:tx|}.Rollback();
                }
            }
            """);

    [Fact]
    public Task Dispose_after_commit_and_uses_on_some_paths_only_are_fine()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, bool early)
                {
                    var tx = conn.BeginTransaction();
                    if (early)
                        tx.Commit();
                    using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                    tx.Dispose();
                }

                void Flag(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    var committed = false;
                    try
                    {
                        tx.Commit();
                        committed = true;
                    }
                    finally
                    {
                        if (!committed)
                            tx.Rollback();
                        tx.Dispose();
                    }
                }

                void Catch(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        tx.Commit();
                    }
                    catch
                    {
                        tx.Rollback();
                        throw;
                    }
                }
            }
            """);

    [Fact]
    public Task Borrowed_parameter_committed_twice_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Finish(NpgsqlTransaction tx)
                {
                    tx.Commit();
                    {|PGB003:tx|}.Commit();
                }
            }
            """);

    [Fact]
    public Task Use_after_commit_inside_a_lambda_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                Func<NpgsqlTransaction, Task> Work = async tx =>
                {
                    await tx.CommitAsync();
                    await {|PGB003:tx|}.RollbackAsync();
                };
            }
            """);

    [Fact]
    public Task Savepoints_are_uses_of_an_open_transaction()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    tx.Save("before_items");
                    tx.Rollback("before_items");
                    tx.Release("before_items");
                    tx.Commit();
                    {|PGB003:tx|}.Save("too_late");
                }
            }
            """);

    [Fact]
    public Task Commit_after_rollback_and_after_dispose_name_how_and_where_it_completed()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void AfterRollback(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    {|#2:tx.Rollback();|}
                    {|#0:tx|}.Commit();
                }

                void AfterDispose(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    {|#3:tx.Dispose();|}
                    {|#1:tx|}.Commit();
                }
            }
            """,
            Pgb003(0, "tx", "Commit", "rolled back", LineOf(2)),
            Pgb003(1, "tx", "Commit", "disposed", LineOf(3)));

    [Fact]
    public Task Property_reads_after_commit_are_uses()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task<IsolationLevel> PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await tx.CommitAsync(ct);
                    Console.WriteLine({|PGB003:tx|}.Connection?.State);
                    return {|PGB003:tx|}.IsolationLevel;
                }
            }
            """);

    [Fact]
    public Task Command_given_the_transaction_by_an_object_initializer_and_run_after_rollback_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                object? Place(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand { Connection = conn, Transaction = tx, CommandText = "SELECT count(*) FROM orders" };
                    {|#1:tx.Rollback();|}
                    return {|#0:cmd|}.ExecuteScalar();
                }
            }
            """,
            Pgb003(0, "tx", "ExecuteScalar", "rolled back", LineOf(1)));

    [Fact]
    public Task Transaction_setter_batch_constructor_and_reader_after_commit_are_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var select = new NpgsqlCommand("SELECT id FROM orders", conn, tx);
                    using var audit = conn.CreateCommand();
                    tx.Commit();
                    audit.Transaction = {|PGB003:tx|};
                    using var batch = new NpgsqlBatch(conn, {|PGB003:tx|});
                    using var reader = {|PGB003:select|}.ExecuteReader();
                }
            }
            """);

    [Fact]
    public Task Await_using_statement_on_the_transaction_disposes_it_at_its_end()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var tx = await conn.BeginTransactionAsync(ct);
                    await using (tx)
                    {
                        await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                        await cmd.ExecuteNonQueryAsync(ct);
                    }
                    await {|PGB003:tx|}.CommitAsync(ct);
                }

                void SecondCommitInsideUsingBlock(NpgsqlConnection conn)
                {
                    using (var tx = conn.BeginTransaction())
                    {
                        tx.Commit();
                        {|PGB003:tx|}.Commit();
                    }
                }
            }
            """);

    [Fact]
    public Task Dispose_after_commit_and_use_after_an_early_return_branch_are_fine()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task<bool> PlaceAsync(NpgsqlConnection conn, bool skip, CancellationToken ct)
                {
                    var tx = await conn.BeginTransactionAsync(ct);
                    if (skip)
                    {
                        await tx.RollbackAsync(ct);
                        await tx.DisposeAsync();
                        return false;
                    }
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                    await tx.DisposeAsync();
                    return true;
                }
            }
            """);

    [Fact]
    // On the success path the finally's Rollback always runs after the Commit, and Npgsql throws
    // "This NpgsqlTransaction has completed": a real use after completion on every normal path.
    public Task Rollback_in_finally_after_a_commit_inside_the_try_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void CommitInsideTry(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        tx.Commit();
                    }
                    finally
                    {
                        {|PGB003:tx|}.Rollback();
                    }
                }
            }
            """);

    [Fact]
    public Task Rollback_in_catch_reached_from_a_failed_commit_or_a_later_call_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, Action notify)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        tx.Commit();
                        notify();
                    }
                    catch
                    {
                        tx.Rollback();
                        throw;
                    }
                }
            }
            """);

    [Fact]
    public Task Rollback_in_finally_after_a_commit_before_the_try_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void CommitBeforeTry(NpgsqlConnection conn, Action notify)
                {
                    var tx = conn.BeginTransaction();
                    tx.Commit();
                    try
                    {
                        notify();
                    }
                    finally
                    {
                        {|PGB003:tx|}.Rollback();
                    }
                }
            }
            """);

    [Fact]
    public Task Use_after_commit_in_one_branch_and_rollback_in_the_other_is_reported_but_after_one_branch_only_is_not()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void BothBranches(NpgsqlConnection conn, bool ok)
                {
                    var tx = conn.BeginTransaction();
                    if (ok)
                        tx.Commit();
                    else
                        tx.Rollback();
                    {|PGB003:tx|}.Save("after");
                }

                void OneBranch(NpgsqlConnection conn, bool ok)
                {
                    var tx = conn.BeginTransaction();
                    if (ok)
                        tx.Commit();
                    tx.Save("maybe");
                    tx.Dispose();
                }

                string Switch(NpgsqlConnection conn, int kind)
                {
                    var tx = conn.BeginTransaction();
                    switch (kind)
                    {
                        case 0:
                            tx.Rollback();
                            break;
                        case 1:
                            tx.Commit();
                            break;
                        default:
                            tx.Dispose();
                            break;
                    }
                    return {|PGB003:tx|}.IsolationLevel.ToString();
                }
            }
            """);

    [Fact]
    public Task Loops_after_completion_are_reported_and_completion_inside_a_loop_is_not_every_path()
        => VerifyPgb003.AnalyzerAsync("""
            class Jobs
            {
                void CommandsInLoopAfterCommit(NpgsqlConnection conn, int[] ids)
                {
                    using var tx = conn.BeginTransaction();
                    tx.Commit();
                    foreach (var id in ids)
                    {
                        using var cmd = new NpgsqlCommand("DELETE FROM jobs WHERE id = $1", conn, {|PGB003:tx|});
                        cmd.Parameters.AddWithValue(id);
                        {|PGB003:cmd|}.ExecuteNonQuery();
                    }
                }

                void BreakOnlyAfterCommit(NpgsqlConnection conn, Queue<int> queue)
                {
                    var tx = conn.BeginTransaction();
                    for (;;)
                    {
                        if (queue.Count == 0)
                        {
                            tx.Commit();
                            break;
                        }
                        if (queue.Dequeue() < 0)
                            continue;
                    }
                    {|PGB003:tx|}.Rollback();
                }

                void CommitInsideLoop(NpgsqlConnection conn, int[] ids)
                {
                    var tx = conn.BeginTransaction();
                    for (var i = 0; i < ids.Length; i++)
                        tx.Commit();
                    tx.Dispose();
                }
            }
            """);

    [Fact]
    public Task Use_after_a_while_true_loop_left_only_by_break_after_commit_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Jobs
            {
                void Drain(NpgsqlConnection conn, Queue<int> queue)
                {
                    var tx = conn.BeginTransaction();
                    while (true)
                    {
                        if (queue.Count == 0)
                        {
                            tx.Commit();
                            break;
                        }
                        queue.Dequeue();
                    }
                    {|PGB003:tx|}.Rollback();
                }
            }
            """);

    [Fact]
    public Task Explicit_dispose_left_in_place_after_adding_await_using_is_harmless()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, bool ok, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    if (ok)
                        await tx.CommitAsync(ct);
                    await tx.DisposeAsync();
                }
            }
            """);

    [Fact]
    public Task Local_functions_check_their_own_parameter_and_captured_transaction()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    Finish(tx);
                    Abort();

                    static void Finish(NpgsqlTransaction t)
                    {
                        t.Commit();
                        {|PGB003:t|}.Commit();
                    }

                    void Abort()
                    {
                        tx.Rollback();
                        {|PGB003:tx|}.Rollback();
                    }
                }
            }
            """);

    [Fact]
    public Task Lambdas_check_the_captured_transaction_and_a_delegate_call_after_commit_is_a_use()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task AsyncLambda(NpgsqlConnection conn, Func<Func<Task>, Task> retry)
                {
                    await using var tx = await conn.BeginTransactionAsync();
                    await retry(async () =>
                    {
                        await tx.CommitAsync();
                        await {|PGB003:tx|}.CommitAsync();
                    });
                }

                void SyncLambda(NpgsqlConnection conn, List<Action> callbacks)
                {
                    var tx = conn.BeginTransaction();
                    callbacks.Add(() =>
                    {
                        tx.Rollback();
                        {|PGB003:tx|}.Release("x");
                    });
                }

                async Task DelegateCall(NpgsqlConnection conn, Func<NpgsqlConnection, NpgsqlTransaction, Task> work)
                {
                    await using var tx = await conn.BeginTransactionAsync();
                    await tx.CommitAsync();
                    await work(conn, {|PGB003:tx|});
                }
            }
            """);

    [Fact]
    public Task Borrowing_helper_after_commit_is_a_use_but_ownership_taking_calls_and_extensions_are_not()
        => VerifyPgb003.AnalyzerAsync("""
            static class TransactionExtensions
            {
                public static void Trace(this NpgsqlTransaction tx) => Console.WriteLine(tx.GetHashCode());
            }

            class Orders
            {
                static void Insert(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                }

                static void Keep([Owned] NpgsqlTransaction tx) { }

                void Borrow(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    tx.Commit();
                    Insert(conn, {|PGB003:tx|});
                }

                void Owned(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    tx.Commit();
                    Keep(tx);
                }

                void Outside(NpgsqlConnection conn, List<NpgsqlTransaction> finished)
                {
                    var tx = conn.BeginTransaction();
                    tx.Commit();
                    finished.Add(tx);
                }

                void Extension(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    tx.Commit();
                    tx.Trace();
                }
            }
            """);

    [Fact]
    public Task Borrowed_parameters_of_ado_net_types_are_checked_too()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Finish(DbTransaction tx)
                {
                    tx.Commit();
                    {|PGB003:tx|}.Rollback();
                }

                void FinishLegacy(IDbTransaction tx)
                {
                    tx.Rollback();
                    {|PGB003:tx|}.Commit();
                }
            }
            """);

    [Fact]
    public Task Dapper_transaction_argument_after_rollback_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            using Dapper;

            class Accounts
            {
                async Task<decimal> TransferAsync(NpgsqlConnection conn, int from, decimal amount, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await conn.ExecuteAsync("UPDATE accounts SET balance = balance - @amount WHERE id = @from", new { amount, from }, transaction: tx);
                    var balance = await conn.QuerySingleAsync<decimal>("SELECT balance FROM accounts WHERE id = @from", new { from }, tx);
                    if (balance < 0)
                    {
                        await tx.RollbackAsync(ct);
                        await conn.ExecuteAsync("INSERT INTO overdrafts (account_id) VALUES (@from)", new { from }, transaction: {|PGB003:tx|});
                        return balance;
                    }
                    await tx.CommitAsync(ct);
                    return balance;
                }
            }
            """);

    [Fact]
    public Task Savepoint_rollback_does_not_complete_but_release_after_commit_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await tx.SaveAsync("items", ct);
                    await tx.RollbackAsync("items", ct);
                    await tx.CommitAsync(ct);
                    await {|PGB003:tx|}.ReleaseAsync("items", ct);
                }
            }
            """);

    [Fact]
    public Task Reassigned_variable_and_closed_connection_are_not_uses_after_completion()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Reassigned(NpgsqlConnection conn, int[] batches)
                {
                    var tx = conn.BeginTransaction();
                    tx.Commit();
                    tx = conn.BeginTransaction();
                    tx.Commit();
                }

                void ConnectionClosed(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    conn.Close();
                    tx.Rollback();
                }
            }
            """);

    [Fact]
    public Task Retry_loop_that_rolls_back_and_begins_again_in_the_same_variable_is_fine()
        => VerifyPgb003.AnalyzerAsync("""
            class Accounts
            {
                static void Debit(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    using var cmd = new NpgsqlCommand("UPDATE accounts SET balance = balance - 1", conn, tx);
                    cmd.ExecuteNonQuery();
                }

                void Run(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction(IsolationLevel.Serializable);
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            Debit(conn, tx);
                            tx.Commit();
                            return;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure && attempt < 3)
                        {
                            tx.Rollback();
                            tx = conn.BeginTransaction(IsolationLevel.Serializable);
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task Null_conditional_call_and_is_not_null_guarded_call_after_commit_are_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    NpgsqlTransaction? tx = conn.BeginTransaction();
                    tx.Commit();
                    {|PGB003:tx|}?.Rollback();
                    if (tx is not null)
                        {|PGB003:tx|}.Rollback();
                }
            }
            """);

    [Fact]
    public Task Committed_flag_and_goto_paths_are_followed()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Flag(NpgsqlConnection conn, Action work)
                {
                    var tx = conn.BeginTransaction();
                    var committed = false;
                    try
                    {
                        work();
                        tx.Commit();
                        committed = true;
                    }
                    finally
                    {
                        if (!committed)
                            tx.Rollback();
                    }
                    if (committed)
                        {|PGB003:tx|}.Commit();
                }

                void Goto(NpgsqlConnection conn, bool ok)
                {
                    var tx = conn.BeginTransaction();
                    if (!ok)
                        goto fail;
                    tx.Commit();
                    goto audit;
                fail:
                    tx.Rollback();
                audit:
                    Console.WriteLine({|PGB003:tx|}.IsolationLevel);
                }
            }
            """);

    [Fact]
    public Task Nested_try_finally_after_commit_still_reports_the_late_use()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, Action notify)
                {
                    using var tx = conn.BeginTransaction();
                    try
                    {
                        try
                        {
                            tx.Commit();
                        }
                        finally
                        {
                            notify();
                        }
                        using var audit = new NpgsqlCommand("INSERT INTO audit DEFAULT VALUES", conn, {|PGB003:tx|});
                        {|PGB003:audit|}.ExecuteNonQuery();
                    }
                    finally
                    {
                        tx.Dispose();
                    }
                }
            }
            """);

    [Fact]
    public Task Code_with_a_missing_semicolon_still_reports_the_use()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    tx.Commit();
                    {|PGB003:tx|}.Rollback(){|CS1002:|}
                }
            }
            """);

    [Fact]
    public Task Method_with_hundreds_of_branches_is_still_analysed()
    {
        var branches = string.Join("\n", Enumerable.Range(0, 300).Select(i => $$"""
                    if (ids[{{i % 7}}] == {{i}})
                        total += {{i}};
            """));
        return VerifyPgb003.AnalyzerAsync($$"""
            class Huge
            {
                int Run(NpgsqlConnection conn, int[] ids)
                {
                    using var tx = conn.BeginTransaction();
                    var total = 0;
                    tx.Commit();
            {{branches}}
                    {|PGB003:tx|}.Rollback();
                    return total;
                }
            }
            """);
    }

    // PGB003 across time: a lambda that uses the method's transaction, escapes, and outlives its completion.

    // --- Reported ---------------------------------------------------------------------------------------

    [Fact]
    public Task Lambda_stored_in_a_field_then_commit_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                Func<Task>? _onSaved;

                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    _onSaved = () => {|#0:tx|}.SaveAsync("after", ct);
                    {|#1:await tx.CommitAsync(ct);|}
                }
            }
            """,
            Outlives(0, "is stored in the field '_onSaved'", LineOf(0), "committed", LineOf(1)));

    [Fact]
    public Task Command_bound_to_the_transaction_in_an_unawaited_task_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Audit
            {
                async Task WriteAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO audit DEFAULT VALUES", conn, tx);
                    _ = Task.Run(() => {|#0:cmd|}.ExecuteNonQueryAsync(ct));
                    {|#1:await tx.CommitAsync(ct);|}
                }
            }
            """,
            Outlives(0, "runs on the thread pool through 'Run', whose task is discarded", LineOf(0), "committed", LineOf(1)));

    [Fact]
    public Task Callback_added_to_a_member_list_then_using_end_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class UnitOfWork
            {
                readonly List<Action> _afterCommit = new();

                void Save(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    _afterCommit.Add(() => {|#0:tx|}.Rollback());
                    {|#1:tx.Commit();|}
                }
            }
            """,
            Outlives(0, "is added to '_afterCommit', which outlives the body", LineOf(0), "committed", LineOf(1)));

    [Fact]
    public Task Deferred_query_returned_from_the_using_scope_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;
            class Lookups
            {
                IEnumerable<long> Counts(NpgsqlConnection conn, IEnumerable<string> tables)
                {
                    using var tx = conn.BeginTransaction();
                    return tables.Select(t => Count(conn, {|#0:tx|}, t));
                {|#1:}|}

                static long Count(NpgsqlConnection conn, NpgsqlTransaction tx, string table) => 0;
            }
            """,
            Outlives(0, "is deferred by 'Select', whose query is returned unenumerated", LineOf(0), "disposed", LineOf(1)));

    [Fact]
    public Task Returned_lambda_over_a_using_transaction_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Jobs
            {
                Func<int> Prepare(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    return () => new NpgsqlCommand("DELETE FROM jobs", conn, {|#0:tx|}).ExecuteNonQuery();
                {|#1:}|}
            }
            """,
            Outlives(0, "is returned", LineOf(0), "disposed", LineOf(1)));

    [Fact]
    public Task Lambda_on_a_timer_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Heartbeat
            {
                Timer? _timer;

                void Start(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    _timer = new Timer(_ => {|#0:tx|}.Save("beat"), null, 0, 1000);
                    {|#1:tx.Commit();|}
                }
            }
            """,
            Outlives(0, "runs on a Timer", LineOf(0), "committed", LineOf(1)));

    [Fact]
    public Task Local_function_started_and_not_awaited_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Audit
            {
                async Task WriteAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    {|#1:_ = Task.Run(Write);|}
                    {|#2:await tx.CommitAsync(ct);|}

                    Task Write() => {|#0:tx|}.SaveAsync("w", ct);
                }
            }
            """,
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("tx", $"the local function 'Write' that runs on the thread pool through 'Run', whose task is discarded (line {LineOf(1)}) and can still run", "committed", LineOf(2), RunItBefore));

    [Fact]
    public Task Local_function_called_here_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Audit
            {
                async Task WriteAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await Task.Run(Write);
                    await Write();
                    await tx.CommitAsync(ct);

                    Task Write() => tx.SaveAsync("w", ct);
                }
            }
            """);

    // --- Not reported -----------------------------------------------------------------------------------

    [Fact]
    public Task Lambda_run_here_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, Func<Func<Task>, Task> retry, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await retry(() => tx.SaveAsync("step", ct));
                    Func<Task> local = () => tx.SaveAsync("again", ct);
                    await local();
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Started_task_awaited_before_the_commit_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Audit
            {
                async Task WriteAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO audit DEFAULT VALUES", conn, tx);
                    var work = Task.Run(() => cmd.ExecuteNonQueryAsync(ct));
                    await work;
                    await Task.Run(() => tx.SaveAsync("s", ct));
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Field_cleared_after_the_commit_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Session
            {
                Action? _abort;

                void Run(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    _abort = () => tx.Rollback();
                    try
                    {
                        tx.Commit();
                    }
                    finally
                    {
                        _abort = null;
                    }
                }
            }
            """);

    [Fact]
    public Task Callbacks_cleared_by_the_method_are_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class UnitOfWork
            {
                readonly List<Action> _pending = new();

                void Save(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    _pending.Add(() => tx.Save("p"));
                    foreach (var step in _pending)
                        step();
                    _pending.Clear();
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Query_materialized_before_the_using_ends_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;
            class Lookups
            {
                List<long> Counts(NpgsqlConnection conn, IEnumerable<string> tables)
                {
                    using var tx = conn.BeginTransaction();
                    var counts = tables.Select(t => Count(conn, tx, t)).ToList();
                    tx.Commit();
                    return counts;
                }

                static long Count(NpgsqlConnection conn, NpgsqlTransaction tx, string table) => 0;
            }
            """);

    [Fact]
    public Task Transaction_handed_on_with_the_lambda_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Deferred
            {
                Func<Task>? _commit;

                async Task BeginAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var tx = await conn.BeginTransactionAsync(ct);
                    _commit = async () => { await tx.CommitAsync(ct); await tx.DisposeAsync(); };
                }
            }
            """);

    [Fact]
    public Task Borrowed_transaction_captured_by_a_stored_lambda_is_not_this_rules_business()
        => VerifyPgb003.AnalyzerAsync("""
            class Handler
            {
                Func<Task>? _later;

                Task Handle(NpgsqlTransaction tx, CancellationToken ct)
                {
                    _later = () => tx.SaveAsync("x", ct);
                    return Task.CompletedTask;
                }
            }
            """);

    [Fact]
    public Task Lambda_created_after_the_commit_in_a_new_transaction_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                Func<Task>? _next;

                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var tx = await conn.BeginTransactionAsync(ct);
                    await tx.CommitAsync(ct);
                    await tx.DisposeAsync();
                    tx = await conn.BeginTransactionAsync(ct);
                    _next = () => tx.CommitAsync(ct);
                }
            }
            """);

    // PGB003 for the caller's transaction: a method that begins its own transaction when the caller gives none must
    // complete only that one. RepoDB's DeleteAll (fixed in 306986aa) tested `transaction != null` for "implicit" and
    // committed and disposed the caller's transaction.

    static DiagnosticResult CallersCompleted(int location, string name, string completion)
        => new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(location)
            .WithArguments(name, "the caller that passed it in", completion, LineOf(location), CompleteOnlyYourOwn);

    const string CompleteOnlyYourOwn = "this method begins a transaction of its own only when none is given, so complete only that one (test a flag set where it begins it)";

    // --- Reported: the caller's transaction -------------------------------------------------------------

    // RepoDB's DeleteAll before and after 306986aa: only the flag's first value differs.
    const string DeleteAll = """
            static class Deletes
            {
                public static int DeleteAll(IDbConnection connection, int[] keys, IDbTransaction transaction = null)
                {
                    var hasImplicitTransaction = [[INITIAL]];
                    var deleted = 0;
                    try
                    {
                        if (transaction == null && keys.Length > 100)
                        {
                            transaction = connection.BeginTransaction();
                            hasImplicitTransaction = true;
                        }
                        foreach (var key in keys)
                        {
                            using var command = connection.CreateCommand();
                            command.Transaction = transaction;
                            command.CommandText = "DELETE FROM items WHERE id = " + key;
                            deleted += command.ExecuteNonQuery();
                        }
                        if (hasImplicitTransaction)
                        {
                            [[COMMIT]];
                        }
                    }
                    finally
                    {
                        if (hasImplicitTransaction)
                        {
                            transaction.Dispose();
                        }
                    }
                    return deleted;
                }
            }
            """;

    [Fact]
    public Task Flag_that_is_true_for_the_callers_transaction_is_reported()
        => VerifyPgb003.AnalyzerAsync(DeleteAll.Replace("[[INITIAL]]", "(transaction != null)").Replace("[[COMMIT]]", "{|#0:transaction.Commit()|}"),
            CallersCompleted(0, "transaction", "committed"));

    [Fact]
    public Task Unconditional_commit_after_begin_if_none_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task SaveAsync(NpgsqlConnection conn, NpgsqlTransaction? transaction, CancellationToken ct)
                {
                    if (transaction is null)
                        transaction = await conn.BeginTransactionAsync(ct);
                    await using var command = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, transaction);
                    await command.ExecuteNonQueryAsync(ct);
                    await {|#0:transaction.CommitAsync(ct)|};
                }
            }
            """,
            CallersCompleted(0, "transaction", "committed"));

    [Fact]
    public Task Rollback_in_catch_of_the_callers_transaction_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Save(NpgsqlConnection conn, NpgsqlTransaction? transaction = null)
                {
                    var owned = false;
                    if (transaction == null)
                    {
                        transaction = conn.BeginTransaction();
                        owned = true;
                    }
                    try
                    {
                        using var command = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, transaction);
                        command.ExecuteNonQuery();
                        if (owned)
                            transaction.Commit();
                    }
                    catch
                    {
                        {|#0:transaction.Rollback()|};
                        throw;
                    }
                }
            }
            """,
            CallersCompleted(0, "transaction", "rolled back"));

    // --- Not reported: the caller's transaction ---------------------------------------------------------

    [Fact]
    public Task Flag_set_where_the_method_begins_its_own_is_not_reported()
        => VerifyPgb003.AnalyzerAsync(DeleteAll.Replace("[[INITIAL]]", "false").Replace("[[COMMIT]]", "transaction.Commit()"));

    [Fact]
    public Task Flag_holding_the_null_test_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Save(NpgsqlConnection conn, NpgsqlTransaction? transaction = null)
                {
                    var ownsTransaction = transaction == null;
                    if (ownsTransaction)
                        transaction = conn.BeginTransaction();
                    using var command = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, transaction);
                    command.ExecuteNonQuery();
                    if (ownsTransaction)
                    {
                        transaction!.Commit();
                        transaction.Dispose();
                    }
                }
            }
            """);

    [Fact]
    public Task Own_transaction_completed_inside_the_branch_that_begins_it_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Save(NpgsqlConnection conn, NpgsqlTransaction? transaction = null)
                {
                    if (transaction == null)
                    {
                        transaction = conn.BeginTransaction();
                        try
                        {
                            Insert(conn, transaction);
                            transaction.Commit();
                        }
                        finally
                        {
                            transaction.Dispose();
                        }
                    }
                    else
                    {
                        Insert(conn, transaction);
                    }
                }

                static void Insert(NpgsqlConnection conn, NpgsqlTransaction transaction)
                {
                    using var command = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, transaction);
                    command.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Helper_that_completes_what_it_is_given_and_begins_nothing_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            static class UnitOfWorkHelpers
            {
                public static void CommitAndDispose(IDbTransaction transaction)
                {
                    transaction.Commit();
                    transaction.Dispose();
                }
            }
            """);
}
