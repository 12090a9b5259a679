using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb105 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SecondConnectionWhileLockedAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class SecondConnectionWhileLockedTests
{
    [Fact]
    public Task Write_through_a_second_connection_while_locked_is_reported()
        => VerifyPgb105.AnalyzerAsync("""
            class Orders
            {
                async Task PayAsync(NpgsqlDataSource dataSource, int id, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var pay = new NpgsqlCommand("UPDATE orders SET paid = true WHERE id = $1", conn, tx);
                    pay.Parameters.AddWithValue(id);
                    {|#1:await pay.ExecuteNonQueryAsync(ct);|}

                    await using var audit = await dataSource.OpenConnectionAsync(ct);
                    await using var log = new NpgsqlCommand("INSERT INTO audit (order_id) VALUES ($1)", audit);
                    log.Parameters.AddWithValue(id);
                    await {|#0:log.ExecuteNonQueryAsync(ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB105", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("ExecuteNonQueryAsync", "connection 'audit'", "tx", "conn", "UPDATE orders", LineOf(1)));

    [Fact]
    public Task Data_source_command_and_Dapper_on_another_connection_are_reported()
        => VerifyPgb105.AnalyzerAsync("using Dapper;\n" + """
            class Orders
            {
                void Pay(NpgsqlDataSource dataSource, NpgsqlConnection other, int id)
                {
                    using var conn = dataSource.OpenConnection();
                    using var tx = conn.BeginTransaction();
                    using var lockRow = new NpgsqlCommand("SELECT * FROM orders WHERE id = $1 FOR UPDATE", conn, tx);
                    lockRow.Parameters.AddWithValue(id);
                    lockRow.ExecuteNonQuery();
                    {|PGB105:dataSource.CreateCommand("UPDATE orders SET paid = true WHERE id = 1").ExecuteNonQuery()|};
                    {|PGB105:other.Execute("DELETE FROM carts WHERE order_id = @id", new { id })|};
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Same_connection_reads_elsewhere_and_after_commit_are_fine()
        => VerifyPgb105.AnalyzerAsync("""
            class Orders
            {
                void Pay(NpgsqlDataSource dataSource, int id)
                {
                    using var conn = dataSource.OpenConnection();
                    using (var tx = conn.BeginTransaction())
                    {
                        using var pay = new NpgsqlCommand("UPDATE orders SET paid = true WHERE id = $1", conn, tx);
                        pay.Parameters.AddWithValue(id);
                        pay.ExecuteNonQuery();
                        using var again = new NpgsqlCommand("INSERT INTO audit (order_id) VALUES ($1)", conn, tx);
                        again.Parameters.AddWithValue(id);
                        again.ExecuteNonQuery();
                        using var read = dataSource.CreateCommand("SELECT count(*) FROM orders");
                        read.ExecuteScalar();
                        tx.Commit();
                    }
                    using var after = dataSource.CreateCommand("INSERT INTO audit (order_id) VALUES (1)");
                    after.ExecuteNonQuery();
                }
            }
            """);
}
