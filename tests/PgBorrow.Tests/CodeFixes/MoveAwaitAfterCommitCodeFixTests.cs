using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class MoveAwaitAfterCommitCodeFixTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<MoveAwaitAfterCommitCodeFixTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<MoveAwaitAfterCommitCodeFixTests>(name);

    const string Api = """
        interface INotifier { Task NotifyAsync(int id, CancellationToken ct); Task<string> LabelAsync(int id, CancellationToken ct); }

        """;

    static CodeFixCase Unrelated_await_whose_result_is_not_used_moves_after_the_commit
        => CodeFixCase.Of<LocksHeldAcrossAwaitAnalyzer, MoveAwaitAfterCommitCodeFix>(Api + """
            class Orders
            {
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
            """, Api + """
            class Orders
            {
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

    static CodeFixCase No_fix_when_the_result_is_used_inside_the_transaction
        => CodeFixCase.Of<LocksHeldAcrossAwaitAnalyzer, MoveAwaitAfterCommitCodeFix>(Api + """
            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, INotifier notifier, int id, CancellationToken ct)
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
            }
            """, Api + """
            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, INotifier notifier, int id, CancellationToken ct)
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
            }
            """);

    static CodeFixCase No_fix_in_a_transaction_scope_body
        => CodeFixCase.Of<LocksHeldAcrossAwaitAnalyzer, MoveAwaitAfterCommitCodeFix>(Api + Journal + """
            class Orders
            {
                Task ShipAsync(NpgsqlDataSource ds, INotifier notifier, IJournal journal, int id, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token);
                        {|PGB101:await notifier.NotifyAsync(id, token)|};
                        {|PGB101:await journal.CommitAsync(token)|};
                    }, ct);
            }
            """, Api + Journal + """
            class Orders
            {
                Task ShipAsync(NpgsqlDataSource ds, INotifier notifier, IJournal journal, int id, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token);
                        {|PGB101:await notifier.NotifyAsync(id, token)|};
                        {|PGB101:await journal.CommitAsync(token)|};
                    }, ct);
            }
            """);

    const string Journal = """
        interface IJournal { Task CommitAsync(CancellationToken ct); }

        """;
}
