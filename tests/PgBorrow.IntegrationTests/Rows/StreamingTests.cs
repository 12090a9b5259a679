using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PgBorrow.IntegrationTests.Rows;

/// <summary>QueryStreamAsync reads rows as they are asked for, and honours cancellation mid-stream.</summary>
public sealed class StreamingTests : IClassFixture<PgDatabaseFixture>, IDisposable
{
    private const int RowCount = 200_000;
    private readonly PgDatabaseFixture _db;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(120));

    public StreamingTests(PgDatabaseFixture db) => _db = db;

    private CancellationToken Ct => _timeout.Token;

    public void Dispose() => _timeout.Dispose();

    // generate_series in the select list streams (in FROM it is materialized first, which takes seconds for millions).
    private static PgSql Series(int count) => $"SELECT id, 'item ' || id AS name, NULL::text AS note_text FROM (SELECT generate_series(1, {count}) AS id) s";

    [PgFact]
    public async Task Many_rows_stream_in_order_without_being_collected()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        long count = 0, sum = 0;
        var expected = 1;

        await foreach (var item in connection.QueryStreamAsync<Item>(Series(RowCount), Ct))
        {
            Assert.Equal(expected++, item.Id);
            count++;
            sum += item.Id;
        }

        Assert.Equal(RowCount, count);
        Assert.Equal((long)RowCount * (RowCount + 1) / 2, sum);
    }

    [PgFact]
    public async Task A_million_rows_stream_with_flat_memory()
    {
        const int Million = 1_000_000;
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0, count = 0, nameLengths = 0;

        await foreach (var item in connection.QueryStreamAsync<Item>(Series(Million), Ct))
        {
            count++;
            nameLengths += item.Name.Length;
            if (count % 100_000 == 0)
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
        }

        Assert.Equal(Million, count);
        Assert.True(nameLengths > 10L * Million, "every row was read");
        // Holding the million rows would take well over 100 MB; a stream holds one row and the read buffer.
        Assert.True(peak < 16 * 1024 * 1024, $"the live heap grew by {peak / 1024} KB while streaming");
    }

    [PgFact]
    public async Task Cancelling_mid_stream_stops_the_query_and_leaves_the_connection_usable()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var read = 0;

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in connection.QueryStreamAsync<Item>(Series(50_000_000), cancel.Token))
            {
                if (++read == 1_000)
                    cancel.Cancel();
            }
        });

        Assert.True(read >= 1_000 && read < 50_000_000, $"read {read} rows");
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT 1", Ct));
        Assert.NotNull(error);
    }

    [PgFact]
    public async Task A_token_given_to_WithCancellation_cancels_too()
    {
        await using var connection = await _db.DataSource.OpenConnectionAsync(Ct);
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var read = 0;

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var item in connection.QueryStreamAsync<Item>(Series(50_000_000)).WithCancellation(cancel.Token))
            {
                if (++read == 10)
                    cancel.Cancel();
            }
        });

        Assert.Equal(1, await connection.ExecuteScalarAsync<int>("SELECT 1", Ct));
    }
}
