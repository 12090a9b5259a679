using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb003 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionUsedAfterCompletionAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB003 for the caller's transaction: a method that begins its own transaction when the caller gives none must
/// complete only that one. RepoDB's DeleteAll (fixed in 306986aa) tested `transaction != null` for "implicit" and
/// committed and disposed the caller's transaction.
/// </summary>
public class Pgb003CallersTransactionTests
{
    static DiagnosticResult CallersCompleted(int location, string name, string completion, int line)
        => new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(location)
            .WithArguments(name, "the caller that passed it in", completion, line, CompleteOnlyYourOwn);

    const string CompleteOnlyYourOwn = "this method begins a transaction of its own only when none is given, so complete only that one (test a flag set where it begins it)";

    // --- Reported ---------------------------------------------------------------------------------------

    [Fact]
    public Task Flag_that_is_true_for_the_callers_transaction_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            static class Deletes
            {
                public static int DeleteAll(IDbConnection connection, int[] keys, IDbTransaction transaction = null)
                {
                    var hasImplicitTransaction = (transaction != null);
                    var deleted = 0;
                    try
                    {
                        if (transaction == null && keys.Length > 100)
                        {
                            transaction = connection.BeginTransaction();
                            hasImplicitTransaction = true;
                        }
                        foreach (var key in keys)
                        {
                            using var command = connection.CreateCommand();
                            command.Transaction = transaction;
                            command.CommandText = "DELETE FROM items WHERE id = " + key;
                            deleted += command.ExecuteNonQuery();
                        }
                        if (hasImplicitTransaction)
                        {
                            {|#0:transaction.Commit()|};
                        }
                    }
                    finally
                    {
                        if (hasImplicitTransaction)
                        {
                            transaction.Dispose();
                        }
                    }
                    return deleted;
                }
            }
            """,
            CallersCompleted(0, "transaction", "committed", 31));

    [Fact]
    public Task Unconditional_commit_after_begin_if_none_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                async Task SaveAsync(NpgsqlConnection conn, NpgsqlTransaction? transaction, CancellationToken ct)
                {
                    if (transaction is null)
                        transaction = await conn.BeginTransactionAsync(ct);
                    await using var command = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, transaction);
                    await command.ExecuteNonQueryAsync(ct);
                    await {|#0:transaction.CommitAsync(ct)|};
                }
            }
            """,
            CallersCompleted(0, "transaction", "committed", 17));

    [Fact]
    public Task Rollback_in_catch_of_the_callers_transaction_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Save(NpgsqlConnection conn, NpgsqlTransaction? transaction = null)
                {
                    var owned = false;
                    if (transaction == null)
                    {
                        transaction = conn.BeginTransaction();
                        owned = true;
                    }
                    try
                    {
                        using var command = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, transaction);
                        command.ExecuteNonQuery();
                        if (owned)
                            transaction.Commit();
                    }
                    catch
                    {
                        {|#0:transaction.Rollback()|};
                        throw;
                    }
                }
            }
            """,
            CallersCompleted(0, "transaction", "rolled back", 28));

    // --- Not reported -----------------------------------------------------------------------------------

    [Fact]
    public Task Flag_set_where_the_method_begins_its_own_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            static class Deletes
            {
                public static int DeleteAll(IDbConnection connection, int[] keys, IDbTransaction transaction = null)
                {
                    var hasImplicitTransaction = false;
                    var deleted = 0;
                    try
                    {
                        if (transaction == null && keys.Length > 100)
                        {
                            transaction = connection.BeginTransaction();
                            hasImplicitTransaction = true;
                        }
                        foreach (var key in keys)
                        {
                            using var command = connection.CreateCommand();
                            command.Transaction = transaction;
                            command.CommandText = "DELETE FROM items WHERE id = " + key;
                            deleted += command.ExecuteNonQuery();
                        }
                        if (hasImplicitTransaction)
                        {
                            transaction.Commit();
                        }
                    }
                    finally
                    {
                        if (hasImplicitTransaction)
                        {
                            transaction.Dispose();
                        }
                    }
                    return deleted;
                }
            }
            """);

    [Fact]
    public Task Flag_holding_the_null_test_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Save(NpgsqlConnection conn, NpgsqlTransaction? transaction = null)
                {
                    var ownsTransaction = transaction == null;
                    if (ownsTransaction)
                        transaction = conn.BeginTransaction();
                    using var command = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, transaction);
                    command.ExecuteNonQuery();
                    if (ownsTransaction)
                    {
                        transaction!.Commit();
                        transaction.Dispose();
                    }
                }
            }
            """);

    [Fact]
    public Task Own_transaction_completed_inside_the_branch_that_begins_it_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            class Orders
            {
                void Save(NpgsqlConnection conn, NpgsqlTransaction? transaction = null)
                {
                    if (transaction == null)
                    {
                        transaction = conn.BeginTransaction();
                        try
                        {
                            Insert(conn, transaction);
                            transaction.Commit();
                        }
                        finally
                        {
                            transaction.Dispose();
                        }
                    }
                    else
                    {
                        Insert(conn, transaction);
                    }
                }

                static void Insert(NpgsqlConnection conn, NpgsqlTransaction transaction)
                {
                    using var command = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, transaction);
                    command.ExecuteNonQuery();
                }
            }
            """);

    [Fact]
    public Task Helper_that_completes_what_it_is_given_and_begins_nothing_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            static class UnitOfWorkHelpers
            {
                public static void CommitAndDispose(IDbTransaction transaction)
                {
                    transaction.Commit();
                    transaction.Dispose();
                }
            }
            """);
}
