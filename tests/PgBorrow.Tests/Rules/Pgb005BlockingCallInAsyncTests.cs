using System.Linq;
using System.Threading.Tasks;
using Xunit;
using VerifyPgb005 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.BlockingCallInAsyncAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB005 (blocking Npgsql call in async code) across the shapes of the ownership rules that make sense for a
/// rule that is not about ownership: every listed method, sync <c>using</c> forms, lambdas and local functions,
/// try/catch/finally and loops, ADO.NET declarations, what is deliberately not reported, half-written code and
/// very large methods. Expectations follow docs/rules/PGB005.md.
/// </summary>
public class Pgb005BlockingCallInAsyncTests
{
    [Fact]
    public Task Sync_calls_in_async_method_are_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                async Task<int> PlaceAsync(NpgsqlDataSource dataSource)
                {
                    await using var conn = dataSource.CreateConnection();
                    {|PGB005:conn.Open()|};
                    await using var tx = conn.BeginTransaction();      // no I/O in Npgsql: not reported
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                    var count = (int)({|PGB005:cmd.ExecuteScalar()|})!;
                    {|PGB005:tx.Commit()|};
                    return count;
                }
            }
            """);

    [Fact]
    public Task Sync_using_whose_dispose_does_io_in_async_code_is_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                async Task ReadAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    using var conn = await dataSource.OpenConnectionAsync(ct);     // nothing open on it when disposed
                    using (var tx = await conn.BeginTransactionAsync(ct))          // committed on every normal path
                    {
                        using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                        {|PGB005:using|} var reader = await cmd.ExecuteReaderAsync(ct);   // left with rows unread
                        while (await reader.ReadAsync(ct))
                            if (reader.GetInt32(0) == 0)
                                break;
                        await tx.CommitAsync(ct);
                    }
                }
            }
            """);

    [Fact]
    public Task Sync_code_and_async_calls_are_fine()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                void Sync(NpgsqlConnection conn)
                {
                    conn.Open();
                    using var tx = conn.BeginTransaction();
                    tx.Commit();
                }

                async Task Async(NpgsqlConnection conn, CancellationToken ct)
                {
                    await conn.OpenAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    Action later = () => tx.Commit();
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Async_lambda_is_async_code()
        => VerifyPgb005.AnalyzerAsync("""
            class Orders
            {
                Func<NpgsqlConnection, Task> Work = async conn =>
                {
                    await Task.Yield();
                    {|PGB005:conn.Open()|};
                };
            }
            """);

    // Dotmim.Sync efec8ebf: DisposeAsync of a runner disposed its (possibly pending) transaction with Dispose().
    [Fact]
    public Task Sync_dispose_of_a_transaction_member_that_may_be_pending_is_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Runner : IAsyncDisposable
            {
                public System.Data.Common.DbTransaction? Transaction { get; set; }
                NpgsqlTransaction? _transaction;
                public bool AlreadyInTransaction { get; set; }

                public async ValueTask DisposeAsync()
                {
                    if (!AlreadyInTransaction && Transaction != null)
                    {
                        {|#0:this.Transaction.Dispose()|};
                        Transaction = null;
                    }
                    _transaction?{|#1:.Dispose()|};
                    await Task.Yield();
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("'Dispose'", "'this.Transaction' may still be pending here (nothing in this method commits or rolls it back first), and its Dispose sends ROLLBACK; call 'DisposeAsync' and await it"),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments("'Dispose'", "'_transaction' may still be pending here (nothing in this method commits or rolls it back first), and its Dispose sends ROLLBACK; call 'DisposeAsync' and await it"));

    // NServiceBus 8ac72364 (fixed code and its neighbours): committed first, or disposed in sync code.
    [Fact]
    public Task Sync_dispose_of_a_transaction_member_after_commit_or_outside_async_code_is_fine()
        => VerifyPgb005.AnalyzerAsync("""
            class Session : IDisposable
            {
                public System.Data.Common.DbTransaction? Transaction { get; set; }
                System.Data.IDbTransaction? _legacy;

                public async Task CompleteAsync(CancellationToken ct)
                {
                    await Transaction!.CommitAsync(ct);
                    Transaction.Dispose();
                }

                public async Task AbortAsync(CancellationToken ct)
                {
                    Transaction?.Rollback();
                    Transaction?.Dispose();
                    await Task.Yield();
                }

                public async Task LegacyAsync()
                {
                    _legacy?.Dispose(); // IDbTransaction has no DisposeAsync
                    await Task.Yield();
                }

                public void Dispose()
                {
                    Transaction?.Dispose();
                }
            }
            """.Replace("Transaction?.Rollback();", "Transaction?{|PGB005:.Rollback()|};"));

    [Fact]
    public Task Every_listed_blocking_method_is_reported_on_its_invocation()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlDataSource dataSource)
                {
                    await using var conn = {|PGB005:dataSource.OpenConnection()|};
                    await using var other = dataSource.CreateConnection();
                    {|PGB005:other.Open()|};
                    await using var tx = conn.BeginTransaction(); // no I/O: BEGIN goes out with the next command
                    {|PGB005:tx.Save("a")|};
                    {|PGB005:tx.Rollback("a")|};
                    {|PGB005:tx.Release("a")|};
                    await using var cmd = new NpgsqlCommand("SELECT 1; SELECT 2", conn, tx);
                    {|PGB005:cmd.Prepare()|};
                    {|PGB005:cmd.ExecuteNonQuery()|};
                    var one = {|PGB005:cmd.ExecuteScalar()|};
                    await using (var reader = {|PGB005:cmd.ExecuteReader()|})
                    {
                        while ({|PGB005:reader.Read()|})
                            Console.WriteLine(reader.GetInt32(0));
                        {|PGB005:reader.NextResult()|};
                    }
                    if (one is null)
                        {|PGB005:tx.Rollback()|};
                    else
                        {|PGB005:tx.Commit()|};
                }
            }
            """);

    [Fact]
    public Task Batches_ado_net_base_classes_and_system_data_interfaces_are_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection npgsql)
                {
                    DbConnection conn = npgsql;
                    {|PGB005:conn.Open()|};
                    await using DbCommand cmd = conn.CreateCommand();
                    cmd.CommandText = "SELECT 1";
                    {|PGB005:cmd.ExecuteScalar()|};
                    await using DbDataReader reader = await cmd.ExecuteReaderAsync();
                    {|PGB005:reader.Read()|};

                    await using var batch = new NpgsqlBatch(npgsql);
                    batch.BatchCommands.Add(new NpgsqlBatchCommand("SELECT 1"));
                    {|PGB005:batch.ExecuteNonQuery()|};

                    IDbConnection legacy = npgsql;
                    {|#0:legacy.Open()|};
                    using IDbCommand legacyCommand = legacy.CreateCommand();
                    {|#1:legacyCommand.ExecuteNonQuery()|};
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
                "'Open'", "'IDbConnection' has no async form: declare 'legacy' as 'DbConnection' (or the Npgsql type) and await 'OpenAsync'"),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(1).WithArguments(
                "'ExecuteNonQuery'", "'IDbCommand' has no async form: declare 'legacyCommand' as 'DbCommand' (or the Npgsql type) and await 'ExecuteNonQueryAsync'"));

    [Fact]
    public Task Sync_using_whose_dispose_makes_a_round_trip_is_reported_on_the_keyword()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlDataSource dataSource, bool early, CancellationToken ct)
                {
                    using var conn = await dataSource.OpenConnectionAsync(ct);
                    {|PGB005:using|} (var tx = await conn.BeginTransactionAsync(ct))
                    {
                        using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                        using (var batch = new NpgsqlBatch(conn, tx)) { }
                        {|PGB005:using|} (DbDataReader reader = await cmd.ExecuteReaderAsync(ct))
                        {
                            while (await reader.ReadAsync(ct))
                                if (reader.GetInt32(0) > 10)
                                    break;                // rows left: Dispose reads the rest
                        }
                        if (early)
                            return;                       // still pending: Dispose sends ROLLBACK
                        await tx.CommitAsync(ct);
                    }
                }
            }
            """);

    [Fact]
    public Task Sync_using_of_values_completed_on_every_normal_path_is_fine()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task<int> RunAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var n = 0;
                    using var conn = await dataSource.OpenConnectionAsync(ct);
                    using (var tx = await conn.BeginTransactionAsync(ct))
                    {
                        await using var cmd = new NpgsqlCommand("SELECT id FROM jobs", conn, tx);
                        using (var reader = await cmd.ExecuteReaderAsync(ct))
                        {
                            while (await reader.ReadAsync(ct).ConfigureAwait(false))
                                n++;
                        }
                        if (n == 0)
                        {
                            await tx.RollbackAsync(ct);
                            return 0;
                        }
                        await tx.CommitAsync(ct);
                    }
                    return n;
                }
            }
            """);

    [Fact]
    public Task Sync_using_of_a_connection_with_a_transaction_still_open_on_it_is_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlDataSource dataSource, bool skip, CancellationToken ct)
                {
                    {|PGB005:using|} var conn = await dataSource.OpenConnectionAsync(ct);
                    var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("DELETE FROM jobs", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    if (skip)
                        return;
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Reader_left_in_its_read_loop_early_is_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task<long> FirstAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT id FROM jobs", conn);
                    {|PGB005:using|} var reader = await cmd.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                        return reader.GetInt64(0);
                    return 0;
                }
            }
            """);

    [Fact]
    public Task Exception_paths_option_reports_every_sync_using()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    {|PGB005:using|} var conn = await dataSource.OpenConnectionAsync(ct);
                    {|PGB005:using|} var tx = await conn.BeginTransactionAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """,
            "dotnet_code_quality.PGB005.exception_paths = true");

    [Fact]
    public Task System_data_interface_without_DisposeAsync_gets_a_message_that_fits_it()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(IDbConnection conn, bool skip)
                {
                    {|#0:using|} IDbTransaction tx = conn.BeginTransaction();
                    await Task.Yield();
                    if (skip)
                        return;
                    {|#1:tx.Commit()|};
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(1).WithArguments(
                "'Commit'", "'IDbTransaction' has no async form: declare 'tx' as 'DbTransaction' (or the Npgsql type) and await 'CommitAsync'"),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
                "Disposing 'tx' at the end of this 'using'",
                "it may still be pending here, and its Dispose sends ROLLBACK; 'IDbTransaction' has no DisposeAsync: declare 'tx' as 'DbTransaction' (or the Npgsql type) and use 'await using', or complete it before the using ends"));

    [Fact]
    public Task Sync_using_statement_on_an_existing_local_is_reported_on_the_keyword()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var conn = dataSource.CreateConnection();
                    using (conn)
                    {
                        await conn.OpenAsync(ct);
                        var tx = await conn.BeginTransactionAsync(ct);
                        {|PGB005:using|} (tx)
                        {
                            if (ct.IsCancellationRequested)
                                return;
                            await tx.CommitAsync(ct);
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task Await_using_everywhere_and_async_overloads_are_fine()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task<int> RunAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("SELECT id FROM jobs", conn, tx);
                    await cmd.PrepareAsync(ct);
                    var count = 0;
                    await using (var reader = await cmd.ExecuteReaderAsync(ct))
                    {
                        while (await reader.ReadAsync(ct))
                            count++;
                        await reader.NextResultAsync(ct);
                    }
                    await tx.SaveAsync("a", ct);
                    await tx.ReleaseAsync("a", ct);
                    await tx.CommitAsync(ct).ConfigureAwait(false);
                    return count;
                }
            }
            """);

    [Fact]
    public Task Sync_lambdas_and_local_functions_in_async_code_are_sync_code()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn, Func<Action, Task> onWorker)
                {
                    await onWorker(() =>
                    {
                        using var tx = conn.BeginTransaction();
                        tx.Commit();
                    });
                    Flush();
                    await Task.Yield();

                    void Flush()
                    {
                        using var cmd = new NpgsqlCommand("CHECKPOINT", conn);
                        cmd.ExecuteNonQuery();
                    }
                }
            }
            """);

    [Fact]
    public Task Async_lambdas_and_async_local_functions_are_async_code_even_inside_sync_methods()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                Task Start(NpgsqlConnection conn)
                {
                    Func<Task> work = async () =>
                    {
                        await Task.Yield();
                        using var tx = conn.BeginTransaction();
                        {|PGB005:tx.Commit()|};
                    };
                    return Task.WhenAll(work(), RunAsync());

                    async Task RunAsync()
                    {
                        await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                        {|PGB005:cmd.ExecuteNonQuery()|};
                    }
                }

                void Outer(NpgsqlConnection conn, List<Func<Task>> queue)
                {
                    Action register = () => queue.Add(async () =>
                    {
                        await Task.Yield();
                        {|PGB005:conn.Open()|};
                    });
                }
            }
            """);

    [Fact]
    public Task Task_returning_method_without_async_is_not_async_code()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                Task<object?> CountAsync(NpgsqlConnection conn)
                {
                    using var cmd = new NpgsqlCommand("SELECT count(*) FROM jobs", conn);
                    return Task.FromResult(cmd.ExecuteScalar());
                }

                ValueTask Warm(NpgsqlConnection conn)
                {
                    conn.Open();
                    return ValueTask.CompletedTask;
                }
            }
            """);

    [Fact]
    public Task Async_value_task_method_and_async_iterator_are_async_code()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async ValueTask WarmAsync(NpgsqlConnection conn)
                {
                    await Task.Yield();
                    {|PGB005:conn.Open()|};
                }

                async IAsyncEnumerable<int> IdsAsync(NpgsqlConnection conn)
                {
                    await using var cmd = new NpgsqlCommand("SELECT id FROM jobs", conn);
                    await using var reader = await cmd.ExecuteReaderAsync();
                    while ({|PGB005:reader.Read()|})
                        yield return reader.GetInt32(0);
                }
            }
            """);

    [Fact]
    public Task Blocking_calls_in_catch_finally_loops_and_switch_sections_are_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn, int[] ids, int mode, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var committed = false;
                    try
                    {
                        foreach (var id in ids)
                        {
                            if (id < 0)
                                break;
                            await using var cmd = new NpgsqlCommand("DELETE FROM jobs WHERE id = $1", conn, tx);
                            cmd.Parameters.AddWithValue(id);
                            {|PGB005:cmd.ExecuteNonQuery()|};
                        }
                        switch (mode)
                        {
                            case 0:
                                {|PGB005:tx.Commit()|};
                                break;
                            default:
                                await tx.CommitAsync(ct);
                                break;
                        }
                        committed = true;
                    }
                    catch (PostgresException)
                    {
                        {|PGB005:tx.Rollback()|};
                        throw;
                    }
                    finally
                    {
                        if (!committed)
                            {|PGB005:tx.Rollback()|};
                    }
                }
            }
            """);

    [Fact]
    public Task Null_conditional_blocking_call_is_reported_on_its_invocation()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection? conn, NpgsqlTransaction? tx)
                {
                    await Task.Yield();
                    conn?{|PGB005:.Open()|};
                    if (tx is not null)
                        {|PGB005:tx.Commit()|};
                }
            }
            """);

    [Fact]
    public Task Methods_not_in_the_list_are_not_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = "SELECT id FROM jobs WHERE id = $1";
                    cmd.Parameters.AddWithValue(1);
                    await using (var reader = await cmd.ExecuteReaderAsync(ct))
                    {
                        if (await reader.ReadAsync(ct))
                            Console.WriteLine(reader.GetInt64(0) + reader.GetFieldValue<long>(0));
                        reader.Close();
                    }
                    conn.Close();
                    conn.Dispose();
                }
            }
            """);

    [Fact]
    public Task Dapper_sync_extensions_and_blocking_on_tasks_are_left_to_other_analyzers()
        => VerifyPgb005.AnalyzerAsync("""
            using Dapper;

            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await Task.Yield();
                    var ids = conn.Query<int>("SELECT id FROM jobs");
                    conn.Execute("DELETE FROM jobs");
                    conn.OpenAsync(ct).Wait();
                    var tx = conn.BeginTransactionAsync(ct).AsTask().Result;
                    tx.CommitAsync(ct).GetAwaiter().GetResult();
                }
            }
            """);

    [Fact]
    public Task Retry_loop_with_a_sync_rollback_in_the_catch_is_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Accounts
            {
                async Task<long> TotalAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        await using var conn = await dataSource.OpenConnectionAsync(ct);
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                        try
                        {
                            await using var cmd = new NpgsqlCommand("SELECT sum(balance) FROM accounts", conn, tx);
                            var total = (long)(await cmd.ExecuteScalarAsync(ct))!;
                            await tx.CommitAsync(ct);
                            return total;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure && attempt < 5)
                        {
                            {|PGB005:tx.Rollback()|};
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task Sync_code_is_never_reported()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                void Run(NpgsqlDataSource dataSource)
                {
                    using var conn = dataSource.OpenConnection();
                    using var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                    using (var reader = cmd.ExecuteReader())
                        while (reader.Read()) { }
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Code_with_a_missing_semicolon_still_reports_the_blocking_call()
        => VerifyPgb005.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn)
                {
                    await Task.Yield();
                    {|PGB005:conn.Open()|}{|CS1002:|}
                    await using var tx = conn.BeginTransaction();
                    tx.{|CS1001:|}{|CS1002:|}
                }
            }
            """);

    [Fact]
    public Task Very_large_async_method_reports_every_blocking_call()
    {
        var body = string.Join("\n", Enumerable.Range(0, 300).Select(i => $$"""
                    if (ids[{{i % 7}}] == {{i}})
                    {
                        await using var cmd{{i}} = new NpgsqlCommand("UPDATE t SET n = n + 1 WHERE id = {{i}}", conn);
                        {|PGB005:cmd{{i}}.ExecuteNonQuery()|};
                    }
            """));
        return VerifyPgb005.AnalyzerAsync($$"""
            class Huge
            {
                async Task RunAsync(NpgsqlConnection conn, int[] ids)
                {
                    await Task.Yield();
            {{body}}
                }
            }
            """);
    }

    [Fact]
    public Task Reader_handed_to_a_mapping_helper_opened_for_a_single_row_or_read_once_is_not_reported()
        => VerifyPgb005.AnalyzerAsync("""
            static class Mapper
            {
                public static async Task<List<long>> ReadAllAsync(DbDataReader reader, CancellationToken ct)
                {
                    var ids = new List<long>();
                    while (await reader.ReadAsync(ct))
                        ids.Add(reader.GetInt64(0));
                    return ids;
                }
            }

            class Jobs
            {
                async Task<List<long>> AllAsync(DbCommand cmd, CancellationToken ct)
                {
                    using (var reader = await cmd.ExecuteReaderAsync(ct))
                        return await Mapper.ReadAllAsync(reader, ct);
                }

                async Task<string?> FirstAsync(DbCommand cmd, CancellationToken ct)
                {
                    using var reader = await cmd.ExecuteReaderAsync(ct);
                    return await reader.ReadAsync(ct) ? reader.GetString(0) : null;
                }

                async Task<long?> OneAsync(DbCommand cmd, CancellationToken ct)
                {
                    using (var reader = await cmd.ExecuteReaderAsync(CommandBehavior.SequentialAccess | CommandBehavior.SingleRow, ct))
                    {
                        if (!await reader.ReadAsync(ct))
                            return null;
                        return reader.GetInt64(0);
                    }
                }
            }
            """);

    [Fact]
    public Task BeginTransaction_is_reported_only_through_the_ado_net_base_type()
        => VerifyPgb005.AnalyzerAsync("""
            class Outbox
            {
                async Task StoreAsync(NpgsqlConnection npgsql, DbConnection connection, CancellationToken ct)
                {
                    await using var mine = npgsql.BeginTransaction();
                    await using var other = {|#0:connection.BeginTransaction()|};
                    await mine.CommitAsync(ct);
                    await other.CommitAsync(ct);
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
                "'BeginTransaction'",
                "call 'BeginTransactionAsync' and await it ('DbConnection' may be a provider that sends BEGIN at once; only Npgsql's waits for the next command)"));

    [Fact]
    public Task Sync_helper_that_blocks_is_reported_where_async_code_calls_it()
        => VerifyPgb005.AnalyzerAsync("""
            class Installer
            {
                static void EnsureSchema(NpgsqlConnection conn)
                {
                    using var cmd = new NpgsqlCommand("CREATE TABLE IF NOT EXISTS jobs (id bigint)", conn);
                    cmd.ExecuteNonQuery();
                }

                static void EnsureAll(NpgsqlConnection conn) => EnsureSchema(conn);

                static Task EnsureSchemaAsync(NpgsqlConnection conn) => Task.CompletedTask;

                async Task RunAsync(NpgsqlConnection conn)
                {
                    await Task.Yield();
                    {|#0:EnsureSchema(conn)|};
                    {|#1:EnsureAll(conn)|};
                    await EnsureSchemaAsync(conn);
                }

                void Run(NpgsqlConnection conn) => EnsureSchema(conn);
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
                "'EnsureSchema'", "it calls 'ExecuteNonQuery' synchronously; make 'EnsureSchema' async (await 'ExecuteNonQueryAsync' inside) and await it"),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(1).WithArguments(
                "'EnsureAll'", "it calls 'ExecuteNonQuery' synchronously; make 'EnsureAll' async (await 'ExecuteNonQueryAsync' inside) and await it"));

    // linq2db 0a911caf42: QueryAsync called InitCommand(), which reached the connection through a chain of
    // sync helpers, an interface and a property getter, and opened it synchronously when it was closed.
    [Fact]
    public Task Deep_ensure_open_chain_through_an_interface_and_a_getter_is_reported_before_any_await()
        => VerifyPgb005.AnalyzerAsync("""
            interface IWrappedConnection
            {
                DbConnection Connection { get; }
                void Open();
                Task OpenAsync(CancellationToken ct);
            }

            class WrappedConnection : IWrappedConnection
            {
                public WrappedConnection(DbConnection connection) => Connection = connection;
                public DbConnection Connection { get; }
                public void Open() => Connection.Open();
                public Task OpenAsync(CancellationToken ct) => Connection.OpenAsync(ct);
            }

            class DataConnection
            {
                IWrappedConnection? _connection;
                readonly Func<DbConnection> _factory;
                DbCommand? _command;

                public DataConnection(Func<DbConnection> factory) => _factory = factory;

                public DbConnection Connection => EnsureConnection().Connection;

                IWrappedConnection EnsureConnection()
                {
                    _connection ??= new WrappedConnection(_factory());
                    if (_connection.Connection.State == System.Data.ConnectionState.Closed)
                        _connection.Open();
                    return _connection;
                }

                public async Task EnsureConnectionAsync(CancellationToken ct)
                {
                    _connection ??= new WrappedConnection(_factory());
                    if (_connection.Connection.State == System.Data.ConnectionState.Closed)
                        await _connection.OpenAsync(ct);
                }

                DbCommand CreateCommand() => EnsureConnection().Connection.CreateCommand();

                DbCommand GetOrCreateCommand() => _command ??= CreateCommand();

                public void InitCommand(string sql) => GetOrCreateCommand().CommandText = sql;
            }

            class CommandInfo
            {
                readonly DataConnection _dataConnection;
                readonly string _sql;

                public CommandInfo(DataConnection dataConnection, string sql) { _dataConnection = dataConnection; _sql = sql; }

                void InitCommand() => _dataConnection.InitCommand(_sql);

                public async Task<int> ExecuteAsync(CancellationToken ct)
                {
                    {|#0:InitCommand()|};
                    await Task.Yield();
                    return 0;
                }

                public async Task<string> DatabaseAsync(CancellationToken ct)
                {
                    var connection = {|#1:_dataConnection.Connection|};
                    await Task.Yield();
                    return connection.Database;
                }

                // Opened asynchronously first: the ensure-open chain does no I/O after it.
                public async Task<int> ExecuteOpenedAsync(CancellationToken ct)
                {
                    await _dataConnection.EnsureConnectionAsync(ct);
                    InitCommand();
                    return 0;
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0).WithArguments(
                "'InitCommand'", "it calls 'Open' synchronously; make 'InitCommand' async (await 'OpenAsync' inside) and await it (it opens the connection when it is still closed, as it is here: nothing was awaited before)"),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB005", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(1).WithArguments(
                "'Connection'", "its getter calls 'Open' synchronously; await 'OpenAsync' (or an async method that does) before reading it (it opens the connection when it is still closed, as it is here: nothing was awaited before)"));
}
