using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb003 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionUsedAfterCompletionAnalyzer>;
using VerifyPgb101 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.LocksHeldAcrossAwaitAnalyzer>;
using VerifyPgb102 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionHeldAcrossAwaitAnalyzer>;
using VerifyPgb103 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SessionAdvisoryLockNotReleasedAnalyzer>;
using VerifyPgb105 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SecondConnectionWhileLockedAnalyzer>;
using VerifyPgb106 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SerializableWithoutRetryAnalyzer>;
using VerifyPgb107 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.ReadModifyWriteWithoutLockAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// The runtime's query methods (QueryAsync, ExecuteAsync, ExecuteScalarAsync, QueryStreamAsync,
/// CopyInAsync, InsertAsync...) called on an NpgsqlTransaction or NpgsqlConnection outside a scope
/// body are statements on that transaction or connection, for every rule that reads statements.
/// </summary>
public class RuntimeQueryApiTests
{
    const string MoveTheUseBefore = "move the use before that, or begin a new transaction for it";

    const string Row = """
        sealed class Item : IPgRow<Item>
        {
            public static PgRowMap Map => throw new NotImplementedException();
            public static PgOrdinals GetOrdinals(NpgsqlDataReader reader) => throw new NotImplementedException();
            public static Item Read(NpgsqlDataReader reader, PgOrdinals ordinals) => new();
            public static Task WriteAsync(NpgsqlBinaryImporter importer, Item row, CancellationToken cancellationToken) => Task.CompletedTask;
            public static void AddParameters(NpgsqlParameterCollection parameters, Item row) { }
        }

        """;

