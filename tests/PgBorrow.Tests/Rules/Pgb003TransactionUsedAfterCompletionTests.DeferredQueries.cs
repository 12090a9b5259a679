using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using PgBorrow.Analyzers.Rules;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb003 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionUsedAfterCompletionAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB003 across time, deferred queries: a sequence whose query runs only when it is enumerated (an
/// IAsyncEnumerable, Dapper's unbuffered Query, an iterator), made with a transaction and enumerated after the
/// transaction completed. Location #0 is the enumerated local, #1 the call that made the query, #2 the completion.
/// </summary>
public partial class Pgb003TransactionUsedAfterCompletionTests
{
    static DiagnosticResult DeferredQuery(string query, string completion)
        => new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(0)
            .WithArguments("tx", $"the deferred query of '{query}' (line {LineOf(1)}), which runs only when it is enumerated here,", completion, LineOf(2),
                TransactionUsedAfterCompletionAnalyzer.EnumerateItBefore);

    [Fact]
    public Task Unbuffered_Dapper_stream_enumerated_after_commit_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            using Dapper;

            record Order(long Id);

            class Orders
            {
                async IAsyncEnumerable<Order> PendingAsync(NpgsqlConnection conn, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var rows = {|#1:conn.QueryUnbufferedAsync<Order>("SELECT id FROM orders WHERE pending", transaction: tx)|};
                    {|#2:await tx.CommitAsync(ct);|}
                    await foreach (var row in {|#0:rows|}.WithCancellation(ct))
                        yield return row;
                }
            }
            """,
            DeferredQuery("QueryUnbufferedAsync", "committed"));

    [Fact]
    public Task Delegate_stream_assigned_in_a_try_whose_catches_roll_back_and_rethrow_is_reported_after_the_commit()
        => VerifyPgb003.AnalyzerAsync("""
            class Database
            {
                // Jakar.Database's TryCall as it was before c09b4214, with a plain transaction for its context.
                public async IAsyncEnumerable<T> TryCall<T>(NpgsqlConnection conn, Func<NpgsqlTransaction, CancellationToken, IAsyncEnumerable<T>> func,
                    [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken token = default)
                {
                    await using var tx = await conn.BeginTransactionAsync(token);
                    IAsyncEnumerable<T> result;
                    try
                    {
                        result = {|#1:func(tx, token)|};
                        {|#2:await tx.CommitAsync(token);|}
                    }
                    catch (PostgresException)
                    {
                        await tx.RollbackAsync(token);
                        throw;
                    }
                    catch (Exception)
                    {
                        await tx.RollbackAsync(token);
                        throw;
                    }
                    await foreach (T item in {|#0:result|}.WithCancellation(token)) { yield return item; }
                }
            }
            """,
            DeferredQuery("func", "committed"));

    [Fact]
    public Task Runtime_query_stream_materialized_after_rollback_is_reported()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;

            sealed class Order : IPgRow<Order>
            {
                public long Id { get; init; }
                public static PgRowMap Map => throw new NotImplementedException();
                public static PgOrdinals GetOrdinals(NpgsqlDataReader reader) => throw new NotImplementedException();
                public static Order Read(NpgsqlDataReader reader, PgOrdinals ordinals) => new();
                public static Task WriteAsync(NpgsqlBinaryImporter importer, Order row, CancellationToken cancellationToken) => Task.CompletedTask;
                public static void AddParameters(NpgsqlParameterCollection parameters, Order row) { }
            }

            class Orders
            {
                async Task<List<Order>> PendingAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var orders = {|#1:tx.QueryStreamAsync<Order>($"SELECT id FROM orders", ct)|};
                    {|#2:await tx.RollbackAsync(ct);|}
                    return await {|#0:orders|}.Where(order => order.Id > 0).ToListAsync(ct);
                }
            }
            """,
            DeferredQuery("QueryStreamAsync", "rolled back"));

    [Fact]
    public Task Unbuffered_Query_and_an_iterator_of_the_compilation_enumerated_after_the_using_disposed_the_transaction_are_reported()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;
            using Dapper;

            class Orders
            {
                List<long> Pending(NpgsqlConnection conn)
                {
                    IEnumerable<long> ids;
                    using (var tx = conn.BeginTransaction())
                    {
                        ids = {|#1:conn.Query<long>("SELECT id FROM orders", transaction: tx, buffered: false)|};
                        {|#2:tx.Commit();|}
                    }
                    return {|#0:ids|}.ToList();
                }

                int Count(NpgsqlConnection conn)
                {
                    IEnumerable<long> ids;
                    using (var tx = conn.BeginTransaction())
                    {
                        ids = {|#3:Read(conn, tx)|};
                    {|#5:}|}
                    var count = 0;
                    foreach (var id in {|#4:ids|})
                        count++;
                    return count;
                }

                static IEnumerable<long> Read(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    using var cmd = new NpgsqlCommand("SELECT id FROM orders", conn, tx);
                    using var reader = cmd.ExecuteReader();
                    while (reader.Read())
                        yield return reader.GetInt64(0);
                }
            }
            """,
            DeferredQuery("Query", "committed"),
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(4)
                .WithArguments("tx", $"the deferred query of 'Read' (line {LineOf(3)}), which runs only when it is enumerated here,", "disposed", LineOf(5),
                    TransactionUsedAfterCompletionAnalyzer.EnumerateItBefore));

    [Fact]
    public Task Query_wrapped_where_it_is_made_is_reported_where_it_is_enumerated()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;
            using Dapper;

            class Orders
            {
                async Task<long> NewestAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var rows = {|#1:conn.QueryUnbufferedAsync<long>("SELECT id FROM orders", transaction: tx)|}.WithCancellation(ct);
                    {|#2:await tx.CommitAsync(ct);|}
                    long newest = 0;
                    await foreach (var id in {|#0:rows|})
                        newest = Math.Max(newest, id);
                    return newest;
                }

                long[] Positive(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    var ids = {|#3:conn.Query<long>("SELECT id FROM orders", transaction: tx, buffered: false)|}.Where(id => id > 0);
                    {|#4:tx.Rollback();|}
                    return {|#5:ids|}.ToArray();
                }
            }
            """,
            DeferredQuery("QueryUnbufferedAsync", "committed"),
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(5)
                .WithArguments("tx", $"the deferred query of 'Query' (line {LineOf(3)}), which runs only when it is enumerated here,", "rolled back", LineOf(4),
                    TransactionUsedAfterCompletionAnalyzer.EnumerateItBefore));

    [Fact]
    public Task Stream_materialized_before_commit_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;
            using Dapper;

            record Order(long Id);

            class Orders
            {
                // The fix of Jakar.Database c09b4214: read everything inside the transaction, yield the list after.
                async IAsyncEnumerable<Order> PendingAsync(NpgsqlConnection conn, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
                {
                    var list = new List<Order>();
                    await using (var tx = await conn.BeginTransactionAsync(ct))
                    {
                        try
                        {
                            await foreach (var row in conn.QueryUnbufferedAsync<Order>("SELECT id FROM orders", transaction: tx).WithCancellation(ct))
                                list.Add(row);
                            await tx.CommitAsync(ct);
                        }
                        catch
                        {
                            await tx.RollbackAsync(ct);
                            throw;
                        }
                    }
                    foreach (var order in list)
                        yield return order;
                }

                async Task<List<Order>> AllAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var rows = conn.QueryUnbufferedAsync<Order>("SELECT id FROM orders", transaction: tx);
                    var list = await rows.ToListAsync(ct);
                    await tx.CommitAsync(ct);
                    return list;
                }
            }
            """);

    [Fact]
    public Task Buffered_Dapper_Query_enumerated_after_commit_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;
            using Dapper;

            class Orders
            {
                List<long> Pending(NpgsqlConnection conn)
                {
                    using var tx = conn.BeginTransaction();
                    var ids = conn.Query<long>("SELECT id FROM orders", transaction: tx);
                    var more = conn.Query<long>("SELECT id FROM archive", transaction: tx, buffered: true);
                    tx.Commit();
                    return ids.Concat(more).ToList();
                }

                async Task<int> CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    IEnumerable<long> ids = await conn.QueryAsync<long>("SELECT id FROM orders", transaction: tx);
                    IEnumerable<long> listed = Listed(tx);
                    await tx.CommitAsync(ct);
                    return ids.Count() + listed.Count();
                }

                // Returns a list: not deferred, whatever its declared type says.
                static IEnumerable<long> Listed(NpgsqlTransaction tx) => new List<long> { 1 };
            }
            """);

    [Fact]
    public Task Stream_returned_or_handed_on_unenumerated_or_from_a_branch_that_did_not_commit_is_not_reported()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;
            using Dapper;

            class Orders
            {
                IAsyncEnumerable<long> Stream(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    var rows = conn.QueryUnbufferedAsync<long>("SELECT id FROM orders", transaction: tx);
                    return rows;
                }

                async Task ForwardAsync(NpgsqlConnection conn, Func<IAsyncEnumerable<long>, Task> sink, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var rows = conn.QueryUnbufferedAsync<long>("SELECT id FROM orders", transaction: tx);
                    await sink(rows);
                    await tx.CommitAsync(ct);
                }

                async Task<int> MaybeAsync(NpgsqlConnection conn, bool commitFirst, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var rows = conn.QueryUnbufferedAsync<long>("SELECT id FROM orders", transaction: tx);
                    if (commitFirst)
                        await tx.CommitAsync(ct);
                    var count = await rows.CountAsync(ct);
                    if (!commitFirst)
                        await tx.CommitAsync(ct);
                    return count;
                }

                async Task<int> ReassignedAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var rows = conn.QueryUnbufferedAsync<long>("SELECT id FROM orders", transaction: tx);
                    await tx.CommitAsync(ct);
                    rows = conn.QueryUnbufferedAsync<long>("SELECT id FROM orders");
                    return await rows.CountAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Stream_made_after_commit_is_reported_once_where_it_is_made()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;
            using Dapper;

            class Orders
            {
                async Task<int> CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await tx.CommitAsync(ct);
                    var rows = conn.QueryUnbufferedAsync<long>("SELECT id FROM orders", transaction: {|PGB003:tx|});
                    return await rows.CountAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Half_written_enumerations_do_not_throw()
        => VerifyPgb003.AnalyzerAsync("""
            using System.Linq;
            using Dapper;

            class Orders
            {
                async Task<int> CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var rows = conn.QueryUnbufferedAsync<long>("SELECT id FROM orders", transaction: tx){|CS1002:|}
                    await tx.CommitAsync(ct);
                    IAsyncEnumerable<long> other = {|CS0103:Missing|}(tx);
                    await foreach (var row in {|CS0103:unknown|}) { }
                    return await rows.{|CS1061:CountAsyncc|}(ct) + await other.CountAsync(ct);
                }
            }
            """);
}
