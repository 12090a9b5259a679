using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb002 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionNotRolledBackOnExceptionAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB002 (transaction not rolled back when an exception is thrown) on reported and clean code across the
/// control-flow and ownership shapes it must follow. Expectations follow docs/rules/PGB002.md and
/// docs/ownership-model.md#exception-paths.
/// </summary>
public class Pgb002TransactionNotRolledBackOnExceptionTests
{
    static DiagnosticResult Pgb002(int location, string name, string point, string line, string usingForm = "'using'")
        => new DiagnosticResult("PGB002", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(name, point, line, "Transaction",
            $"no 'using', 'finally' or rolling-back 'catch' covers that point; declare it with {usingForm}, or roll it back in a 'catch'");

    const string Helpers = """
        static class Db
        {
            public static async Task InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
            {
                await using var cmd = new NpgsqlCommand("INSERT INTO payments DEFAULT VALUES", conn, tx);
                await cmd.ExecuteNonQueryAsync(ct);
            }

            public static void Insert(NpgsqlConnection conn, NpgsqlTransaction tx)
            {
                using var cmd = new NpgsqlCommand("INSERT INTO payments DEFAULT VALUES", conn, tx);
                cmd.ExecuteNonQuery();
            }
        }

        """;

    [Fact]
    public Task Exception_between_begin_and_commit_is_reported()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var {|#0:tx|} = await conn.BeginTransactionAsync(ct);
                    {|#1:await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);|}
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB002", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
                .WithLocation(0)
                .WithArguments("tx", "new NpgsqlCommand", LineOf(1), "Transaction", "no 'using', 'finally' or rolling-back 'catch' covers that point; declare it with 'await using', or roll it back in a 'catch'"));

    [Fact]
    public Task Using_declaration_covers_every_throwing_point()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Rollback_in_catch_or_dispose_in_finally_covers_it()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                void Catch(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                        cmd.ExecuteNonQuery();
                        tx.Commit();
                    }
                    catch (Exception)
                    {
                        tx.Rollback();
                        throw;
                    }
                }

                void Finally(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                        cmd.ExecuteNonQuery();
                        tx.Commit();
                    }
                    finally
                    {
                        tx.Dispose();
                    }
                }
            }
            """);

    [Fact]
    public Task Catch_of_one_exception_type_leaves_the_others_uncovered()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    try
                    {
                        using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                        cmd.ExecuteNonQuery();
                        tx.Commit();
                    }
                    catch (PostgresException)
                    {
                        tx.Rollback();
                        throw;
                    }
                }
            }
            """);

    [Fact]
    public Task Connection_disposed_by_using_rolls_the_transaction_back()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task A_transaction_leaked_on_a_normal_path_is_left_to_PGB001()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Throw_statement_before_commit_is_reported()
        => VerifyPgb002.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, int quantity)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    if (quantity < 0)
                        throw new ArgumentOutOfRangeException(nameof(quantity));
                    tx.Commit();
                }
            }
            """);

    // EFCore.BulkExtensions PostgreSqlAdapter: one flag says whether the transaction is the caller's or begun
    // here and whether it is committed. The normal paths are right (no PGB001); a throwing command leaves
    // the begun one open.
    [Fact]
    public Task Flag_that_decides_between_borrowed_and_begun_is_followed()
        => VerifyPgb002.AnalyzerAsync("""
            class Counter
            {
                static async Task<long> CountAsync(NpgsqlConnection connection, NpgsqlTransaction? current, CancellationToken ct)
                {
                    bool external = current != null;
                    var {|PGB002:transaction|} = external ? current : connection.BeginTransaction();
                    using var command = new NpgsqlCommand("SELECT count(*) FROM t", connection, transaction);
                    var count = (long?)await command.ExecuteScalarAsync(ct) ?? 0;
                    if (!external)
                        await transaction!.CommitAsync(ct);
                    return count;
                }

                static async Task<long> CountSafelyAsync(NpgsqlConnection connection, NpgsqlTransaction? current, CancellationToken ct)
                {
                    bool external = current != null;
                    var transaction = external ? current : connection.BeginTransaction();
                    try
                    {
                        using var command = new NpgsqlCommand("SELECT count(*) FROM t", connection, transaction);
                        var count = (long?)await command.ExecuteScalarAsync(ct) ?? 0;
                        if (!external)
                            await transaction!.CommitAsync(ct);
                        return count;
                    }
                    catch
                    {
                        if (!external)
                            await transaction!.RollbackAsync(ct);
                        throw;
                    }
                }
            }
            """);

    [Fact]
    public Task Call_between_begin_and_commit_is_named_with_its_line()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                async Task RecordAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var {|#0:tx|} = await conn.BeginTransactionAsync(ct);
                    {|#1:await Db.InsertAsync(conn, tx, ct);|}
                    await tx.CommitAsync(ct);
                    await tx.DisposeAsync();
                }
            }
            """,
            Pgb002(0, "tx", "InsertAsync", LineOf(1), "'await using'"));

    [Fact]
    public Task Await_of_something_that_is_not_a_call_is_named_await()
        => VerifyPgb002.AnalyzerAsync("""
            class Payments
            {
                async Task RecordAsync(NpgsqlConnection conn, Task pendingAudit)
                {
                    var {|#0:tx|} = await conn.BeginTransactionAsync();
                    {|#1:await pendingAudit;|}
                    await tx.CommitAsync();
                }
            }
            """,
            Pgb002(0, "tx", "await", LineOf(1), "'await using'"));

    [Fact]
    public Task Commit_or_rollback_as_the_only_point_is_not_an_open_exception_path()
        => VerifyPgb002.AnalyzerAsync("""
            class Payments
            {
                void Sync(NpgsqlConnection conn, bool ok)
                {
                    var tx = conn.BeginTransaction();
                    if (ok)
                        tx.Commit();
                    else
                        tx.Rollback();
                }

                async Task Async(NpgsqlConnection conn, CancellationToken ct)
                {
                    var tx = await conn.BeginTransactionAsync(ct).ConfigureAwait(false);
                    await tx.CommitAsync(ct).ConfigureAwait(false);
                }
            }
            """);

    [Fact]
    public Task Using_and_await_using_declarations_and_statements_cover_every_point()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void UsingDeclaration(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    Db.Insert(conn, tx);
                    tx.Commit();
                }

                void UsingStatement(NpgsqlConnection conn)
                {
                    using (var tx = conn.BeginTransaction())
                    {
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                }

                async Task AwaitUsingDeclaration(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await Db.InsertAsync(conn, tx, ct);
                    await tx.CommitAsync(ct);
                }

                async Task AwaitUsingStatement(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using (var tx = await conn.BeginTransactionAsync(ct))
                    {
                        await Db.InsertAsync(conn, tx, ct);
                        await tx.CommitAsync(ct);
                    }
                }
            }
            """);

    [Fact]
    public Task Point_before_a_late_using_statement_is_not_covered_by_it()
        => VerifyPgb002.AnalyzerAsync("""
            class Payments
            {
                void Record(NpgsqlConnection conn)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    {|#1:Console.WriteLine("begun");|}
                    using (tx)
                    {
                        tx.Commit();
                    }
                }
            }
            """,
            Pgb002(0, "tx", "WriteLine", LineOf(1)));

    [Fact]
    public Task Early_return_that_rolls_back_does_not_cover_the_later_points()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Record(NpgsqlConnection conn, bool ok)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    if (!ok)
                    {
                        tx.Rollback();
                        return;
                    }
                    {|#1:Db.Insert(conn, tx);|}
                    tx.Commit();
                }

                void EarlyReturnInsideTryFinally(NpgsqlConnection conn, bool ok)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        if (!ok)
                            return;
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    finally
                    {
                        tx.Dispose();
                    }
                }
            }
            """,
            Pgb002(0, "tx", "Insert", LineOf(1)));

    [Fact]
    public Task Catch_with_a_when_filter_or_a_catch_that_does_not_roll_back_leaves_exceptions_uncovered()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Filtered(NpgsqlConnection conn)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    try
                    {
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        tx.Rollback();
                        throw;
                    }
                }

                void CatchThatOnlyLogs(NpgsqlConnection conn)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    try
                    {
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    catch (Exception)
                    {
                        Console.WriteLine("insert failed");
                        throw;
                    }
                }

                void TypedCatchFollowedByCatchAll(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    catch (OperationCanceledException)
                    {
                        tx.Rollback();
                        throw;
                    }
                    catch
                    {
                        tx.Rollback();
                        throw;
                    }
                }

                void CatchAllThatRollsBackWithoutRethrow(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    catch
                    {
                        tx.Rollback();
                    }
                }
            }
            """);

    [Fact]
    public Task Call_inside_the_catch_before_the_rollback_is_itself_uncovered()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Record(NpgsqlConnection conn)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    try
                    {
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    catch (Exception e)
                    {
                        {|#1:Console.WriteLine(e.Message);|}
                        tx.Rollback();
                        throw;
                    }
                }
            }
            """,
            Pgb002(0, "tx", "WriteLine", LineOf(1)));

    [Fact]
    public Task Catch_that_swallows_and_continues_to_a_rollback_covers_the_point()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                bool TryRecord(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    var failed = false;
                    try
                    {
                        Db.Insert(conn, tx);
                    }
                    catch
                    {
                        failed = true;
                    }
                    if (failed)
                    {
                        tx.Rollback();
                        return false;
                    }
                    tx.Commit();
                    return true;
                }
            }
            """);

    [Fact]
    public Task Point_inside_the_committing_branch_is_reported_even_when_the_other_branch_rolls_back()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Record(NpgsqlConnection conn, bool ok)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    if (ok)
                    {
                        {|#1:Db.Insert(conn, tx);|}
                        tx.Commit();
                    }
                    else
                    {
                        tx.Rollback();
                    }
                }
            }
            """,
            Pgb002(0, "tx", "Insert", LineOf(1)));

    [Fact]
    public Task Transaction_per_loop_iteration_needs_its_own_cover()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Bad(NpgsqlConnection conn, int[] ids)
                {
                    foreach (var id in ids)
                    {
                        if (id == 0)
                            continue;
                        var {|PGB002:tx|} = conn.BeginTransaction();
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                }

                void Good(NpgsqlConnection conn, int[] ids)
                {
                    for (var i = 0; i < ids.Length; i++)
                    {
                        using var tx = conn.BeginTransaction();
                        if (ids[i] < 0)
                            break;
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                }

                void OuterTransactionAroundTheLoop(NpgsqlConnection conn, int[] ids)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        var i = 0;
                        while (i < ids.Length)
                        {
                            Db.Insert(conn, tx);
                            i++;
                        }
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
    public Task Local_function_call_is_a_point_and_a_rolling_back_local_function_in_catch_covers_it()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Bad(NpgsqlConnection conn)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    {|#1:Insert();|}
                    tx.Commit();

                    void Insert() => Db.Insert(conn, tx);
                }

                void Good(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    try
                    {
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    catch
                    {
                        Abort();
                        throw;
                    }

                    void Abort() => tx.Rollback();
                }
            }
            """,
            Pgb002(0, "tx", "Insert", LineOf(1)));

    [Fact]
    public Task Delegate_call_is_a_point_and_a_lambda_body_is_analysed_on_its_own()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                async Task WithCallback(NpgsqlConnection conn, Func<NpgsqlConnection, NpgsqlTransaction, Task> work)
                {
                    var {|PGB002:tx|} = await conn.BeginTransactionAsync();
                    await work(conn, tx);
                    await tx.CommitAsync();
                }

                Func<NpgsqlConnection, Task> Job = async conn =>
                {
                    var {|PGB002:tx|} = await conn.BeginTransactionAsync();
                    await Db.InsertAsync(conn, tx, default);
                    await tx.CommitAsync();
                };

                Func<NpgsqlConnection, Task> SafeJob = async conn =>
                {
                    await using var tx = await conn.BeginTransactionAsync();
                    await Db.InsertAsync(conn, tx, default);
                    await tx.CommitAsync();
                };
            }
            """);

    [Fact]
    public Task Point_before_the_transaction_is_returned_is_reported_but_points_after_a_move_are_not()
        => VerifyPgb002.AnalyzerAsync("""
            class Transactions
            {
                NpgsqlTransaction? _current;

                async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var {|#0:tx|} = await conn.BeginTransactionAsync(ct);
                    {|#1:await using var cmd = new NpgsqlCommand("SET LOCAL lock_timeout = '2s'", conn, tx);|}
                    await cmd.ExecuteNonQueryAsync(ct);
                    return tx;
                }

                void Store(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    _current = tx;
                    Console.WriteLine("stored");
                }

                IEnumerable<NpgsqlTransaction> Yield(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    yield return tx;
                    Console.WriteLine("after yield");
                }
            }
            """,
            Pgb002(0, "tx", "new NpgsqlCommand", LineOf(1), "'await using'"));

    [Fact]
    public Task Passing_to_a_helper_that_completes_it_moves_the_transaction_but_a_borrowing_helper_is_a_point()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                static void Finish(NpgsqlTransaction tx) => tx.Commit();
                static void Keep([Owned] NpgsqlTransaction tx) { }

                void MovedToCompletingHelper(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    Finish(tx);
                    Console.WriteLine("after the move");
                }

                void MovedToOwnedParameter(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    Keep(tx);
                    Console.WriteLine("after the move");
                }

                void BorrowingHelperBeforeTheMove(NpgsqlConnection conn)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    Db.Insert(conn, tx);
                    Finish(tx);
                }
            }
            """);

    [Fact]
    public Task Owned_parameter_needs_cover_and_a_borrowed_one_does_not()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Owned(NpgsqlConnection conn, [Owned] NpgsqlTransaction {|#0:tx|})
                {
                    {|#1:Db.Insert(conn, tx);|}
                    tx.Commit();
                }

                void OwnedCovered(NpgsqlConnection conn, [Owned] NpgsqlTransaction tx)
                {
                    using (tx)
                    {
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                }

                void Borrowed(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    Db.Insert(conn, tx);
                    tx.Commit();
                }
            }
            """,
            Pgb002(0, "tx", "Insert", LineOf(1)));

    [Fact]
    public Task Assigning_to_another_local_moves_the_check_to_that_local()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Record(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    var {|PGB002:current|} = tx;
                    Db.Insert(conn, current);
                    current.Commit();
                }
            }
            """);

    [Fact]
    public Task Owned_transaction_stored_by_a_constructor_is_not_reported()
        => VerifyPgb002.AnalyzerAsync("""
            sealed class UnitOfWork : IDisposable
            {
                readonly NpgsqlTransaction _tx;
                public UnitOfWork([Owned] NpgsqlTransaction tx) => _tx = tx;
                public void Dispose() => _tx.Dispose();
            }
            """);

    [Fact]
    public Task Owned_transaction_stored_by_a_method_is_not_reported()
        => VerifyPgb002.AnalyzerAsync("""
            sealed class Session
            {
                NpgsqlTransaction? _tx;
                public void Attach([Owned] NpgsqlTransaction tx) => _tx = tx;
                public void AttachLogged([Owned] NpgsqlTransaction tx)
                {
                    _tx = tx;
                    Console.WriteLine("attached");
                }
            }
            """);

    [Fact]
    public Task Connection_disposed_by_using_or_finally_rolls_the_transaction_back()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void UsingStatement(NpgsqlDataSource dataSource)
                {
                    using (var conn = dataSource.OpenConnection())
                    {
                        var tx = conn.BeginTransaction();
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                }

                void Finally(string connectionString)
                {
                    var conn = new NpgsqlConnection(connectionString);
                    try
                    {
                        conn.Open();
                        var tx = conn.BeginTransaction();
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    finally
                    {
                        conn.Dispose();
                    }
                }

                void UsingOfAnotherConnectionDoesNotCover(NpgsqlDataSource dataSource, NpgsqlConnection other)
                {
                    using var conn = dataSource.OpenConnection();
                    var {|PGB002:tx|} = other.BeginTransaction();
                    Db.Insert(other, tx);
                    tx.Commit();
                }

                void BorrowedConnectionDoesNotCover(NpgsqlConnection conn)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    Db.Insert(conn, tx);
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Dapper_call_between_begin_and_commit_is_named()
        => VerifyPgb002.AnalyzerAsync("""
            using Dapper;

            class Accounts
            {
                async Task TransferAsync(NpgsqlConnection conn, int from, int to, decimal amount, CancellationToken ct)
                {
                    var {|#0:tx|} = await conn.BeginTransactionAsync(ct);
                    {|#1:await conn.ExecuteAsync("UPDATE accounts SET balance = balance - @amount WHERE id = @from", new { amount, from }, transaction: tx);|}
                    await conn.ExecuteAsync("UPDATE accounts SET balance = balance + @amount WHERE id = @to", new { amount, to }, transaction: tx);
                    await tx.CommitAsync(ct);
                }
            }
            """,
            Pgb002(0, "tx", "ExecuteAsync", LineOf(1), "'await using'"));

    [Fact]
    public Task Retry_loop_that_rolls_back_only_serialization_failures_leaves_other_exceptions_uncovered()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Accounts
            {
                async Task Bad(NpgsqlConnection conn, CancellationToken ct)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        var {|PGB002:tx|} = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                        try
                        {
                            await Db.InsertAsync(conn, tx, ct);
                            await tx.CommitAsync(ct);
                            return;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure && attempt < 5)
                        {
                            await tx.RollbackAsync(ct);
                        }
                    }
                }

                async Task Good(NpgsqlConnection conn, CancellationToken ct)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                        try
                        {
                            await Db.InsertAsync(conn, tx, ct);
                            await tx.CommitAsync(ct);
                            return;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure && attempt < 5)
                        {
                            await tx.RollbackAsync(ct);
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task While_true_retry_loop_that_rolls_back_only_serialization_failures_is_reported()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Accounts
            {
                async Task Bad(NpgsqlConnection conn, CancellationToken ct)
                {
                    while (true)
                    {
                        var {|PGB002:tx|} = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                        try
                        {
                            await Db.InsertAsync(conn, tx, ct);
                            await tx.CommitAsync(ct);
                            return;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure)
                        {
                            await tx.RollbackAsync(ct);
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task Using_of_a_command_does_not_cover_the_transaction()
        => VerifyPgb002.AnalyzerAsync("""
            class Payments
            {
                void Record(NpgsqlConnection conn)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    {|#1:using (var cmd = new NpgsqlCommand("INSERT INTO payments DEFAULT VALUES", conn, tx))|}
                    {
                        cmd.ExecuteNonQuery();
                    }
                    tx.Commit();
                }
            }
            """,
            Pgb002(0, "tx", "new NpgsqlCommand", LineOf(1)));

    [Fact]
    public Task Null_conditional_dispose_and_is_not_null_rollback_cover_the_points()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void ConditionalDispose(NpgsqlConnection conn)
                {
                    NpgsqlTransaction? tx = null;
                    try
                    {
                        tx = conn.BeginTransaction();
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    finally
                    {
                        tx?.Dispose();
                    }
                }

                void IsNotNull(NpgsqlConnection conn)
                {
                    NpgsqlTransaction? tx = null;
                    try
                    {
                        tx = conn.BeginTransaction();
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    catch
                    {
                        if (tx is not null)
                            tx.Rollback();
                        throw;
                    }
                }
            }
            """);

    [Fact]
    public Task Committed_flag_and_nested_try_finally_cover_every_point()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Flag(NpgsqlConnection conn, Action audit)
                {
                    var tx = conn.BeginTransaction();
                    var committed = false;
                    try
                    {
                        try
                        {
                            Db.Insert(conn, tx);
                        }
                        finally
                        {
                            audit();
                        }
                        tx.Commit();
                        committed = true;
                    }
                    finally
                    {
                        if (!committed)
                            tx.Rollback();
                    }
                }

                void InnerFinallyDoesNotEndIt(NpgsqlConnection conn, Action audit)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    try
                    {
                        Db.Insert(conn, tx);
                    }
                    finally
                    {
                        audit();
                    }
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Switch_and_goto_paths_are_followed()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Switch(NpgsqlConnection conn, int kind)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    switch (kind)
                    {
                        case 0:
                            tx.Rollback();
                            break;
                        default:
                            {|#1:Db.Insert(conn, tx);|}
                            tx.Commit();
                            break;
                    }
                }

                void GotoRetry(NpgsqlConnection conn, int attempts)
                {
                retry:
                    var tx = conn.BeginTransaction();
                    try
                    {
                        Db.Insert(conn, tx);
                        tx.Commit();
                    }
                    catch
                    {
                        tx.Rollback();
                        if (--attempts > 0)
                            goto retry;
                        throw;
                    }
                }
            }
            """,
            Pgb002(0, "tx", "Insert", LineOf(1)));

    [Fact]
    public Task Code_with_a_missing_semicolon_still_reports_the_uncovered_point()
        => VerifyPgb002.AnalyzerAsync(Helpers + """
            class Payments
            {
                void Record(NpgsqlConnection conn)
                {
                    var {|PGB002:tx|} = conn.BeginTransaction();
                    Db.Insert(conn, tx){|CS1002:|}
                    tx.Commit();
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
        return VerifyPgb002.AnalyzerAsync(Helpers + $$"""
            class Huge
            {
                int Run(NpgsqlConnection conn, int[] ids)
                {
                    var {|#0:tx|} = conn.BeginTransaction();
                    var total = 0;
            {{branches}}
                    {|#1:Db.Insert(conn, tx);|}
                    tx.Commit();
                    return total;
                }
            }
            """,
            Pgb002(0, "tx", "Insert", LineOf(1)));
    }
}
