using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb106 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SerializableWithoutRetryAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class SerializableWithoutRetryTests
{
    [Fact]
    public Task Serializable_transaction_without_retry_is_reported()
        => VerifyPgb106.AnalyzerAsync("""
            class Bank
            {
                async Task TransferAsync(NpgsqlConnection conn, int from, int to, int amount, CancellationToken ct)
                {
                    await using var tx = await {|#0:conn.BeginTransactionAsync(IsolationLevel.Serializable, ct)|};
                    await using var cmd = new NpgsqlCommand("UPDATE accounts SET balance = balance - $1 WHERE id = $2", conn, tx);
                    cmd.Parameters.AddWithValue(amount);
                    cmd.Parameters.AddWithValue(from);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB106", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("Serializable", "tx", ""));

    [Fact]
    public Task Repeatable_read_that_writes_is_reported_but_a_read_only_one_is_not()
        => VerifyPgb106.AnalyzerAsync("""
            class Reports
            {
                long Snapshot(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction(IsolationLevel.RepeatableRead);
                    using var cmd = new NpgsqlCommand("SELECT sum(balance) FROM accounts", conn, tx);
                    var total = (long)cmd.ExecuteScalar()!;
                    tx.Commit();
                    return total;
                }

                void Close(NpgsqlConnection conn)
                {
                    using var tx = {|PGB106:conn.BeginTransaction(IsolationLevel.RepeatableRead)|};
                    using var cmd = new NpgsqlCommand("UPDATE periods SET closed = true WHERE closed = false", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Retry_loops_lambdas_and_deferrable_read_only_are_fine()
        => VerifyPgb106.AnalyzerAsync("""
            class Bank
            {
                async Task RetryLoopAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        await using var conn = await dataSource.OpenConnectionAsync(ct);
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                        try
                        {
                            await using var cmd = new NpgsqlCommand("UPDATE accounts SET balance = balance + 1 WHERE id = 1", conn, tx);
                            await cmd.ExecuteNonQueryAsync(ct);
                            await tx.CommitAsync(ct);
                            return;
                        }
                        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected && attempt < 5)
                        {
                        }
                    }
                }

                async Task TransientAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    while (true)
                    {
                        try
                        {
                            await using var conn = await dataSource.OpenConnectionAsync(ct);
                            await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                            await tx.CommitAsync(ct);
                            break;
                        }
                        catch (NpgsqlException e) when (e.IsTransient)
                        {
                        }
                    }
                }

                Task WrappedAsync(NpgsqlDataSource dataSource, Func<Func<Task>, Task> retry, CancellationToken ct)
                    => retry(async () =>
                    {
                        await using var conn = await dataSource.OpenConnectionAsync(ct);
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                        await tx.CommitAsync(ct);
                    });

                long Deferrable(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction(IsolationLevel.Serializable);
                    using var set = new NpgsqlCommand("SET TRANSACTION READ ONLY DEFERRABLE", conn, tx);
                    set.ExecuteNonQuery();
                    using var cmd = new NpgsqlCommand("SELECT count(*) FROM accounts", conn, tx);
                    var count = (long)cmd.ExecuteScalar()!;
                    tx.Commit();
                    return count;
                }

                void ReadCommitted(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction(IsolationLevel.ReadCommitted);
                    using var cmd = new NpgsqlCommand("UPDATE accounts SET balance = 0", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task A_loop_that_catches_something_else_is_not_a_retry()
        => VerifyPgb106.AnalyzerAsync("""
            class Bank
            {
                void Sweep(NpgsqlConnection conn, int[] ids)
                {
                    foreach (var id in ids)
                    {
                        try
                        {
                            using var tx = {|PGB106:conn.BeginTransaction(IsolationLevel.Serializable)|};
                            tx.Commit();
                        }
                        catch (TimeoutException)
                        {
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task Deferrable_without_read_only_and_snapshot_isolation_are_reported()
        => VerifyPgb106.AnalyzerAsync("""
            class Bank
            {
                void Deferrable(NpgsqlConnection conn)
                {
                    using var tx = {|PGB106:conn.BeginTransaction(IsolationLevel.Serializable)|};
                    using var set = new NpgsqlCommand("SET TRANSACTION DEFERRABLE", conn, tx);
                    set.ExecuteNonQuery();
                    tx.Commit();
                }

                void Snapshot(NpgsqlConnection conn)
                {
                    using var tx = {|PGB106:conn.BeginTransaction(IsolationLevel.Snapshot)|};
                    using var cmd = new NpgsqlCommand("DELETE FROM sessions WHERE expired", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Methods_retried_by_their_callers_are_configured_in_editorconfig()
        => VerifyPgb106.AnalyzerAsync("""
            namespace Billing
            {
                class Ledger
                {
                    void Post(NpgsqlConnection conn)
                    {
                        using var tx = conn.BeginTransaction(IsolationLevel.Serializable);
                        tx.Commit();
                    }

                    void Close(NpgsqlConnection conn)
                    {
                        using var tx = {|PGB106:conn.BeginTransaction(IsolationLevel.Serializable)|};
                        tx.Commit();
                    }
                }
            }
            """,
            "dotnet_code_quality.PGB106.retried_methods = Billing.Ledger.Post");
}
