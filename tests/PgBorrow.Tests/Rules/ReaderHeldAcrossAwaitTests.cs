using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb110 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.ReaderHeldAcrossAwaitAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class ReaderHeldAcrossAwaitTests
{
    const string Row = """
        sealed class Item : IPgRow<Item>
        {
            public int Id { get; init; }
            public static PgRowMap Map => throw new NotImplementedException();
            public static PgOrdinals GetOrdinals(NpgsqlDataReader reader) => throw new NotImplementedException();
            public static Item Read(NpgsqlDataReader reader, PgOrdinals ordinals) => new();
            public static Task WriteAsync(NpgsqlBinaryImporter importer, Item row, CancellationToken cancellationToken) => Task.CompletedTask;
            public static void AddParameters(NpgsqlParameterCollection parameters, Item row) { }
        }

        """;

    [Fact]
    public Task Http_call_per_row_of_a_reader_is_reported_outside_a_transaction()
        => VerifyPgb110.AnalyzerAsync("""
            class Sync
            {
                readonly System.Net.Http.HttpClient _http = new();

                async Task PushAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT id FROM items", conn);
                    await using var reader = await cmd.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        {|#0:await _http.PostAsync($"https://search.example/items/{reader.GetInt32(0)}", null, ct)|};
                    }
                }
            }
            """,
            new DiagnosticResult("PGB110", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("Data reader 'reader'", "HttpClient.PostAsync"));

    [Fact]
    public Task Http_call_in_an_await_foreach_over_a_query_stream_is_reported_with_ConfigureAwait_and_WithCancellation()
        => VerifyPgb110.AnalyzerAsync(Row + """
            class Sync
            {
                readonly System.Net.Http.HttpClient _http = new();

                async Task PushAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    {|#3:await foreach (var item in conn.QueryStreamAsync<Item>($"SELECT * FROM items").WithCancellation(ct).ConfigureAwait(false))|}
                    {
                        {|#0:await _http.PostAsync($"https://search.example/items/{item.Id}", null, ct).ConfigureAwait(false)|};
                    }
                }

                async Task FromALocalAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    {|#4:var items = dataSource.QueryStreamAsync<Item>($"SELECT * FROM items", ct);|}
                    await foreach (var item in items)
                    {
                        if (item.Id > 0)
                            {|#1:await Task.Delay(10, ct)|};
                    }
                }

                async Task InATransactionAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    {|#5:await foreach (var item in tx.QueryStreamAsync<Item>($"SELECT * FROM items", ct))|}
                        {|#2:await _http.PostAsync($"https://search.example/items/{item.Id}", null, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB110", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments($"The stream of 'QueryStreamAsync' (line {LineOf(3)})", "HttpClient.PostAsync"),
            new DiagnosticResult("PGB110", DiagnosticSeverity.Warning).WithLocation(1)
                .WithArguments($"The stream of 'QueryStreamAsync' (line {LineOf(4)})", "Task.Delay"),
            new DiagnosticResult("PGB110", DiagnosticSeverity.Warning).WithLocation(2)
                .WithArguments($"The stream of 'QueryStreamAsync' (line {LineOf(5)})", "HttpClient.PostAsync"));

    [Fact]
    public Task Reader_read_again_after_the_await_and_ado_net_readers_are_reported()
        => VerifyPgb110.AnalyzerAsync("""
            interface IPricing { Task<decimal> PriceAsync(int id, CancellationToken ct); }

            class Sync
            {
                async Task<decimal> FirstTwoAsync(NpgsqlConnection conn, IPricing pricing, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT id FROM items", conn);
                    await using var reader = await cmd.ExecuteReaderAsync(ct);
                    await reader.ReadAsync(ct);
                    var first = {|PGB110:await pricing.PriceAsync(reader.GetInt32(0), ct)|};
                    await reader.ReadAsync(ct);
                    return first + reader.GetInt32(0);
                }

                async Task AdoNetAsync(NpgsqlConnection conn, IPricing pricing, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT id FROM items", conn);
                    await using DbDataReader reader = await cmd.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                        {|PGB110:await pricing.PriceAsync(reader.GetInt32(0), ct)|};
                }

                async Task BorrowedAsync(NpgsqlDataReader reader, IPricing pricing, CancellationToken ct)
                {
                    while (await reader.ReadAsync(ct))
                        {|PGB110:await pricing.PriceAsync(reader.GetInt32(0), ct)|};
                }
            }
            """);

    [Fact]
    public Task Buffered_rows_disposed_readers_and_reads_that_are_over_are_fine()
        => VerifyPgb110.AnalyzerAsync(Row + """
            class Sync
            {
                readonly System.Net.Http.HttpClient _http = new();

                async Task BufferedAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var items = await conn.QueryAsync<Item>($"SELECT * FROM items", ct);
                    foreach (var item in items)
                        await _http.PostAsync($"https://search.example/items/{item.Id}", null, ct);
                }

                async Task DisposedBeforeTheAwaitAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var ids = new List<int>();
                    await using (var cmd = new NpgsqlCommand("SELECT id FROM items", conn))
                    await using (var reader = await cmd.ExecuteReaderAsync(ct))
                    {
                        while (await reader.ReadAsync(ct))
                            ids.Add(reader.GetInt32(0));
                    }
                    foreach (var id in ids)
                        await _http.PostAsync($"https://search.example/items/{id}", null, ct);
                }

                async Task ReadToTheEndAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT id FROM items", conn);
                    await using var reader = await cmd.ExecuteReaderAsync(ct);
                    var ids = new List<int>();
                    while (await reader.ReadAsync(ct))
                        ids.Add(reader.GetInt32(0));
                    await reader.DisposeAsync();
                    await _http.PostAsync("https://search.example/reindex", null, ct);
                }

                async Task NotificationsAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    // A LISTEN stream holds no snapshot: waiting for the next notification is what it is for.
                    await foreach (var notification in dataSource.ListenAsync("items", ct))
                        await _http.PostAsync("https://search.example/reindex", null, ct);
                }

                async Task WorkInALambdaAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    var tasks = new List<Func<Task>>();
                    await foreach (var item in conn.QueryStreamAsync<Item>($"SELECT * FROM items", ct))
                        tasks.Add(async () => await _http.PostAsync($"https://search.example/items/{item.Id}", null, ct));
                    foreach (var task in tasks)
                        await task();
                }
            }
            """);

    [Fact]
    public Task Awaits_that_are_database_work_are_fine_even_on_another_connection()
        => VerifyPgb110.AnalyzerAsync(Row + """
            class Copy
            {
                async Task CopyAsync(NpgsqlConnection source, NpgsqlConnection target, NpgsqlDataSource archive, CancellationToken ct)
                {
                    await foreach (var item in source.QueryStreamAsync<Item>($"SELECT * FROM items", ct))
                    {
                        await target.ExecuteAsync($"INSERT INTO items_copy (id) VALUES ({item.Id})", ct);
                        await archive.InsertAsync("items_archive", item, ct);
                        await SaveAsync(target, item, ct);
                    }

                    await using var cmd = new NpgsqlCommand("SELECT id FROM items", source);
                    await using var reader = await cmd.ExecuteReaderAsync(ct);
                    while (await reader.ReadAsync(ct))
                    {
                        var id = await reader.GetFieldValueAsync<int>(0, ct);
                        await using var insert = new NpgsqlCommand("INSERT INTO items_copy (id) VALUES ($1)", target);
                        insert.Parameters.AddWithValue(id);
                        await insert.ExecuteNonQueryAsync(ct);
                    }
                }

                static Task SaveAsync(NpgsqlConnection conn, Item item, CancellationToken ct)
                    => conn.ExecuteAsync($"INSERT INTO items_seen (id) VALUES ({item.Id})", ct);
            }
            """);

    [Fact]
    public Task Awaits_declared_database_work_in_editorconfig_are_fine()
        => VerifyPgb110.AnalyzerAsync(Row + """
            class AuditLog { public Task WriteAsync(int id, CancellationToken ct) => Task.CompletedTask; }

            class Sync
            {
                async Task PushAsync(NpgsqlConnection conn, AuditLog audit, CancellationToken ct)
                {
                    await foreach (var item in conn.QueryStreamAsync<Item>($"SELECT * FROM items", ct))
                        await audit.WriteAsync(item.Id, ct);
                }
            }
            """,
            "dotnet_code_quality.PGB110.database_awaits = AuditLog.WriteAsync");

    [Fact]
    public Task Stream_through_the_PgTx_of_a_scope_body_is_reported()
        => VerifyPgb110.AnalyzerAsync(Row + """
            class Sync
            {
                readonly System.Net.Http.HttpClient _http = new();

                Task PushAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                    => dataSource.InTransactionAsync(async (tx, token) =>
                    {
                        await foreach (var item in tx.QueryStreamAsync<Item>($"SELECT * FROM items", token))
                            {|PGB110:await _http.PostAsync($"https://search.example/items/{item.Id}", null, token)|};
                    }, ct);
            }
            """);

    [Fact]
    public Task Reader_declared_inside_the_loop_is_a_new_reader_each_iteration()
        => VerifyPgb110.AnalyzerAsync("""
            class Batches
            {
                async Task InsertAllAsync(NpgsqlConnection conn, int[][] batches, Func<int, Task> afterBatch, CancellationToken ct)
                {
                    foreach (var batch in batches)
                    {
                        await using var cmd = new NpgsqlCommand("INSERT INTO t SELECT unnest($1) RETURNING id", conn);
                        cmd.Parameters.AddWithValue(batch);
                        await using var reader = await cmd.ExecuteReaderAsync(ct);
                        var count = 0;
                        while (await reader.ReadAsync(ct))
                            count++;
                        await afterBatch(count);   // a tracing hook: the reader has nothing left, and the next batch has its own
                    }
                }
            }
            """);

    [Fact]
    public Task Copy_import_fed_from_an_async_source_is_not_a_reader_across_an_await()
        => VerifyPgb110.AnalyzerAsync("""
            class Bulk
            {
                async Task<int> ImportAsync(NpgsqlConnection conn, Func<Task<bool>> moveNextAsync, Func<Task<long>> currentAsync, CancellationToken ct)
                {
                    await using var importer = await conn.BeginBinaryImportAsync("COPY t (id) FROM STDIN (FORMAT BINARY)", ct);
                    var n = 0;
                    while (await moveNextAsync())
                    {
                        await importer.StartRowAsync(ct);
                        await importer.WriteAsync(await currentAsync(), ct);
                        n++;
                    }
                    await importer.CompleteAsync(ct);
                    return n;
                }
            }
            """);
}
