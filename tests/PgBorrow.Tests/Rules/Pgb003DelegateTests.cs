using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb003 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionUsedAfterCompletionAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>PGB003 across time: a lambda that uses the method's transaction, escapes, and outlives its completion.</summary>
public class Pgb003DelegateTests
{
    static DiagnosticResult Outlives(int location, string how, int delegateLine, string completion, int completionLine)
        => new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(location)
            .WithArguments("tx", $"a lambda that {how} (line {delegateLine}) and can still run", completion, completionLine, RunItBefore);

    const string RunItBefore = "run the delegate before that, or let it begin a transaction of its own";

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
                    await tx.CommitAsync(ct);
                }
            }
            """,
            Outlives(0, "is stored in the field '_onSaved'", 16, "committed", 17));

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
                    await tx.CommitAsync(ct);
                }
            }
            """,
            Outlives(0, "runs on the thread pool through 'Run', whose task is discarded", 15, "committed", 16));

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
                    tx.Commit();
                }
            }
            """,
            Outlives(0, "is added to '_afterCommit', which outlives the body", 16, "committed", 17));

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
                }

                static long Count(NpgsqlConnection conn, NpgsqlTransaction tx, string table) => 0;
            }
            """,
            Outlives(0, "is deferred by 'Select', whose query is returned unenumerated", 15, "disposed", 16));

    [Fact]
    public Task Returned_lambda_over_a_using_transaction_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Jobs
            {
                Func<int> Prepare(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    return () => new NpgsqlCommand("DELETE FROM jobs", conn, {|#0:tx|}).ExecuteNonQuery();
                }
            }
            """,
            Outlives(0, "is returned", 14, "disposed", 15));

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
                    tx.Commit();
                }
            }
            """,
            Outlives(0, "runs on a Timer", 16, "committed", 17));

    [Fact]
    public Task Local_function_started_and_not_awaited_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Audit
            {
                async Task WriteAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    _ = Task.Run(Write);
                    await tx.CommitAsync(ct);

                    Task Write() => {|#0:tx|}.SaveAsync("w", ct);
                }
            }
            """,
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("tx", "the local function 'Write' that runs on the thread pool through 'Run', whose task is discarded (line 14) and can still run", "committed", 15, RunItBefore));

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
}
