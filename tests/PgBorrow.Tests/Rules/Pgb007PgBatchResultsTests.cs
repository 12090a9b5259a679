using System;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb007 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.DataReaderLeftOpenAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB007 on the <c>PgBatchResults</c> of <c>QueryMultipleAsync</c>: it holds the batch's reader open, so
/// it is a reader to the engine. Left undisposed on some path it is reported on its variable; another
/// command on its connection while it is open is reported on that command. Disposed by a using, or
/// handed to the caller or a field, it is fine.
/// </summary>
public sealed class Pgb007PgBatchResultsTests
{
    /// <summary>The PGB007 report for the results variable marked <c>{|#n:...|}</c>, with the message it must carry.</summary>
    static DiagnosticResult BatchResults(int location, string name, string when, string remedy)
        => new DiagnosticResult("PGB007", DiagnosticSeverity.Warning).WithLocation(location).WithArguments("PgBatchResults", name, when, remedy);

    /// <summary>The line the test framework reports for the first line of <paramref name="source"/> containing <paramref name="text"/>.</summary>
    static int LineOf(string source, string text)
    {
        var usings = VerifyPgb007.Usings.Split('\n').Length - 1;
        var lines = source.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (lines[i].Contains(text, StringComparison.Ordinal))
                return usings + i + 1;
        }
        throw new ArgumentException($"'{text}' is not in the source.");
    }

    [Fact]
    public Task Results_never_disposed_are_reported_with_the_exit()
    {
        const string source = """
            class Orders
            {
                async Task<long> Count(NpgsqlConnection conn, CancellationToken ct)
                {
                    var {|#0:results|} = await conn.QueryMultipleAsync(new PgBatch { "SELECT count(*) FROM orders" }, ct);
                    var count = await results.ReadScalarAsync<long>(ct);
                    return count;
                }
            }
            """;
        return VerifyPgb007.AnalyzerAsync(source,
            BatchResults(0, "results", $"when the method returns on line {LineOf(source, "return count;")}: it is never disposed", "declare it with 'await using'"));
    }

    [Fact]
    public Task Another_command_on_the_connection_while_the_results_are_open_is_reported_on_the_command()
    {
        const string source = """
            class Orders
            {
                async Task Ship(NpgsqlConnection conn, long id, CancellationToken ct)
                {
                    await using var results = await conn.QueryMultipleAsync(new PgBatch { $"SELECT count(*) FROM orders WHERE id = {id}" }, ct);
                    var count = await results.ReadScalarAsync<long>(ct);
                    await {|#0:conn.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", ct)|};
                }
            }
            """;
        return VerifyPgb007.AnalyzerAsync(source,
            BatchResults(0, "results", $"when 'ExecuteAsync' runs another command on connection 'conn' on line {LineOf(source, "UPDATE orders")}",
                "dispose it before that command (declare it with 'await using' in a block that ends there)"));
    }

    [Fact]
    public Task Results_read_through_a_transaction_keep_its_connection_busy()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                async Task Ship(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var results = await tx.QueryMultipleAsync(new PgBatch { "SELECT count(*) FROM orders" }, ct);
                    var count = await results.ReadScalarAsync<long>(ct);
                    await {|PGB007:tx.ExecuteAsync("UPDATE orders SET shipped = true", ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Results_from_a_data_source_left_open_on_one_path_are_reported()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                async Task<long> Count(NpgsqlDataSource dataSource, bool quick, CancellationToken ct)
                {
                    var {|PGB007:results|} = await dataSource.QueryMultipleAsync(new PgBatch { "SELECT count(*) FROM orders" }, ct);
                    if (quick)
                        return 0;
                    var count = await results.ReadScalarAsync<long>(ct);
                    await results.DisposeAsync();
                    return count;
                }
            }
            """);

    [Fact]
    public Task Results_in_a_transaction_scope_body_left_open_are_reported()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                Task<long> Count(NpgsqlDataSource dataSource, CancellationToken ct)
                    => dataSource.InTransactionAsync(async (tx, ct) =>
                    {
                        var {|PGB007:results|} = await tx.QueryMultipleAsync(new PgBatch { "SELECT count(*) FROM orders" }, ct);
                        return await results.ReadScalarAsync<long>(ct);
                    }, ct);
            }
            """);

    [Fact]
    public Task A_reader_open_when_the_batch_runs_is_reported_on_the_batch()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                async Task Run(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var select = new NpgsqlCommand("SELECT id FROM orders", conn);
                    await using var reader = await select.ExecuteReaderAsync(ct);
                    await using var results = await {|PGB007:conn.QueryMultipleAsync(new PgBatch { "SELECT 1" }, ct)|};
                }
            }
            """);

    [Fact]
    public Task Await_using_that_ends_before_the_next_command_is_fine()
        => VerifyPgb007.AnalyzerAsync("""
            class Orders
            {
                async Task Ship(NpgsqlConnection conn, CancellationToken ct)
                {
                    long count;
                    await using (var results = await conn.QueryMultipleAsync(new PgBatch { "SELECT count(*) FROM orders", "SELECT 1" }, ct))
                    {
                        count = await results.ReadScalarAsync<long>(ct);
                    }
                    await conn.ExecuteAsync($"UPDATE orders SET checked = {count}", ct);

                    var again = await conn.QueryMultipleAsync(new PgBatch { "SELECT 1" }, ct);
                    try
                    {
                        await again.ReadScalarAsync<int>(ct);
                    }
                    finally
                    {
                        await again.DisposeAsync();
                    }
                    await conn.ExecuteAsync("UPDATE orders SET checked = 0", ct);
                }
            }
            """);

    [Fact]
    public Task Results_returned_or_stored_in_a_field_belong_to_someone_else()
        => VerifyPgb007.AnalyzerAsync("""
            sealed class Orders : IAsyncDisposable
            {
                PgBatchResults? _pending;

                Task<PgBatchResults> Direct(NpgsqlConnection conn, CancellationToken ct)
                    => conn.QueryMultipleAsync(new PgBatch { "SELECT 1" }, ct);

                async Task<PgBatchResults> Returned(NpgsqlConnection conn, CancellationToken ct)
                {
                    var results = await conn.QueryMultipleAsync(new PgBatch { "SELECT 1" }, ct);
                    return results;
                }

                async Task Kept(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var results = await dataSource.QueryMultipleAsync(new PgBatch { "SELECT 1" }, ct);
                    _pending = results;
                }

                public async ValueTask DisposeAsync()
                {
                    if (_pending is not null)
                        await _pending.DisposeAsync();
                }
            }
            """);
}
