using System.Collections.Immutable;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

/// <summary>
/// A document with an instance the fix declines before one it accepts: Fix All (in the editor, in every
/// scope, and the way <c>dotnet format analyzers</c> starts it, with no equivalence key because the first
/// instance it finds has no fix) fixes the one and leaves the other as it was.
/// </summary>
public class FixAllSkipsDeclinedInstancesTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<FixAllSkipsDeclinedInstancesTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<FixAllSkipsDeclinedInstancesTests>(name);

    [Theory, MemberData(nameof(Cases))]
    public async Task Fix_All_as_dotnet_format_runs_it_fixes_the_fixable_instance(string name)
    {
        var fix = CodeFixCase.In(typeof(FixAllSkipsDeclinedInstancesTests))[name];
        var provider = FixHarness.Providers.Single(p => p.GetType() == fix.CodeFix);
        var document = FixHarness.CreateDocument(CodeFixCase.WithoutMarkup(fix.Source));
        var diagnostics = (await FixHarness.AnalyzeAsync(document.Project))
            .Where(d => provider.FixableDiagnosticIds.Contains(d.Id)).ToImmutableArray();
        Assert.True(diagnostics.Length >= 2, $"{name}: expected a declined and a fixable instance, found {diagnostics.Length}");
        Assert.Empty(await FixHarness.ActionsAsync(provider, document, diagnostics[0]));

        var expected = CodeFixCase.WithoutMarkup(fix.FixedSource);
        foreach (var scope in new[] { FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution })
        {
            var fixedSolution = await FixHarness.FixAllAsync(provider, document, scope, equivalenceKey: null, diagnostics[0].Id, diagnostics);
            Assert.True(fixedSolution is not null, $"{name}: Fix All in {scope} returned no action");
            var text = (await fixedSolution!.GetDocument(document.Id)!.GetTextAsync()).ToString();
            Assert.Equal(expected, text);
        }
    }

    static CodeFixCase Pgb201_text_returned_directly_is_left_and_the_local_command_is_parameterized
        => CodeFixCase.Of<SqlBuiltFromNonConstantTextAnalyzer, ParameterizeSqlCodeFix>("""
            class Customers
            {
                NpgsqlCommand Find(NpgsqlConnection conn, string name)
                    => new NpgsqlCommand($"SELECT * FROM customers WHERE name = '{{|PGB201:name|}}'", conn);

                void Delete(NpgsqlConnection conn, string name)
                {
                    using var cmd = new NpgsqlCommand($"DELETE FROM customers WHERE name = '{{|PGB201:name|}}'", conn);
                    cmd.ExecuteNonQuery();
                }
            }
            """, """
            class Customers
            {
                NpgsqlCommand Find(NpgsqlConnection conn, string name)
                    => new NpgsqlCommand($"SELECT * FROM customers WHERE name = '{{|PGB201:name|}}'", conn);

                void Delete(NpgsqlConnection conn, string name)
                {
                    using var cmd = new NpgsqlCommand("DELETE FROM customers WHERE name = $1", conn);
                    cmd.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
                    cmd.ExecuteNonQuery();
                }
            }
            """);

    static CodeFixCase Pgb101_await_whose_result_is_used_is_left_and_the_unrelated_one_moves
        => CodeFixCase.Of<LocksHeldAcrossAwaitAnalyzer, MoveAwaitAfterCommitCodeFix>("""
            interface INotifier { Task NotifyAsync(int id, CancellationToken ct); Task<string> LabelAsync(int id, CancellationToken ct); }

            class Orders
            {
                async Task LabelAsync(NpgsqlConnection conn, INotifier notifier, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn, tx);
                    cmd.Parameters.AddWithValue(id);
                    await cmd.ExecuteNonQueryAsync(ct);
                    var label = {|PGB101:await notifier.LabelAsync(id, ct)|};
                    await using var set = new NpgsqlCommand("UPDATE orders SET label = $1", conn, tx);
                    set.Parameters.AddWithValue(label);
                    await set.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }

                async Task ShipAsync(NpgsqlConnection conn, INotifier notifier, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn, tx);
                    cmd.Parameters.AddWithValue(id);
                    await cmd.ExecuteNonQueryAsync(ct);
                    {|PGB101:await notifier.NotifyAsync(id, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """, """
            interface INotifier { Task NotifyAsync(int id, CancellationToken ct); Task<string> LabelAsync(int id, CancellationToken ct); }

            class Orders
            {
                async Task LabelAsync(NpgsqlConnection conn, INotifier notifier, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn, tx);
                    cmd.Parameters.AddWithValue(id);
                    await cmd.ExecuteNonQueryAsync(ct);
                    var label = {|PGB101:await notifier.LabelAsync(id, ct)|};
                    await using var set = new NpgsqlCommand("UPDATE orders SET label = $1", conn, tx);
                    set.Parameters.AddWithValue(label);
                    await set.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }

                async Task ShipAsync(NpgsqlConnection conn, INotifier notifier, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true WHERE id = $1", conn, tx);
                    cmd.Parameters.AddWithValue(id);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                    await notifier.NotifyAsync(id, ct);
                }
            }
            """);

    static CodeFixCase Pgb103_unlock_whose_result_is_read_is_left_and_the_other_moves_into_finally
        => CodeFixCase.Of<SessionAdvisoryLockNotReleasedAnalyzer, UnlockInFinallyCodeFix>("""
            class Jobs
            {
                bool RunChecked(NpgsqlConnection conn, Action work)
                {
                    using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(7)", conn);
                    using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7)", conn);
                    {|PGB103:acquire.ExecuteNonQuery()|};
                    work();
                    var released = (bool)unlock.ExecuteScalar()!;
                    return released;
                }

                void Run(NpgsqlConnection conn, Action work)
                {
                    using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(8)", conn);
                    using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(8)", conn);
                    {|PGB103:acquire.ExecuteNonQuery()|};
                    work();
                    release.ExecuteNonQuery();
                }
            }
            """, """
            class Jobs
            {
                bool RunChecked(NpgsqlConnection conn, Action work)
                {
                    using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(7)", conn);
                    using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7)", conn);
                    {|PGB103:acquire.ExecuteNonQuery()|};
                    work();
                    var released = (bool)unlock.ExecuteScalar()!;
                    return released;
                }

                void Run(NpgsqlConnection conn, Action work)
                {
                    using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock(8)", conn);
                    using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(8)", conn);
                    acquire.ExecuteNonQuery();
                    try
                    {
                        work();
                    }
                    finally
                    {
                        release.ExecuteNonQuery();
                    }
                }
            }
            """);

    static CodeFixCase Pgb104_WhenAll_whose_results_are_used_is_left_and_the_statement_becomes_sequential
        => CodeFixCase.Of<ConnectionUsedConcurrentlyAnalyzer, AwaitOneAfterAnotherCodeFix>("""
            class Dashboard
            {
                async Task<object?[]> LoadAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    await using var customers = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    return await {|PGB104:Task.WhenAll(orders.ExecuteScalarAsync(ct), customers.ExecuteScalarAsync(ct))|};
                }

                async Task RefreshAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("REFRESH MATERIALIZED VIEW order_totals", conn);
                    await using var customers = new NpgsqlCommand("REFRESH MATERIALIZED VIEW customer_totals", conn);
                    await {|PGB104:Task.WhenAll(orders.ExecuteNonQueryAsync(ct), customers.ExecuteNonQueryAsync(ct))|};
                }
            }
            """, """
            class Dashboard
            {
                async Task<object?[]> LoadAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    await using var customers = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    return await {|PGB104:Task.WhenAll(orders.ExecuteScalarAsync(ct), customers.ExecuteScalarAsync(ct))|};
                }

                async Task RefreshAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var orders = new NpgsqlCommand("REFRESH MATERIALIZED VIEW order_totals", conn);
                    await using var customers = new NpgsqlCommand("REFRESH MATERIALIZED VIEW customer_totals", conn);
                    await orders.ExecuteNonQueryAsync(ct);
                    await customers.ExecuteNonQueryAsync(ct);
                }
            }
            """);
}
