using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using PgBorrow.Tests.Infrastructure;
using Xunit;
using VerifyPgb001 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionMayBeLeftOpenAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB001 (transaction may be left open) across the shapes the issue lists. Expectations follow
/// docs/rules/PGB001.md and docs/ownership-model.md. Source line N is reported as line N + 8 (the
/// verifier prepends eight usings).
/// </summary>
public class Pgb001MatrixTests
{
    static DiagnosticResult Pgb001(int location, string name, int exitLine, string usingForm = "'using'")
        => new DiagnosticResult("PGB001", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(name, exitLine, "Transaction",
            $"it is neither committed, rolled back nor disposed on that path; declare it with {usingForm} so it rolls back on every path that does not commit");

    [Fact]
    public Task Early_return_is_named_as_the_exit_that_leaves_the_transaction_open()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                async Task<bool> ReserveAsync(NpgsqlConnection conn, long id, CancellationToken ct)
                {
                    var {|#0:tx|} = await conn.BeginTransactionAsync(ct);
                    await using var select = new NpgsqlCommand("SELECT status FROM orders WHERE id = $1 FOR UPDATE", conn, tx);
                    select.Parameters.AddWithValue(id);
                    if (await select.ExecuteScalarAsync(ct) as string != "pending")
                        return false;
                    await tx.CommitAsync(ct);
                    await tx.DisposeAsync();
                    return true;
                }
            }
            """,
            Pgb001(0, "tx", 17, "'await using'"));

    [Fact]
    public Task Bare_return_is_named_as_the_exit_that_leaves_the_transaction_open()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, bool skip)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    if (skip)
                        return;
                    tx.Commit();
                }
            }
            """,
            Pgb001(0, "tx", 15));

    [Fact]
    public Task Using_and_await_using_declarations_and_statements_end_the_transaction_on_every_exit()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                bool UsingDeclaration(NpgsqlConnection conn, bool ok)
                {
                    using var tx = conn.BeginTransaction();
                    if (!ok)
                        return false;
                    tx.Commit();
                    return true;
                }

                bool UsingStatementOnExistingLocal(NpgsqlConnection conn, bool ok)
                {
                    var tx = conn.BeginTransaction();
                    using (tx)
                    {
                        if (!ok)
                            return false;
                        tx.Commit();
                    }
                    return true;
                }

                async Task<bool> AwaitUsingDeclaration(NpgsqlConnection conn, bool ok, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    if (!ok)
                        return false;
                    await tx.CommitAsync(ct);
                    return true;
                }

