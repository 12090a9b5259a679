using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb101 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.LocksHeldAcrossAwaitAnalyzer>;
using VerifyPgb102 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionHeldAcrossAwaitAnalyzer>;
using VerifyPgb106 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SerializableWithoutRetryAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>Constant SQL held by a static readonly field or a property of another class (or another partial part).</summary>
public class LockSqlFromOtherClassesTests
{
    const string Queries = """
        static class Queries
        {
            public static readonly string LockOrder = "SELECT status FROM orders WHERE id = $1 FOR UPDATE";
            public static readonly string LockStock = "LOCK TABLE " + Tables.Stock + " IN EXCLUSIVE MODE";
            public static string TakeXactLock => "SELECT pg_advisory_xact_lock($1)";
            public static string CountOrders { get { return "SELECT count(*) FROM orders"; } }
        }

        static class Tables { public const string Stock = "stock"; }

        """;

    static DiagnosticResult Pgb101(int location, string statement, string line)
        => new DiagnosticResult("PGB101", DiagnosticSeverity.Warning).WithLocation(location).WithArguments("tx", statement, line, "Task.Delay");

    [Fact]
    public Task Static_readonly_fields_and_static_properties_of_another_class_are_read()
        => VerifyPgb101.AnalyzerAsync(Queries + """
            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var select = new NpgsqlCommand(Queries.LockOrder, conn, tx);
                    select.Parameters.AddWithValue(id);
                    {|#3:await select.ExecuteScalarAsync(ct);|}
                    {|#0:await Task.Delay(100, ct)|};
                    await tx.CommitAsync(ct);
                }

                async Task RestockAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = Queries.LockStock;
                    {|#4:await cmd.ExecuteNonQueryAsync(ct);|}
                    {|#1:await Task.Delay(100, ct)|};
                    await tx.CommitAsync(ct);
                }

                async Task SerializeAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var sql = Queries.TakeXactLock;
                    await using var cmd = new NpgsqlCommand(sql, conn, tx);
                    cmd.Parameters.AddWithValue(key);
                    {|#5:await cmd.ExecuteNonQueryAsync(ct);|}
                    {|#2:await Task.Delay(100, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            Pgb101(0, "SELECT ... FOR UPDATE on orders", LineOf(3)),
            Pgb101(1, "LOCK TABLE stock", LineOf(4)),
            Pgb101(2, "pg_advisory_xact_lock", LineOf(5)));

    [Fact]
    public Task A_static_readonly_field_in_another_partial_part_is_read()
        => VerifyPgb101.AnalyzerAsync("""
            partial class Orders
            {
                static readonly string LockOrder = "SELECT status FROM orders WHERE id = $1 FOR UPDATE";
            }

            partial class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var select = new NpgsqlCommand(LockOrder, conn, tx);
                    select.Parameters.AddWithValue(id);
                    await select.ExecuteScalarAsync(ct);
                    {|PGB101:await Task.Delay(100, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task A_read_only_static_query_is_PGB102_not_PGB101()
        => VerifyPgb102.AnalyzerAsync(Queries + """
            class Orders
            {
                async Task CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var select = new NpgsqlCommand(Queries.CountOrders, conn, tx);
                    await select.ExecuteScalarAsync(ct);
                    {|PGB102:await Task.Delay(100, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Members_that_can_hold_other_text_are_not_read_as_locking_sql()
        => VerifyPgb101.AnalyzerAsync("""
            static class Queries
            {
                // Stored again by the static constructor: not one constant.
                public static readonly string Reloaded = "SELECT * FROM orders FOR UPDATE";
                // Mutable: anyone can change it.
                public static string Mutable = "SELECT * FROM orders FOR UPDATE";
                // Settable: configuration decides.
                public static string Configured { get; set; } = "SELECT * FROM orders FOR UPDATE";
                // Computed at startup.
                public static readonly string Loaded = Load();

                static Queries() { Reloaded = Load(); }
                static string Load() => System.IO.File.ReadAllText("lock.sql");
            }

            sealed class Statements
            {
                // An init accessor of the same type can replace it.
                public readonly string LockText = "SELECT * FROM orders FOR UPDATE";
                public string Lock { init => LockText = value; }
            }

            class Orders
            {
                async Task RunAsync(NpgsqlConnection conn, Statements statements, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using (var e = new NpgsqlCommand(statements.LockText, conn, tx))
                        await e.ExecuteNonQueryAsync(ct);
                    await using (var a = new NpgsqlCommand(Queries.Reloaded, conn, tx))
                        await a.ExecuteNonQueryAsync(ct);
                    await using (var b = new NpgsqlCommand(Queries.Mutable, conn, tx))
                        await b.ExecuteNonQueryAsync(ct);
                    await using (var c = new NpgsqlCommand(Queries.Configured, conn, tx))
                        await c.ExecuteNonQueryAsync(ct);
                    await using (var d = new NpgsqlCommand(Queries.Loaded, conn, tx))
                        await d.ExecuteNonQueryAsync(ct);
                    await Task.Delay(100, ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Pgb106_sees_writes_of_a_repeatable_read_transaction_in_static_sql()
        => VerifyPgb106.AnalyzerAsync("""
            static class Ledger
            {
                public static readonly string Close = "UPDATE periods SET closed = true WHERE closed = false";
                public static readonly string Sum = "SELECT sum(amount) FROM entries";
            }

            class Periods
            {
                void Close(NpgsqlConnection conn)
                {
                    using var tx = {|PGB106:conn.BeginTransaction(IsolationLevel.RepeatableRead)|};
                    using var cmd = new NpgsqlCommand(Ledger.Close, conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }

                object? Total(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction(IsolationLevel.RepeatableRead);
                    using var cmd = new NpgsqlCommand(Ledger.Sum, conn, tx);
                    var total = cmd.ExecuteScalar();
                    tx.Commit();
                    return total;
                }
            }
            """);
}
