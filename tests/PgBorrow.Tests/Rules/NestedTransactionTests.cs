using System.Threading.Tasks;
using Xunit;
using VerifyPgb004 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.NestedTransactionAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class NestedTransactionTests
{
    [Fact]
    public Task Second_begin_while_first_is_open_is_reported()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                async Task PlaceAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var outer = await conn.BeginTransactionAsync(ct);
                    await using var inner = await {|PGB004:conn.BeginTransactionAsync(ct)|};
                    await inner.CommitAsync(ct);
                    await outer.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Begin_after_commit_or_on_another_connection_is_fine()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void Place(NpgsqlConnection conn, NpgsqlConnection other)
                {
                    using (var first = conn.BeginTransaction())
                    {
                        using var elsewhere = other.BeginTransaction();
                        elsewhere.Commit();
                        first.Commit();
                    }
                    using var second = conn.BeginTransaction();
                    second.Commit();
                }
            }
            """);

    [Fact]
    public Task Begin_in_a_loop_after_completion_is_fine_but_not_without_it()
        => VerifyPgb004.AnalyzerAsync("""
            class Orders
            {
                void Good(NpgsqlConnection conn, int[] ids)
                {
                    foreach (var id in ids)
                    {
                        using var tx = conn.BeginTransaction();
                        tx.Commit();
                    }
                }

                void Bad(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    var savepointInstead = {|PGB004:conn.BeginTransaction()|};
                    savepointInstead.Commit();
                    tx.Commit();
                }
            }
            """);

    // RepoDB cdf4e2fd: an inverted ownership test began a new transaction into the caller's transaction
    // parameter exactly when the caller had passed one (and none when it had not).
    [Fact]
    public Task Begin_into_the_callers_transaction_where_it_is_not_null_is_reported()
        => VerifyPgb004.AnalyzerAsync("""
            class Wrapper
            {
                static int Inverted(NpgsqlConnection connection, Func<int> execute, NpgsqlTransaction transaction)
                {
                    var hasTransaction = (transaction == null || System.Transactions.Transaction.Current != null);
                    if (hasTransaction == false)
                    {
                        transaction = {|#0:connection.BeginTransaction()|};
                    }
                    try
                    {
                        var result = execute();
                        if (hasTransaction == false)
                            transaction.Commit();
                        return result;
                    }
                    finally
                    {
                        if (hasTransaction == false)
                            transaction.Dispose();
                    }
                }

                // The fixed test: a transaction is begun only when the caller passed none.
                static int Fixed(NpgsqlConnection connection, Func<int> execute, NpgsqlTransaction transaction)
                {
                    var hasTransaction = transaction != null || System.Transactions.Transaction.Current != null;
                    if (hasTransaction == false)
                    {
                        transaction = connection.BeginTransaction();
                    }
                    try
                    {
                        var result = execute();
                        if (hasTransaction == false)
                            transaction.Commit();
                        return result;
                    }
                    finally
                    {
                        if (hasTransaction == false)
                            transaction.Dispose();
                    }
                }

                static void Guarded(NpgsqlConnection connection, NpgsqlTransaction transaction)
                {
                    if (transaction == null)
                        transaction = connection.BeginTransaction();
                }

                static void MayBeNull(NpgsqlConnection connection, NpgsqlTransaction? transaction = null)
                {
                    transaction = connection.BeginTransaction();
                    transaction.Commit();
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB004", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("connection", "the caller's transaction 'transaction' (not null on this path)"));
}