                async Task<bool> AwaitUsingStatement(NpgsqlConnection conn, bool ok, CancellationToken ct)
                {
                    await using (var tx = await conn.BeginTransactionAsync(ct))
                    {
                        if (!ok)
                            return false;
                        await tx.CommitAsync(ct);
                    }
                    return true;
                }
            }
            """);

    [Fact]
    public Task Transaction_only_an_exception_can_leave_open_is_left_to_PGB002()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                static void Insert(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                }

                void Place(NpgsqlConnection conn, int quantity)
                {
                    var tx = conn.BeginTransaction();
                    if (quantity <= 0)
                        throw new ArgumentOutOfRangeException(nameof(quantity));
                    Insert(conn, tx);
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Catch_that_swallows_the_exception_returns_normally_with_the_transaction_open()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                static void Insert(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                }

                bool TryPlace(NpgsqlConnection conn)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    try
                    {
                        Insert(conn, tx);
                        tx.Commit();
                        return true;
                    }
                    catch (PostgresException)
                    {
                        return false;
                    }
                }
            }
            """,
            Pgb001(0, "tx", 28));

    [Fact]
    public Task Commit_in_one_branch_and_nothing_in_the_other_is_reported_but_commit_or_rollback_is_not()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void Good(NpgsqlConnection conn, bool ok)
                {
                    var tx = conn.BeginTransaction();
                    if (ok)
                        tx.Commit();
                    else
                        tx.Rollback();
                }

                void Bad(NpgsqlConnection conn, bool ok)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    if (ok)
                        tx.Commit();
                }

                void AssignedInBranches(NpgsqlConnection conn, bool serializable)
                {
                    NpgsqlTransaction {|PGB001:tx|};
                    if (serializable)
                        tx = conn.BeginTransaction(IsolationLevel.Serializable);
                    else
                        tx = conn.BeginTransaction();
                    if (serializable)
                        tx.Commit();
                }

                void SavepointRollbackIsNotAnEnd(NpgsqlConnection conn)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    tx.Save("items");
                    tx.Rollback("items");
                }
            }
            """);

    [Fact]
    public Task Switch_with_a_case_that_neither_commits_nor_rolls_back_is_reported()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                string Good(NpgsqlConnection conn, int kind)
                {
                    var tx = conn.BeginTransaction();
                    switch (kind)
                    {
                        case 0:
                            tx.Rollback();
                            return "none";
                        case 1:
                        case 2:
                            tx.Commit();
                            return "few";
                        default:
                            tx.Dispose();
                            return "other";
                    }
                }

                string Bad(NpgsqlConnection conn, int kind)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    switch (kind)
                    {
                        case 0:
                            tx.Rollback();
                            return "none";
                        case > 10:
                            return "many";
                        default:
                            tx.Commit();
                            return "other";
                    }
                }

                void GotoCase(NpgsqlConnection conn, int kind)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    switch (kind)
                    {
                        case 0:
                            goto case 1;
                        case 1:
                            tx.Commit();
                            break;
                        case 2:
                            goto default;
                        default:
                            break;
                    }
                }
            }
            """,
            Pgb001(0, "tx", 38));

    [Fact]
    public Task Loops_with_break_and_continue_are_followed_path_by_path()
        => VerifyPgb001.AnalyzerAsync("""
            class Jobs
            {
                void ForWithBreak(NpgsqlConnection conn, int[] ids)
                {
                    for (var i = 0; i < ids.Length; i++)
                    {
                        var {|PGB001:tx|} = conn.BeginTransaction();
                        if (ids[i] < 0)
                            break;
                        tx.Commit();
                    }
                }

                void WhileWithContinue(NpgsqlConnection conn, Queue<int> queue)
                {
                    while (queue.Count > 0)
                    {
                        var id = queue.Dequeue();
                        var {|PGB001:tx|} = conn.BeginTransaction();
                        if (id == 0)
                            continue;
                        tx.Commit();
                    }
                }

                void BeginOutsideCompleteAfterLoop(NpgsqlConnection conn, int[] ids)
                {
                    var tx = conn.BeginTransaction();
                    foreach (var id in ids)
                    {
                        if (id < 0)
                            break;
                        if (id == 0)
                            continue;
                        using var cmd = new NpgsqlCommand("DELETE FROM jobs WHERE id = $1", conn, tx);
                        cmd.Parameters.AddWithValue(id);
                        cmd.ExecuteNonQuery();
                    }
                    tx.Commit();
                }

                void ReturnFromInsideLoop(NpgsqlConnection conn, int[] ids)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    foreach (var id in ids)
                    {
                        if (id < 0)
                            return;
                    }
                    tx.Commit();
                }

                void DoWhileWithContinue(NpgsqlConnection conn, Queue<int> queue)
                {
                    do
                    {
                        var {|PGB001:tx|} = conn.BeginTransaction();
                        if (queue.Dequeue() < 0)
                            continue;
                        tx.Commit();
                    } while (queue.Count > 0);
                }
            }
            """);

    [Fact]
    public Task While_true_loop_is_left_only_through_its_return()
        => VerifyPgb001.AnalyzerAsync("""
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
                            return;
                        }
                        queue.Dequeue();
                    }
                }
            }
            """);

    [Fact]
    public Task For_ever_loop_is_left_only_through_its_return()
        => VerifyPgb001.AnalyzerAsync("""
            class Jobs
            {
                void Drain(NpgsqlConnection conn, Queue<int> queue)
                {
                    var tx = conn.BeginTransaction();
                    for (;;)
                    {
                        if (queue.Count == 0)
                        {
                            tx.Commit();
                            return;
                        }
                        queue.Dequeue();
                    }
                }
            }
            """);

    [Fact]
    public Task Await_using_of_the_configured_transaction_disposes_it()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, bool ok, CancellationToken ct)
                {
                    var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await using (tx.ConfigureAwait(false))
                    {
                        if (!ok)
                            return;
                        await tx.CommitAsync(ct).ConfigureAwait(false);
                    }
                }
            }
            """);

    [Fact]
    public Task Value_task_factory_result_is_owned_but_a_method_that_may_return_a_shared_transaction_is_not_a_factory()
        => VerifyPgb001.AnalyzerAsync("""
            class Transactions
            {
                NpgsqlTransaction? _ambient;

                async ValueTask<NpgsqlTransaction> BeginAsync(NpgsqlConnection conn)
                    => await conn.BeginTransactionAsync();

                NpgsqlTransaction Current(NpgsqlConnection conn)
                {
                    if (_ambient is not null)
                        return _ambient;
                    var tx = conn.BeginTransaction();
                    _ambient = tx;
                    return tx;
                }

                async Task Fresh(NpgsqlConnection conn)
                {
                    var {|PGB001:tx|} = await BeginAsync(conn);
                    await tx.SaveAsync("a");
                }

                void Shared(NpgsqlConnection conn)
                {
                    var tx = Current(conn);
                    tx.Save("a");
                }
            }
            """);

    [Fact]
    public Task Local_function_that_commits_takes_the_transaction_only_where_it_is_called()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void CalledOnEveryPath(NpgsqlConnection conn, bool ok)
                {
                    var tx = conn.BeginTransaction();
                    if (ok)
                        Finish();
                    else
                        tx.Rollback();

                    void Finish() => tx.Commit();
                }

                void CalledOnOnePath(NpgsqlConnection conn, bool ok)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    if (ok)
                        Finish();

                    void Finish() => tx.Commit();
                }

                void StaticLocalFunctionWithParameter(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    Finish(tx);

                    static void Finish(NpgsqlTransaction t) => t.Commit();
                }

                void LocalFunctionThatOnlyBorrows(NpgsqlConnection conn)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    Insert();

                    void Insert()
                    {
                        using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                        cmd.ExecuteNonQuery();
                    }
                }
            }
            """);

    [Fact]
    public Task Lambda_that_completes_the_transaction_takes_it_and_one_that_only_uses_it_borrows()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                Action? _onDone;

                void SyncLambdaCommits(NpgsqlConnection conn, List<Action> callbacks)
                {
                    var tx = conn.BeginTransaction();
                    Action commit = () => tx.Commit();
                    callbacks.Add(commit);
                }

                async Task AsyncLambdaCommits(NpgsqlConnection conn, Func<Func<Task>, Task> retry)
                {
                    var tx = await conn.BeginTransactionAsync();
                    await retry(async () => await tx.CommitAsync());
                }

                Task ExpressionLambdaCommits(NpgsqlConnection conn, Func<Func<Task>, Task> run)
                {
                    var tx = conn.BeginTransaction();
                    return run(() => tx.CommitAsync());
                }

                void SyncLambdaOnlyUses(NpgsqlConnection conn, Action<Action> run)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    run(() =>
                    {
                        using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                        cmd.ExecuteNonQuery();
                    });
                }

                async Task TaskRunOnlyUses(NpgsqlConnection conn)
                {
                    var {|PGB001:tx|} = await conn.BeginTransactionAsync();
                    await Task.Run(async () =>
                    {
                        await using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                        await cmd.ExecuteNonQueryAsync();
                    });
                }

                void LambdaThatEscapesToAField(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    _onDone = () => Console.WriteLine(tx.IsolationLevel);
                }

                Func<NpgsqlTransaction> ReturnedLambda(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    return () => tx;
                }
            }
            """);

    [Fact]
    public Task Accessors_constructors_iterators_and_lock_bodies_are_analysed()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                readonly object _gate = new();
                readonly NpgsqlConnection _conn = new();

                Orders(NpgsqlConnection conn)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                }

                int Pending
                {
                    get
                    {
                        var {|PGB001:tx|} = _conn.BeginTransaction();
                        return 0;
                    }
                }

                void Locked(bool ok)
                {
                    lock (_gate)
                    {
                        var {|PGB001:tx|} = _conn.BeginTransaction();
                        if (ok)
                            tx.Commit();
                    }
                }

                IEnumerable<int> Numbers(int n)
                {
                    var {|PGB001:tx|} = _conn.BeginTransaction();
                    for (var i = 0; i < n; i++)
                    {
                        if (i > 10)
                            yield break;
                        yield return i;
                    }
                    tx.Commit();
                }

                async IAsyncEnumerable<int> NumbersAsync(int n)
                {
                    await using var tx = await _conn.BeginTransactionAsync();
                    for (var i = 0; i < n; i++)
                        yield return i;
                    await tx.CommitAsync();
                }
            }
            """);

    [Fact]
    public Task Transaction_begun_in_either_arm_of_a_conditional_is_owned()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, bool serializable)
                {
                    var {|PGB001:tx|} = serializable ? conn.BeginTransaction(IsolationLevel.Serializable) : conn.BeginTransaction();
                    tx.Save("a");
                }
            }
            """);

    [Fact]
    public Task Returning_and_yield_returning_move_the_transaction_to_the_caller()
        => VerifyPgb001.AnalyzerAsync("""
            class Transactions
            {
                async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("SET LOCAL lock_timeout = '2s'", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    return tx;
                }

                IEnumerable<NpgsqlTransaction> PerShard(IEnumerable<NpgsqlConnection> shards)
                {
                    foreach (var conn in shards)
                    {
                        var tx = conn.BeginTransaction();
                        yield return tx;
                    }
                }

                async Task CallerOwnsTheFactoryResult(NpgsqlConnection conn, CancellationToken ct)
                {
                    var {|PGB001:tx|} = await BeginAsync(conn, ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Storing_in_a_field_array_tuple_or_out_parameter_and_ref_arguments_move_the_transaction()
        => VerifyPgb001.AnalyzerAsync("""
            sealed class UnitOfWork : IDisposable
            {
                readonly NpgsqlTransaction _tx;
                public UnitOfWork(NpgsqlTransaction tx) => _tx = tx;
                public void Commit() => _tx.Commit();
                public void Dispose() => _tx.Dispose();
            }

            class Orders
            {
                NpgsqlTransaction? _current;
                NpgsqlTransaction[] _slots = new NpgsqlTransaction[1];
                (NpgsqlTransaction Tx, int Id) _pair;

                UnitOfWork Wrap(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    return new UnitOfWork(tx);
                }

                void Field(NpgsqlConnection conn) { var tx = conn.BeginTransaction(); _current = tx; }
                void Array(NpgsqlConnection conn) { var tx = conn.BeginTransaction(); _slots[0] = tx; }
                void Tuple(NpgsqlConnection conn) { var tx = conn.BeginTransaction(); _pair = (tx, 1); }

                static void Hand(NpgsqlTransaction tx, out NpgsqlTransaction taken) => taken = tx;
                static void Inspect(ref NpgsqlTransaction tx) => Console.WriteLine(tx.IsolationLevel);

                void Ref(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    Inspect(ref tx);
                }

                void Out(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    Hand(tx, out var taken);
                    taken.Commit();
                }
            }
            """);

    [Fact]
    public Task Helper_of_the_compilation_that_completes_takes_ownership_and_one_that_only_borrows_does_not()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                static async Task FinishAsync(NpgsqlTransaction tx, bool ok, CancellationToken ct)
                {
                    if (ok)
                        await tx.CommitAsync(ct);
                    else
                        await tx.RollbackAsync(ct);
                }

                static async Task InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                static Task FinishTwoLevelsDownAsync(NpgsqlTransaction tx, CancellationToken ct) => FinishAsync(tx, true, ct);

                async Task Good(NpgsqlConnection conn, CancellationToken ct)
                {
                    var tx = await conn.BeginTransactionAsync(ct);
                    await InsertAsync(conn, tx, ct);
                    await FinishTwoLevelsDownAsync(tx, ct);
                }

                async Task Bad(NpgsqlConnection conn, CancellationToken ct)
                {
                    var {|PGB001:tx|} = await conn.BeginTransactionAsync(ct);
                    await InsertAsync(conn, tx, ct);
                }
            }
            """);

    [Fact]
    public Task Helper_that_commits_on_only_some_paths_is_a_borrow()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                static void MaybeCommit(NpgsqlTransaction tx, bool ok)
                {
                    if (ok)
                        tx.Commit();
                }

                void Place(NpgsqlConnection conn, bool ok)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    MaybeCommit(tx, ok);
                }
            }
            """);

    [Fact]
    public Task Owned_parameter_must_be_completed_on_every_path_or_handed_on()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                static void Keep([Owned] NpgsqlTransaction tx) { }

                void Completes([Owned] NpgsqlTransaction tx, bool ok)
                {
                    if (ok) tx.Commit(); else tx.Rollback();
                }

                bool LeavesOpen([Owned] NpgsqlTransaction {|#0:tx|}, bool ok)
                {
                    if (!ok)
                        return false;
                    tx.Commit();
                    return true;
                }

                void HandsOn([Owned] NpgsqlTransaction tx) => Keep(tx);

                void Borrowed(NpgsqlTransaction tx) { }

                void Caller(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    Keep(tx);
                }
            }
            """,
            Pgb001(0, "tx", 21));

    [Fact]
    public Task Assigning_to_another_local_moves_the_check_to_that_local()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void Good(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    var current = tx;
                    current.Commit();
                }

                void Bad(NpgsqlConnection conn, bool ok)
                {
                    var tx = conn.BeginTransaction();
                    var {|PGB001:current|} = tx;
                    if (ok)
                        current.Commit();
                }
            }
            """);

    [Fact]
    public Task Closing_the_connection_does_not_decide_the_transaction()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    var {|PGB001:tx|} = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                void Close(NpgsqlConnection conn)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    conn.Close();
                }
            }
            """);

    [Fact]
    public Task Dapper_calls_borrow_the_transaction()
        => VerifyPgb001.AnalyzerAsync("""
            using Dapper;

            class Accounts
            {
                async Task TransferAsync(NpgsqlConnection conn, int from, int to, decimal amount, CancellationToken ct)
                {
                    var {|PGB001:tx|} = await conn.BeginTransactionAsync(ct);
                    await conn.ExecuteAsync("UPDATE accounts SET balance = balance - @amount WHERE id = @from", new { amount, from }, transaction: tx);
                    var balance = await conn.QuerySingleAsync<decimal>("SELECT balance FROM accounts WHERE id = @from", new { from }, tx);
                    if (balance < 0)
                        return;
                    await conn.ExecuteAsync("UPDATE accounts SET balance = balance + @amount WHERE id = @to", new { amount, to }, transaction: tx);
                    await tx.CommitAsync(ct);
                }

                async Task TransferRightAsync(NpgsqlConnection conn, int from, decimal amount, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await conn.ExecuteAsync("UPDATE accounts SET balance = balance - @amount WHERE id = @from", new { amount, from }, transaction: tx);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Retry_loop_whose_catch_swallows_the_error_without_rolling_back_is_reported()
        => VerifyPgb001.AnalyzerAsync("""
            class Accounts
            {
                static async Task DebitAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("UPDATE accounts SET balance = balance - 1", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                async Task<bool> Bad(NpgsqlConnection conn, CancellationToken ct)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        var {|PGB001:tx|} = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                        try
                        {
                            await DebitAsync(conn, tx, ct);
                            await tx.CommitAsync(ct);
                            return true;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure)
                        {
                        }
                    }
                    return false;
                }

                async Task<bool> Good(NpgsqlConnection conn, CancellationToken ct)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                        try
                        {
                            await DebitAsync(conn, tx, ct);
                            await tx.CommitAsync(ct);
                            return true;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure)
                        {
                        }
                    }
                    return false;
                }
            }
            """);

    [Fact]
    public Task Unit_of_work_that_begins_in_its_factory_and_completes_in_commit_and_dispose_is_clean()
        => VerifyPgb001.AnalyzerAsync("""
            sealed class UnitOfWork : IAsyncDisposable
            {
                readonly NpgsqlConnection _conn;
                readonly NpgsqlTransaction _tx;

                UnitOfWork([Owned] NpgsqlConnection conn, [Owned] NpgsqlTransaction tx)
                {
                    _conn = conn;
                    _tx = tx;
                }

                public static async Task<UnitOfWork> StartAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var conn = await dataSource.OpenConnectionAsync(ct);
                    var tx = await conn.BeginTransactionAsync(ct);
                    return new UnitOfWork(conn, tx);
                }

                public Task CommitAsync(CancellationToken ct) => _tx.CommitAsync(ct);

                public async ValueTask DisposeAsync()
                {
                    await _tx.DisposeAsync();
                    await _conn.DisposeAsync();
                }
            }
            """);

    [Fact]
    public Task Null_conditional_dispose_and_is_not_null_checks_in_finally_are_understood()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void ConditionalDispose(NpgsqlConnection conn)
                {
                    NpgsqlTransaction? tx = null;
                    try
                    {
                        tx = conn.BeginTransaction();
                        tx.Commit();
                    }
                    finally
                    {
                        tx?.Dispose();
                    }
                }

                void IsNotNull(NpgsqlConnection conn, bool ok)
                {
                    NpgsqlTransaction? tx = null;
                    try
                    {
                        tx = conn.BeginTransaction();
                        if (ok)
                            tx.Commit();
                    }
                    finally
                    {
                        if (tx is not null)
                            tx.Dispose();
                    }
                }

                void IsNotNullGuardsTheWrongThing(NpgsqlConnection conn, NpgsqlTransaction? other)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    if (other is not null)
                        tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Committed_flag_is_followed_and_a_flag_set_on_the_wrong_path_is_reported()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                async Task Good(NpgsqlConnection conn, CancellationToken ct)
                {
                    var tx = await conn.BeginTransactionAsync(ct);
                    var committed = false;
                    try
                    {
                        await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                        await cmd.ExecuteNonQueryAsync(ct);
                        await tx.CommitAsync(ct);
                        committed = true;
                    }
                    catch (PostgresException)
                    {
                        Console.WriteLine("insert failed");
                        throw;
                    }
                    finally
                    {
                        if (!committed)
                            await tx.RollbackAsync(ct);
                    }
                }

                void Bad(NpgsqlConnection conn, bool ok)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    var committed = false;
                    try
                    {
                        if (ok)
                            tx.Commit();
                        committed = true;
                    }
                    finally
                    {
                        if (!committed)
                            tx.Rollback();
                    }
                }
            }
            """);

    [Fact]
    public Task Nested_try_finally_that_disposes_in_the_outer_finally_is_clean()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, Action audit)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        try
                        {
                            using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                            cmd.ExecuteNonQuery();
                            if (cmd.CommandTimeout > 100)
                                return;
                            tx.Commit();
                        }
                        finally
                        {
                            audit();
                        }
                    }
                    finally
                    {
                        tx.Dispose();
                    }
                }
            }
            """);

    [Fact]
    public Task Goto_that_jumps_over_the_commit_is_reported()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void Bad(NpgsqlConnection conn, bool skip)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    if (skip)
                        goto done;
                    tx.Commit();
                done:
                    Console.WriteLine("done");
                }

                void Good(NpgsqlConnection conn, int attempts)
                {
                retry:
                    var tx = conn.BeginTransaction();
                    if (--attempts > 0)
                    {
                        tx.Rollback();
                        goto retry;
                    }
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Code_with_a_missing_semicolon_still_reports_the_leak()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction(){|CS1002:|}
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Code_calling_a_misspelled_commit_still_reports_the_leak()
        => VerifyPgb001.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
                    tx.{|CS1061:Comit|}();
                }
            }
            """);

    [Fact]
    public Task Method_with_hundreds_of_branches_is_still_analysed_and_nothing_throws()
    {
        var branches = string.Join("\n", Enumerable.Range(0, 300).Select(i => $$"""
                    if (ids[{{i % 7}}] == {{i}})
                    {
                        using var cmd{{i}} = new NpgsqlCommand("UPDATE t SET n = n + 1 WHERE id = {{i}}", conn, tx);
                        cmd{{i}}.ExecuteNonQuery();
                    }
            """));
        return VerifyPgb001.AnalyzerAsync($$"""
            class Huge
            {
                void Run(NpgsqlConnection conn, int[] ids)
                {
                    var {|PGB001:tx|} = conn.BeginTransaction();
            {{branches}}
                    if (ids.Length == 0)
                        return;
                    tx.Commit();
                }
            }
            """);
    }

    [Fact]
    public Task Method_far_too_large_raises_no_analyzer_exception_from_any_rule()
    {
        var body = string.Join("\n", Enumerable.Range(0, 400).Select(i => $$"""
                    for (var i{{i}} = 0; i{{i}} < ids.Length; i{{i}}++)
                    {
                        if (ids[i{{i}}] == {{i}}) continue;
                        if (ids[i{{i}}] < 0) break;
                        await using var cmd{{i}} = new NpgsqlCommand("UPDATE t SET n = n + 1 WHERE id = {{i}}", conn, tx);
                        flag = !flag;
                        await cmd{{i}}.ExecuteNonQueryAsync(ct);
                    }
            """));
        return VerifyAllRules.AnalyzerAsync($$"""
            class Huge
            {
                async Task RunAsync(NpgsqlDataSource dataSource, int[] ids, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var flag = false;
            {{body}}
                    await tx.CommitAsync(ct);
                }
            }
            """);
    }
}
