using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb004 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.NestedTransactionAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB004 (nested transaction on one connection) on reported and clean code across the control-flow and
/// ownership shapes it must follow. Expectations follow docs/rules/PGB004.md: reported on the second Begin
/// invocation only when the first transaction, begun by this method into a local on the same connection, is
/// open on every path.
/// </summary>
public class Pgb004NestedTransactionTests
{
    static DiagnosticResult Pgb004(int location, string connection, string transaction, string line)
        => new DiagnosticResult("PGB004", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(connection, $"transaction '{transaction}' (begun on line {line})");

    [Fact]
    public Task Second_begin_while_first_is_open_is_reported()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var outer = await conn.BeginTransactionAsync(ct);
                    await using var inner = await {|PGB004:conn.BeginTransactionAsync(ct)|};
                    await inner.CommitAsync(ct);
                    await outer.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Begin_after_commit_or_on_another_connection_is_fine()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, NpgsqlConnection other)
                {
                    using (var first = conn.BeginTransaction())
                    {
                        using var elsewhere = other.BeginTransaction();
                        elsewhere.Commit();
                        first.Commit();
                    }
                    using var second = conn.BeginTransaction();
                    second.Commit();
                }
            }
            """);

    [Fact]
    public Task Begin_in_a_loop_after_completion_is_fine_but_not_without_it()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void Good(NpgsqlConnection conn, int[] ids)
                {
                    foreach (var id in ids)
                    {
                        using var tx = conn.BeginTransaction();
                        tx.Commit();
                    }
                }

                void Bad(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    var savepointInstead = {|PGB004:conn.BeginTransaction()|};
                    savepointInstead.Commit();
                    tx.Commit();
                }
            }
            """);

    // RepoDB cdf4e2fd: an inverted ownership test began a new transaction into the caller's transaction
    // parameter exactly when the caller had passed one (and none when it had not).
    [Fact]
    public Task Begin_into_the_callers_transaction_where_it_is_not_null_is_reported()
        => VerifyPgb004.AnalyzerAsync("""
            class Wrapper
            {
                static int Inverted(NpgsqlConnection connection, Func<int> execute, NpgsqlTransaction transaction)
                {
                    var hasTransaction = (transaction == null || System.Transactions.Transaction.Current != null);
                    if (hasTransaction == false)
                    {
                        transaction = {|#0:connection.BeginTransaction()|};
                    }
                    try
                    {
                        var result = execute();
                        if (hasTransaction == false)
                            transaction.Commit();
                        return result;
                    }
                    finally
                    {
                        if (hasTransaction == false)
                            transaction.Dispose();
                    }
                }

                // The fixed test: a transaction is begun only when the caller passed none.
                static int Fixed(NpgsqlConnection connection, Func<int> execute, NpgsqlTransaction transaction)
                {
                    var hasTransaction = transaction != null || System.Transactions.Transaction.Current != null;
                    if (hasTransaction == false)
                    {
                        transaction = connection.BeginTransaction();
                    }
                    try
                    {
                        var result = execute();
                        if (hasTransaction == false)
                            transaction.Commit();
                        return result;
                    }
                    finally
                    {
                        if (hasTransaction == false)
                            transaction.Dispose();
                    }
                }

                static void Guarded(NpgsqlConnection connection, NpgsqlTransaction transaction)
                {
                    if (transaction == null)
                        transaction = connection.BeginTransaction();
                }

                static void MayBeNull(NpgsqlConnection connection, NpgsqlTransaction? transaction = null)
                {
                    transaction = connection.BeginTransaction();
                    transaction.Commit();
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB004", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("connection", "the caller's transaction 'transaction' (not null on this path)"));

    [Fact]
    public Task Begin_inside_the_using_block_of_another_names_the_connection_and_the_open_transaction()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    {|#1:using (var outer = conn.BeginTransaction())|}
                    {
                        using var inner = {|#0:conn.BeginTransaction()|};
                        inner.Commit();
                        outer.Commit();
                    }
                }
            }
            """,
            Pgb004(0, "conn", "outer", LineOf(1)));

    [Fact]
    public Task Await_using_with_configure_await_is_reported_on_the_begin_invocation()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct).ConfigureAwait(false);
                    await using var audit = await {|PGB004:conn.BeginTransactionAsync(ct)|}.ConfigureAwait(false);
                    await audit.CommitAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Begin_after_a_using_block_or_after_every_branch_completed_is_fine()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                async Task AwaitUsingStatement(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using (var first = await conn.BeginTransactionAsync(ct))
                    {
                        await first.CommitAsync(ct);
                    }
                    await using var second = await conn.BeginTransactionAsync(ct);
                    await second.CommitAsync(ct);
                }

                void Branches(NpgsqlConnection conn, bool ok)
                {
                    var first = conn.BeginTransaction();
                    if (ok)
                        first.Commit();
                    else
                        first.Rollback();
                    using var second = conn.BeginTransaction();
                    second.Commit();
                }
            }
            """);

    [Fact]
    public Task Early_return_after_commit_leaves_the_fall_through_path_open_on_every_path()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void EarlyReturn(NpgsqlConnection conn, bool done)
                {
                    using var first = conn.BeginTransaction();
                    if (done)
                    {
                        first.Commit();
                        return;
                    }
                    using var second = {|PGB004:conn.BeginTransaction()|};
                    second.Commit();
                }

                void CommitOnOnePathOnly(NpgsqlConnection conn, bool done)
                {
                    using var first = conn.BeginTransaction();
                    if (done)
                        first.Commit();
                    using var second = conn.BeginTransaction();
                    second.Commit();
                }
            }
            """);

    [Fact]
    public Task Exception_handled_without_completing_leaves_the_transaction_open_but_catch_that_rolls_back_does_not()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                static void Insert(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                }

                void Swallowed(NpgsqlConnection conn)
                {
                    using var first = conn.BeginTransaction();
                    try
                    {
                        Insert(conn, first);
                    }
                    catch (PostgresException)
                    {
                    }
                    using var second = {|PGB004:conn.BeginTransaction()|};
                    second.Commit();
                }

                void RolledBack(NpgsqlConnection conn)
                {
                    var first = conn.BeginTransaction();
                    try
                    {
                        Insert(conn, first);
                        first.Commit();
                    }
                    catch (PostgresException)
                    {
                        first.Rollback();
                    }
                    using var second = conn.BeginTransaction();
                    second.Commit();
                }
            }
            """);

    [Fact]
    public Task Per_row_transaction_inside_an_outer_one_is_reported_in_every_kind_of_loop()
        => VerifyPgb004.AnalyzerAsync("""
            class Import
            {
                async Task ForeachAsync(NpgsqlConnection conn, int[] rows, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    foreach (var row in rows)
                    {
                        if (row == 0)
                            continue;
                        await using var rowTx = await {|PGB004:conn.BeginTransactionAsync(ct)|};
                        await rowTx.CommitAsync(ct);
                    }
                    await tx.CommitAsync(ct);
                }

                void For(NpgsqlConnection conn, int[] rows)
                {
                    using var tx = conn.BeginTransaction();
                    for (var i = 0; i < rows.Length; i++)
                    {
                        if (rows[i] < 0)
                            break;
                        using var rowTx = {|PGB004:conn.BeginTransaction()|};
                        rowTx.Commit();
                    }
                    tx.Commit();
                }

                void While(NpgsqlConnection conn, Queue<int> rows)
                {
                    using var tx = conn.BeginTransaction();
                    while (rows.Count > 0)
                    {
                        rows.Dequeue();
                        using var rowTx = {|PGB004:conn.BeginTransaction()|};
                        rowTx.Commit();
                    }
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Loop_that_leaks_on_one_branch_or_completes_each_iteration_is_not_reported()
        => VerifyPgb004.AnalyzerAsync("""
            class Import
            {
                void LeaksOnOneBranch(NpgsqlConnection conn, int[] rows)
                {
                    foreach (var row in rows)
                    {
                        var tx = conn.BeginTransaction();
                        if (row < 0)
                            continue;
                        tx.Commit();
                    }
                }

                void RetryThatSwallowsWithoutRollback(NpgsqlConnection conn, Action<NpgsqlTransaction> work)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        var tx = conn.BeginTransaction();
                        try
                        {
                            work(tx);
                            tx.Commit();
                            return;
                        }
                        catch (PostgresException)
                        {
                        }
                    }
                }

                void BreakAfterCommit(NpgsqlConnection conn, Queue<int> rows)
                {
                    while (true)
                    {
                        var tx = conn.BeginTransaction();
                        if (rows.Count == 0)
                        {
                            tx.Commit();
                            break;
                        }
                        rows.Dequeue();
                        tx.Rollback();
                    }
                    using var last = conn.BeginTransaction();
                    last.Commit();
                }
            }
            """);

    [Fact]
    public Task Nested_begin_inside_a_local_function_or_lambda_is_reported_in_its_own_body()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void LocalFunction(NpgsqlConnection conn)
                {
                    Run();

                    void Run()
                    {
                        using var outer = conn.BeginTransaction();
                        using var inner = {|PGB004:conn.BeginTransaction()|};
                        inner.Commit();
                        outer.Commit();
                    }
                }

                Func<NpgsqlConnection, Task> Job = async conn =>
                {
                    await using var outer = await conn.BeginTransactionAsync();
                    await using var inner = await {|PGB004:conn.BeginTransactionAsync()|};
                    await inner.CommitAsync();
                    await outer.CommitAsync();
                };
            }
            """);

    [Fact]
    public Task Transaction_taken_by_a_committing_local_function_or_lambda_is_no_longer_open()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void LocalFunction(NpgsqlConnection conn)
                {
                    var first = conn.BeginTransaction();
                    Finish();
                    using var second = conn.BeginTransaction();
                    second.Commit();

                    void Finish() => first.Commit();
                }

                async Task Lambda(NpgsqlConnection conn, Func<Func<Task>, Task> retry)
                {
                    var first = await conn.BeginTransactionAsync();
                    await retry(async () => await first.CommitAsync());
                    await using var second = await conn.BeginTransactionAsync();
                    await second.CommitAsync();
                }
            }
            """);

    [Fact]
    public Task Moved_transaction_is_not_reported_but_one_passed_to_a_borrowing_helper_is()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                NpgsqlTransaction? _pending;

                static void Finish(NpgsqlTransaction tx) => tx.Commit();

                static void Insert(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                }

                void CompletingHelper(NpgsqlConnection conn)
                {
                    var first = conn.BeginTransaction();
                    Finish(first);
                    using var second = conn.BeginTransaction();
                    second.Commit();
                }

                void StoredInField(NpgsqlConnection conn)
                {
                    var first = conn.BeginTransaction();
                    _pending = first;
                    using var second = conn.BeginTransaction();
                    second.Commit();
                }

                void BorrowingHelper(NpgsqlConnection conn)
                {
                    using var first = conn.BeginTransaction();
                    Insert(conn, first);
                    using var second = {|PGB004:conn.BeginTransaction()|};
                    second.Commit();
                    first.Commit();
                }
            }
            """);

    [Fact]
    public Task Transaction_assigned_to_another_local_is_still_held_in_a_local()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var first = conn.BeginTransaction();
                    var current = first;
                    using var second = {|PGB004:conn.BeginTransaction()|};
                    second.Commit();
                    current.Commit();
                }
            }
            """);

    [Fact]
    public Task Owned_parameter_and_factory_transactions_have_no_known_connection()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                static NpgsqlTransaction Begin(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    return tx;
                }

                void OwnedParameter(NpgsqlConnection conn, [Owned] NpgsqlTransaction tx)
                {
                    using var second = conn.BeginTransaction();
                    second.Commit();
                    tx.Commit();
                }

                void Factory(NpgsqlConnection conn)
                {
                    using var first = Begin(conn);
                    using var second = conn.BeginTransaction();
                    second.Commit();
                    first.Commit();
                }
            }
            """);

    [Fact]
    public Task Field_property_and_ado_net_connections_are_the_same_connection_when_named_the_same()
        => VerifyPgb004.AnalyzerAsync("""
            class Repository
            {
                readonly NpgsqlConnection _conn = new();
                NpgsqlConnection Connection { get; } = new();
                NpgsqlConnection GetConnection() => _conn;

                void Field()
                {
                    using var first = _conn.BeginTransaction();
                    using var second = {|PGB004:_conn.BeginTransaction()|};
                }

                void FieldThroughThis()
                {
                    using var first = _conn.BeginTransaction();
                    using var second = {|PGB004:this._conn.BeginTransaction()|};
                }

                void Property()
                {
                    using var first = Connection.BeginTransaction();
                    using var second = {|PGB004:Connection.BeginTransaction()|};
                }

                void AdoNet(DbConnection conn)
                {
                    using var first = conn.BeginTransaction();
                    using var second = {|PGB004:conn.BeginTransaction()|};
                }

                void Unnamed()
                {
                    using var first = GetConnection().BeginTransaction();
                    using var second = GetConnection().BeginTransaction();
                }
            }
            """);

    [Fact]
    public Task Closing_the_connection_ends_the_transaction_but_a_savepoint_rollback_does_not()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void Reopen(NpgsqlConnection conn)
                {
                    var first = conn.BeginTransaction();
                    conn.Close();
                    conn.Open();
                    using var second = conn.BeginTransaction();
                    second.Commit();
                }

                void Savepoint(NpgsqlConnection conn)
                {
                    using var first = conn.BeginTransaction();
                    first.Save("row");
                    first.Rollback("row");
                    using var second = {|PGB004:conn.BeginTransaction()|};
                }
            }
            """);

    [Fact]
    public Task Dapper_calls_borrow_the_open_transaction()
        => VerifyPgb004.AnalyzerAsync("""
            using Dapper;

            class Accounts
            {
                async Task AuditAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await conn.ExecuteAsync("UPDATE accounts SET audited = true WHERE id = @id", new { id }, transaction: tx);
                    await using var audit = await {|PGB004:conn.BeginTransactionAsync(ct)|};
                    await conn.ExecuteAsync("INSERT INTO audit (account_id) VALUES (@id)", new { id }, transaction: audit);
                    await audit.CommitAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Switch_committed_flag_null_conditional_dispose_and_goto_are_followed()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void Switch(NpgsqlConnection conn, int kind)
                {
                    switch (kind)
                    {
                        case 0:
                            using (var a = conn.BeginTransaction()) a.Commit();
                            break;
                        default:
                            using (var b = conn.BeginTransaction()) b.Rollback();
                            break;
                    }
                }

                void Flag(NpgsqlConnection conn, Action work)
                {
                    var first = conn.BeginTransaction();
                    var committed = false;
                    try
                    {
                        work();
                        first.Commit();
                        committed = true;
                    }
                    finally
                    {
                        if (!committed)
                            first.Rollback();
                    }
                    using var second = conn.BeginTransaction();
                    second.Commit();
                }

                void ConditionalDispose(NpgsqlConnection conn)
                {
                    var first = conn.BeginTransaction();
                    first?.Dispose();
                    using var second = conn.BeginTransaction();
                }

                void GotoRetryWithoutCompleting(NpgsqlConnection conn, int attempts)
                {
                retry:
                    var tx = conn.BeginTransaction();
                    if (--attempts > 0)
                        goto retry;
                    tx.Commit();
                }

                void GotoPastOtherWork(NpgsqlConnection conn, bool skip)
                {
                    using var first = conn.BeginTransaction();
                    if (skip)
                        goto next;
                    Console.WriteLine("work");
                next:
                    Console.WriteLine("next");
                    using var second = {|PGB004:conn.BeginTransaction()|};
                }
            }
            """);

    [Fact]
    public Task Code_with_a_missing_semicolon_still_reports_the_nested_begin()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    using var first = conn.BeginTransaction();
                    using var second = {|PGB004:conn.BeginTransaction()|}{|CS1002:|}
                    first.Commit();
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
        return VerifyPgb004.AnalyzerAsync($$"""
            class Huge
            {
                int Run(NpgsqlConnection conn, int[] ids)
                {
                    using var first = conn.BeginTransaction();
                    var total = 0;
            {{branches}}
                    using var second = {|PGB004:conn.BeginTransaction()|};
                    return total;
                }
            }
            """);
    }
}
