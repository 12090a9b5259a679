using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
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
                    {|#1:var left = (int)(await read.ExecuteScalarAsync(ct))!;|}
                    await using var write = new NpgsqlCommand("UPDATE stock SET quantity = $2 WHERE sku = $1", conn, tx);
                    write.Parameters.AddWithValue(sku);
                    write.Parameters.AddWithValue(left - quantity);
                    await {|#0:write.ExecuteNonQueryAsync(ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB107", DiagnosticSeverity.Info).WithLocation(0).WithArguments("tx", "stock", LineOf(1)));

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

    [Fact]
    public Task Synchronous_read_then_update_is_reported_on_the_update_call()
        => VerifyPgb107.AnalyzerAsync("""
            class Stock
            {
                void Sell(NpgsqlConnection conn, string sku, int quantity)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand("SELECT quantity FROM stock WHERE sku = $1", conn, tx);
                    read.Parameters.AddWithValue(sku);
                    var left = (int)read.ExecuteScalar()!;
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = $2 WHERE sku = $1", conn, tx);
                    write.Parameters.AddWithValue(sku);
                    write.Parameters.AddWithValue(left - quantity);
                    {|PGB107:write.ExecuteNonQuery()|};
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Sql_from_const_fields_and_command_text_is_read()
        => VerifyPgb107.AnalyzerAsync("""
            class Stock
            {
                const string ReadQuantity = "SELECT quantity FROM stock WHERE sku = $1";
                const string WriteQuantity = "UPDATE stock SET quantity = $2 WHERE sku = $1";

                void FromConstants(NpgsqlConnection conn, string sku)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand(ReadQuantity, conn, tx);
                    read.Parameters.AddWithValue(sku);
                    var left = (int)read.ExecuteScalar()!;
                    using var write = new NpgsqlCommand(WriteQuantity, conn, tx);
                    write.Parameters.AddWithValue(sku);
                    write.Parameters.AddWithValue(left - 1);
                    {|PGB107:write.ExecuteNonQuery()|};
                    tx.Commit();
                }

                void FromCommandText(NpgsqlConnection conn, string sku)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = conn.CreateCommand();
                    read.Transaction = tx;
                    read.CommandText = "SELECT quantity FROM stock WHERE sku = $1";
                    read.Parameters.AddWithValue(sku);
                    var left = (int)read.ExecuteScalar()!;
                    using var write = conn.CreateCommand();
                    write.Transaction = tx;
                    write.CommandText = "UPDATE stock SET quantity = $2 WHERE sku = $1";
                    write.Parameters.AddWithValue(sku);
                    write.Parameters.AddWithValue(left - 1);
                    {|PGB107:write.ExecuteNonQuery()|};
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Dapper_read_then_update_in_the_transaction_is_reported()
        => VerifyPgb107.AnalyzerAsync("""
            using Dapper;

            class Accounts
            {
                async Task WithdrawAsync(NpgsqlConnection conn, int id, int amount)
                {
                    await using var tx = await conn.BeginTransactionAsync();
                    var balance = await conn.ExecuteScalarAsync<int>("SELECT balance FROM accounts WHERE id = @id", new { id }, tx);
                    await {|PGB107:conn.ExecuteAsync("UPDATE accounts SET balance = @balance WHERE id = @id", new { id, balance = balance - amount }, tx)|};
                    await tx.CommitAsync();
                }
            }
            """);

    [Theory]
    [InlineData("FOR UPDATE")]
    [InlineData("FOR NO KEY UPDATE")]
    [InlineData("FOR SHARE")]
    [InlineData("FOR KEY SHARE")]
    [InlineData("for update skip locked")]
    public Task Reads_that_lock_the_row_are_fine(string lockingClause)
        => VerifyPgb107.AnalyzerAsync(SellOneItem(lockingClause: " " + lockingClause));

    [Theory]
    [InlineData("RepeatableRead")]
    [InlineData("Serializable")]
    public Task Transactions_that_abort_the_second_writer_are_fine(string isolationLevel)
        => VerifyPgb107.AnalyzerAsync(SellOneItem(begin: $"conn.BeginTransaction(IsolationLevel.{isolationLevel})"));

    [Fact]
    public Task Isolation_set_by_set_transaction_is_fine()
        => VerifyPgb107.AnalyzerAsync(SellOneItem(setUp: """
            using var level = new NpgsqlCommand("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE", conn, tx);
                    level.ExecuteNonQuery();
            """));

    [Fact]
    public Task Explicit_read_committed_is_reported()
        => VerifyPgb107.AnalyzerAsync(SellOneItem(
            begin: "conn.BeginTransaction(IsolationLevel.ReadCommitted)",
            runWrite: "{|PGB107:write.ExecuteNonQuery()|}"));

    /// <summary>
    /// A method that reads the quantity of one item and writes back a value computed in C#; the
    /// arguments vary how the transaction begins, what runs first and how the row is read.
    /// </summary>
    static string SellOneItem(
        string begin = "conn.BeginTransaction()",
        string setUp = "",
        string lockingClause = "",
        string runWrite = "write.ExecuteNonQuery()")
        => $$"""
            class Stock
            {
                void Sell(NpgsqlConnection conn)
                {
                    using var tx = {{begin}};
                    {{setUp}}
                    using var read = new NpgsqlCommand("SELECT quantity FROM stock WHERE sku = 'a'{{lockingClause}}", conn, tx);
                    var left = (int)read.ExecuteScalar()!;
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = $1 WHERE sku = 'a'", conn, tx);
                    write.Parameters.AddWithValue(left - 1);
                    {{runWrite}};
                    tx.Commit();
                }
            }
            """;

    [Fact]
    public Task Table_is_matched_by_unqualified_name_case_insensitively()
        => VerifyPgb107.AnalyzerAsync("""
            class Stock
            {
                void Sell(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand("SELECT quantity FROM public.Stock WHERE sku = 'a'", conn, tx);
                    {|#1:var left = (int)read.ExecuteScalar()!;|}
                    using var write = new NpgsqlCommand("UPDATE STOCK SET quantity = $1 WHERE sku = 'b'", conn, tx);
                    write.Parameters.AddWithValue(left - 1);
                    {|#0:write.ExecuteNonQuery()|};
                    tx.Commit();
                }
            }
            """,
            new DiagnosticResult("PGB107", DiagnosticSeverity.Info).WithLocation(0).WithArguments("tx", "stock", LineOf(1)));

    [Fact]
    public Task Read_and_update_in_different_methods_or_outside_a_transaction_are_fine()
        => VerifyPgb107.AnalyzerAsync("""
            class Stock
            {
                int Read(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    using var read = new NpgsqlCommand("SELECT quantity FROM stock WHERE sku = 'a'", conn, tx);
                    return (int)read.ExecuteScalar()!;
                }

                void Write(NpgsqlConnection conn, NpgsqlTransaction tx, int left)
                {
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = $1 WHERE sku = 'a'", conn, tx);
                    write.Parameters.AddWithValue(left - 1);
                    write.ExecuteNonQuery();
                }

                void NoTransaction(NpgsqlConnection conn)
                {
                    using var read = new NpgsqlCommand("SELECT quantity FROM stock WHERE sku = 'a'", conn);
                    var left = (int)read.ExecuteScalar()!;
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = $1 WHERE sku = 'a'", conn);
                    write.Parameters.AddWithValue(left - 1);
                    write.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Update_before_the_read_and_sql_the_analyzer_cannot_read_are_fine()
        => VerifyPgb107.AnalyzerAsync("""
            class Stock
            {
                void UpdateFirst(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = $1 WHERE sku = 'a'", conn, tx);
                    write.Parameters.AddWithValue(5);
                    write.ExecuteNonQuery();
                    using var read = new NpgsqlCommand("SELECT quantity FROM stock WHERE sku = 'a'", conn, tx);
                    read.ExecuteScalar();
                    tx.Commit();
                }

                void BuiltText(NpgsqlConnection conn, string table)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand("SELECT quantity FROM " + table, conn, tx);
                    var left = (int)read.ExecuteScalar()!;
                    using var write = new NpgsqlCommand("UPDATE " + table + " SET quantity = $1", conn, tx);
                    write.Parameters.AddWithValue(left - 1);
                    write.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task Half_written_sql_and_code_do_not_throw()
        => VerifyPgb107.AnalyzerAsync("""
            class Stock
            {
                void TruncatedSql(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand("SELECT quantity FROM", conn, tx);
                    read.ExecuteScalar();
                    using var write = new NpgsqlCommand("UPDATE stock SET", conn, tx);
                    write.ExecuteNonQuery();
                    using var empty = new NpgsqlCommand("UPDATE", conn, tx);
                    empty.ExecuteNonQuery();
                    tx.Commit();
                }

                void Unfinished(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    using var read = new NpgsqlCommand("SELECT quantity FROM stock", conn, tx);
                    read.ExecuteScalar();
                    using var write = new NpgsqlCommand("UPDATE stock SET quantity = $1", conn, tx);
                    write.{|CS1001:|}{|CS1002:|}
                }
            }
            """);
}