    [Fact]
    public Task Update_through_the_transaction_then_http_call_is_reported()
        => VerifyPgb101.AnalyzerAsync("""
            class Items
            {
                readonly System.Net.Http.HttpClient _http = new();

                async Task RenameAsync(NpgsqlConnection conn, int id, string name, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    {|#1:await tx.ExecuteAsync($"UPDATE items SET name = {name} WHERE id = {id}", ct);|}
                    {|#0:await _http.PostAsync("https://search.example/reindex", null, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB101", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("tx", "UPDATE items", LineOf(1), "HttpClient.PostAsync"));

    [Fact]
    public Task For_update_through_the_connection_inside_its_transaction_then_http_call_is_reported()
        => VerifyPgb101.AnalyzerAsync(Row + """
            class Items
            {
                readonly System.Net.Http.HttpClient _http = new();

                async Task ReserveAsync(NpgsqlDataSource dataSource, int id, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    {|#1:var item = await conn.QuerySingleAsync<Item>($"SELECT * FROM items WHERE id = {id} FOR UPDATE", ct);|}
                    {|#0:await _http.GetStringAsync("https://stock.example/check", ct)|};
                    await conn.ExecuteAsync($"UPDATE items SET reserved = true WHERE id = {id}", ct);
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB101", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("tx", "SELECT ... FOR UPDATE on items", LineOf(1), "HttpClient.GetStringAsync"));

    [Fact]
    public Task Scalar_read_in_a_repeatable_read_transaction_then_http_call_is_reported_like_a_raw_command()
        => VerifyPgb102.AnalyzerAsync("""
            class Report
            {
                readonly System.Net.Http.HttpClient _http = new();

                async Task<long> CountAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                    var count = await tx.ExecuteScalarAsync<long>("SELECT count(*) FROM items", ct);
                    {|#0:await _http.PostAsync("https://metrics.example/items", null, ct)|};
                    var again = await tx.ExecuteScalarAsync<long>("SELECT count(*) FROM items WHERE archived", ct);
                    await tx.CommitAsync(ct);
                    return count - again;
                }

                async Task<long> CountRawAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM items", conn, tx);
                    var count = (long)(await cmd.ExecuteScalarAsync(ct))!;
                    {|#1:await _http.PostAsync("https://metrics.example/items", null, ct)|};
                    await tx.CommitAsync(ct);
                    return count;
                }
            }
            """,
            new DiagnosticResult("PGB102", DiagnosticSeverity.Info).WithLocation(0).WithArguments("tx", "HttpClient.PostAsync"),
            new DiagnosticResult("PGB102", DiagnosticSeverity.Info).WithLocation(1).WithArguments("tx", "HttpClient.PostAsync"));

    [Fact]
    public Task Query_method_on_a_committed_transaction_is_reported()
        => VerifyPgb003.AnalyzerAsync(Row + """
            class Items
            {
                async Task ArchiveAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await tx.ExecuteAsync($"UPDATE items SET archived = true WHERE id = {id}", ct);
                    {|#2:await tx.CommitAsync(ct);|}
                    await {|#0:tx|}.ExecuteAsync($"INSERT INTO audit (item_id) VALUES ({id})", ct);
                    var rows = await {|#1:tx|}.QueryAsync<Item>($"SELECT * FROM items WHERE id = {id}", ct);
                }
            }
            """,
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("tx", "'ExecuteAsync'", "committed", LineOf(2), MoveTheUseBefore),
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("tx", "'QueryAsync'", "committed", LineOf(2), MoveTheUseBefore));

    [Fact]
    public Task Dapper_style_methods_on_a_committed_transaction_are_reported_batches_and_options_included()
        => VerifyPgb003.AnalyzerAsync(Row + """
            class Items
            {
                async Task ArchiveAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await tx.ExecuteAsync($"UPDATE items SET archived = true WHERE id = {id}", PgQueryOptions.Prepared, ct);
                    {|#3:await tx.CommitAsync(ct);|}
                    var first = await {|#0:tx|}.QueryFirstAsync<Item>($"SELECT * FROM items WHERE id = {id}", ct);
                    var single = await {|#1:tx|}.QuerySingleOrDefaultAsync<Item>($"SELECT * FROM items WHERE id = {id}", new PgQueryOptions { CommandTimeout = TimeSpan.FromSeconds(5) }, ct);
                    await using var results = await {|#2:tx|}.QueryMultipleAsync(new PgBatch { $"SELECT * FROM items WHERE id = {id}", "SELECT count(*) FROM items" }, ct);
                }
            }
            """,
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("tx", "'QueryFirstAsync'", "committed", LineOf(3), MoveTheUseBefore),
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("tx", "'QuerySingleOrDefaultAsync'", "committed", LineOf(3), MoveTheUseBefore),
            new DiagnosticResult("PGB003", DiagnosticSeverity.Warning).WithLocation(2).WithArguments("tx", "'QueryMultipleAsync'", "committed", LineOf(3), MoveTheUseBefore));

    [Fact]
    public Task Dapper_style_methods_before_commit_are_fine()
        => VerifyPgb003.AnalyzerAsync(Row + """
            class Items
            {
                async Task<Item> ReadAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var first = await tx.QueryFirstAsync<Item>($"SELECT * FROM items WHERE id = {id}", PgQueryOptions.Prepared, ct);
                    await using (var results = await tx.QueryMultipleAsync(new PgBatch { $"SELECT * FROM items WHERE id = {id}" }, ct))
                    {
                        await results.ReadSingleAsync<Item>(ct);
                    }
                    await tx.CommitAsync(ct);
                    return first;
                }
            }
            """);

    [Fact]
    public Task A_locking_QueryFirstAsync_then_http_call_is_reported()
        => VerifyPgb101.AnalyzerAsync(Row + """
            class Items
            {
                readonly System.Net.Http.HttpClient _http = new();

                async Task ClaimAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    {|#1:var item = await tx.QueryFirstAsync<Item>("SELECT * FROM items ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", PgQueryOptions.Prepared, ct);|}
                    {|#0:await _http.PostAsync("https://worker.example/claimed", null, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB101", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("tx", "SELECT ... FOR UPDATE on items", LineOf(1), "HttpClient.PostAsync"));

    [Fact]
    public Task Every_query_method_is_a_statement_streams_and_row_writers_included()
        => VerifyPgb101.AnalyzerAsync(Row + """
            class Items
            {
                readonly System.Net.Http.HttpClient _http = new();

                async Task StreamAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await foreach (var item in tx.QueryStreamAsync<Item>($"SELECT * FROM items FOR SHARE", ct))
                    {
                    }
                    {|PGB101:await Task.Delay(10, ct)|};
                    await tx.CommitAsync(ct);
                }

                async Task CopyAsync(NpgsqlConnection conn, List<Item> items, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await tx.CopyInAsync("items", items, ct);
                    {|PGB101:await _http.PostAsync("https://search.example/reindex", null, ct)|};
                    await tx.CommitAsync(ct);
                }

                async Task InsertAsync(NpgsqlConnection conn, Item item, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await conn.InsertAsync("items", item, ct);
                    {|PGB101:await _http.PostAsync("https://search.example/reindex", null, ct)|};
                    await tx.CommitAsync(ct);
                }

                async Task FirstOrDefaultAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    const string Claim = "SELECT * FROM items ORDER BY id LIMIT 1 FOR UPDATE";
                    var item = await tx.QueryFirstOrDefaultAsync<Item>(Claim, ct);
                    {|PGB101:await Task.Delay(10, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Runtime_statements_that_lock_nothing_or_come_after_commit_or_awaits_that_are_database_work_are_fine()
        => VerifyPgb101.AnalyzerAsync(Row + """
            class Items
            {
                readonly System.Net.Http.HttpClient _http = new();

                async Task FineAsync(NpgsqlConnection conn, NpgsqlDataSource other, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var item = await tx.QuerySingleAsync<Item>($"SELECT * FROM items WHERE id = {id}", ct);
                    await _http.GetStringAsync("https://stock.example/check", ct); // no locks: PGB102's business
                    await tx.ExecuteAsync($"UPDATE items SET seen = true WHERE id = {id}", ct);
                    await other.ExecuteAsync($"SELECT 1", ct);
                    await tx.CommitAsync(ct);
                    await _http.PostAsync("https://search.example/reindex", null, ct);
                }

                async Task OutsideATransactionAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await conn.ExecuteAsync($"UPDATE items SET seen = true WHERE id = {id}", ct);
                    await _http.PostAsync("https://search.example/reindex", null, ct);
                }
            }
            """);

    [Fact]
    public Task Write_through_the_data_source_while_the_transaction_holds_locks_is_reported()
        => VerifyPgb105.AnalyzerAsync("""
            class Items
            {
                async Task MoveAsync(NpgsqlDataSource dataSource, int id, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await tx.ExecuteAsync($"UPDATE items SET bin = 2 WHERE id = {id}", ct);
                    await {|PGB105:dataSource.ExecuteAsync($"DELETE FROM bins WHERE item_id = {id}", ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Serializable_write_through_the_transaction_without_retry_is_reported()
        => VerifyPgb106.AnalyzerAsync("""
            class Items
            {
                async Task MoveAsync(NpgsqlConnection conn, int id, CancellationToken ct)
                {
                    await using var tx = await {|PGB106:conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct)|};
                    await tx.ExecuteAsync($"UPDATE items SET bin = 2 WHERE id = {id}", ct);
                    await tx.CommitAsync(ct);
                }

                async Task ReadOnlyAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                    await tx.ExecuteScalarAsync<long>("SELECT count(*) FROM items", ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Read_then_write_of_the_same_table_through_the_transaction_is_reported()
        => VerifyPgb107.AnalyzerAsync("""
            class Accounts
            {
                async Task WithdrawAsync(NpgsqlConnection conn, int id, int amount, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var balance = await tx.ExecuteScalarAsync<int>($"SELECT balance FROM accounts WHERE id = {id}", ct);
                    await {|PGB107:tx.ExecuteAsync($"UPDATE accounts SET balance = {balance - amount} WHERE id = {id}", ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Session_advisory_lock_taken_through_the_connection_and_not_released_is_reported()
        => VerifyPgb103.AnalyzerAsync("""
            class Jobs
            {
                async Task RunAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await {|PGB103:conn.ExecuteAsync($"SELECT pg_advisory_lock({key})", ct)|};
                    await conn.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {key}", ct);
                    await conn.ExecuteAsync($"SELECT pg_advisory_unlock({key})", ct);
                }

                async Task SafeAsync(NpgsqlConnection conn, long key, CancellationToken ct)
                {
                    await conn.ExecuteAsync($"SELECT pg_advisory_lock({key})", ct);
                    try
                    {
                        await conn.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {key}", ct);
                    }
                    finally
                    {
                        await conn.ExecuteAsync($"SELECT pg_advisory_unlock({key})", ct);
                    }
                }
            }
            """);

    [Fact]
    public Task Query_method_on_a_connection_whose_reader_is_still_open_is_reported()
        => PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.DataReaderLeftOpenAnalyzer>.AnalyzerAsync("""
            class Items
            {
                async Task TouchAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT id FROM items", conn);
                    await using var reader = await cmd.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                        await {|PGB007:conn.ExecuteAsync($"UPDATE items SET seen = true WHERE id = {reader.GetInt32(0)}", ct)|};
                }
            }
            """);

    [Fact]
    public Task Query_methods_on_one_connection_awaited_together_are_reported_as_before()
        => PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.ConnectionUsedConcurrentlyAnalyzer>.AnalyzerAsync("""
            class Items
            {
                async Task TouchAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await {|PGB104:Task.WhenAll(
                        conn.ExecuteAsync($"UPDATE items SET seen = true", ct),
                        conn.ExecuteAsync($"UPDATE bins SET seen = true", ct))|};
                }
            }
            """);
}
