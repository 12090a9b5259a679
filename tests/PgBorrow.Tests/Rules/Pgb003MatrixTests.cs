using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb003 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionUsedAfterCompletionAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB003 (transaction used after it completed) across the shapes the issue lists. Expectations
/// follow docs/rules/PGB003.md. Source line N is reported as line N + 8 (the verifier prepends
/// eight usings).
/// </summary>
public class Pgb003MatrixTests
{
    static DiagnosticResult Pgb003(int location, string name, string use, string how, int line)
        => new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(name, $"'{use}'", how, line, "move the use before that, or begin a new transaction for it");

    [Fact]
    public Task Commit_after_rollback_and_after_dispose_name_how_and_where_it_completed()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void AfterRollback(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    tx.Rollback();
                    {|#0:tx|}.Commit();
                }

                void AfterDispose(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    tx.Dispose();
                    {|#1:tx|}.Commit();
                }
            }
            """,
            Pgb003(0, "tx", "Commit", "rolled back", 14),
            Pgb003(1, "tx", "Commit", "disposed", 21));

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
                    tx.Rollback();
                    return {|#0:cmd|}.ExecuteScalar();
                }
            }
            """,
            Pgb003(0, "tx", "ExecuteScalar", "rolled back", 15));

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
}
