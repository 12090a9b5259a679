using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb009 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionNeverCommittedAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class TransactionNeverCommittedTests
{
    static DiagnosticResult Pgb009(int location, string name, string work, string workLine, string disposeLine)
        => new DiagnosticResult("PGB009", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(name, work, workLine, disposeLine);

    // NServiceBus.Persistence.Sql ceea8c5c: the installer ran every script in a transaction that a using
    // disposed without a commit, so nothing was ever installed.
    [Fact]
    public Task Transaction_handed_to_work_and_disposed_without_commit_is_reported()
        => VerifyPgb009.AnalyzerAsync("""
            class Installer
            {
                static async Task Execute(Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, Task> installAction, Func<System.Data.Common.DbConnection> connectionBuilder)
                {
                    using (var connection = connectionBuilder())
                    {
                        await connection.OpenAsync();
                        using (var {|#0:transaction|} = connection.BeginTransaction())
                        {
                            {|#2:await installAction(connection, transaction);|}
                        {|#3:}|}
                    }
                }

                static async Task InsertAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var {|#1:tx|} = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders (id) VALUES (1)", conn, tx);
                    {|#4:await cmd.ExecuteNonQueryAsync(ct);|}
                {|#5:}|}
            }
            """,
            Pgb009(0, "transaction", "'installAction'", LineOf(2), LineOf(3)),
            Pgb009(1, "tx", "a statement that writes", LineOf(4), LineOf(5)));

    [Fact]
    public Task Committed_rolled_back_read_only_or_handed_on_transactions_are_fine()
        => VerifyPgb009.AnalyzerAsync("""
            class Orders
            {
                static async Task CommittedAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders (id) VALUES (1)", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }

                // Committed on one path only: the other path's rollback is a choice, not an oversight.
                static async Task CommittedWhenValidAsync(NpgsqlConnection conn, bool valid, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders (id) VALUES (1)", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    if (valid)
                        await tx.CommitAsync(ct);
                }

                // A dry run: the rollback is written out.
                static async Task DryRunAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("DELETE FROM orders", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.RollbackAsync(ct);
                }

                // A consistent read: rolling back a transaction that only read loses nothing.
                static async Task<long> ReadAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn, tx);
                    return (long)(await cmd.ExecuteScalarAsync(ct))!;
                }

                // Committed inside the work it is handed to (a retry body that completes it).
                static async Task RetriedAsync(NpgsqlConnection conn, Func<Func<Task>, Task> retry, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await retry(async () =>
                    {
                        await using var cmd = new NpgsqlCommand("INSERT INTO orders (id) VALUES (1)", conn, tx);
                        await cmd.ExecuteNonQueryAsync(ct);
                        await tx.CommitAsync(ct);
                    });
                }

                // Handed to a helper that commits it.
                static async Task HandedOnAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await SaveAndCommitAsync(conn, tx, ct);
                }

                static async Task SaveAndCommitAsync(NpgsqlConnection conn, NpgsqlTransaction tx, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders (id) VALUES (1)", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Test_methods_that_roll_back_their_writes_are_fine()
        => VerifyPgb009.AnalyzerAsync("""
            class FactAttribute : Attribute { }

            class OrderTests
            {
                [Fact]
                public async Task Insert_counts_one_row()
                {
                    await using var conn = new NpgsqlConnection("Host=localhost");
                    await conn.OpenAsync();
                    await using var tx = await conn.BeginTransactionAsync();
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders (id) VALUES (1)", conn, tx);
                    await cmd.ExecuteNonQueryAsync();
                }

                static async Task SeedAsync(NpgsqlConnection conn)
                {
                    await using var tx = await conn.BeginTransactionAsync();
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders (id) VALUES (2)", conn, tx);
                    await cmd.ExecuteNonQueryAsync();
                }
            }
            """);

    [Fact]
    public Task Half_written_method_does_not_throw()
        => VerifyPgb009.AnalyzerAsync("""
            class Orders
            {
                static async Task InsertAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var {|PGB009:tx|} = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders (id) VALUES (1)", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    tx.{|CS1001:|}{|CS1002:|}
                }
            }
            """);
}
