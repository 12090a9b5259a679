using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb107 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.ReadModifyWriteWithoutLockAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class ReadModifyWriteWithoutLockTests
{
    [Fact]
    public Task Read_then_update_in_read_committed_is_reported()
        => VerifyPgb107.AnalyzerAsync("""
            class Stock
            {
                async Task SellAsync(NpgsqlConnection conn, string sku, int quantity, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var read = new NpgsqlCommand("SELECT quantity FROM stock WHERE sku = $1", conn, tx);
                    read.Parameters.AddWithValue(sku);
                    var left = (int)(await read.ExecuteScalarAsync(ct))!;
                    await using var write = new NpgsqlCommand("UPDATE stock SET quantity = $2 WHERE sku = $1", conn, tx);
                    write.Parameters.AddWithValue(sku);
                    write.Parameters.AddWithValue(left - quantity);
                    await {|#0:write.ExecuteNonQueryAsync(ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB107", DiagnosticSeverity.Info).WithLocation(0).WithArguments("tx", "stock", 16));

    [Fact]
    public Task For_update_atomic_updates_other_tables_and_serializable_are_fine()
        => VerifyPgb107.AnalyzerAsync("""
            class Stock
            {
                void Locked(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand("SELECT quantity FROM stock WHERE sku = 'a' FOR UPDATE", conn, tx);
                    read.ExecuteScalar();
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = $1 WHERE sku = 'a'", conn, tx);
                    write.Parameters.AddWithValue(1);
                    write.ExecuteNonQuery();
                    tx.Commit();
                }

                void Atomic(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand("SELECT quantity FROM stock WHERE sku = 'a'", conn, tx);
                    read.ExecuteScalar();
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = quantity - 1 WHERE sku = 'a' AND quantity > 0", conn, tx);
                    write.ExecuteNonQuery();
                    tx.Commit();
                }

                void OtherTable(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand("SELECT price FROM products WHERE sku = 'a'", conn, tx);
                    read.ExecuteScalar();
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = $1 WHERE sku = 'a'", conn, tx);
                    write.Parameters.AddWithValue(1);
                    write.ExecuteNonQuery();
                    tx.Commit();
                }

                void ConstantAssignmentGuardedByState(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand("SELECT id FROM orders WHERE status = 'pending'", conn, tx);
                    read.ExecuteScalar();
                    using var write = new NpgsqlCommand("UPDATE orders SET status = 'charged' WHERE id = $1 AND status = 'pending'", conn, tx);
                    write.Parameters.AddWithValue(1);
                    write.ExecuteNonQuery();
                    tx.Commit();
                }

                void Serializable(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction(IsolationLevel.Serializable);
                    using var read = new NpgsqlCommand("SELECT quantity FROM stock WHERE sku = 'a'", conn, tx);
                    read.ExecuteScalar();
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = $1 WHERE sku = 'a'", conn, tx);
                    write.Parameters.AddWithValue(1);
                    write.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """);
}
