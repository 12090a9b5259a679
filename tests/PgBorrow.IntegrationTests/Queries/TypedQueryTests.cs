using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Queries;

/// <summary>A row of q_orders.</summary>
[PgRow]
public partial record QOrder(long Id, string Customer, decimal Total, string? Note);

/// <summary>
/// [PgQuery] methods implemented by the generator (this project references it as an analyzer): every return
/// shape, on every kind of target, with placeholders among literals, comments, casts and operators.
/// </summary>
internal static partial class OrderQueries
{
    [PgQuery("SELECT id, customer, total, note FROM q_orders WHERE total >= @minimum AND note IS DISTINCT FROM '@minimum' ORDER BY id -- @minimum")]
    public static partial Task<List<QOrder>> LargeOrdersAsync(this NpgsqlConnection connection, decimal minimum, CancellationToken ct);

    [PgQuery("SELECT id, customer, total, note FROM q_orders WHERE id = @id")]
    public static partial Task<QOrder> OrderAsync(this NpgsqlDataSource dataSource, long id, CancellationToken ct);

    [PgQuery("SELECT id, customer, total, note FROM q_orders WHERE customer = @customer ORDER BY id", Prepare = true)]
    public static partial ValueTask<QOrder?> FindByCustomerAsync(this NpgsqlTransaction transaction, string customer, CancellationToken ct);

    [PgQuery("SELECT id, customer, total, note FROM q_orders WHERE customer = @customer ORDER BY id")]
    public static partial IAsyncEnumerable<QOrder> StreamAsync(this PgTx tx, string customer, CancellationToken ct);

    [PgQuery("SELECT id, customer, total, note FROM q_orders ORDER BY id", Prepare = true)]
    public static partial IAsyncEnumerable<QOrder> StreamPreparedAsync(this NpgsqlDataSource dataSource, CancellationToken ct);

    [PgQuery("INSERT INTO q_orders (id, customer, total, note, tags) VALUES (@id, @customer, @total, @note, @tags)")]
    public static partial ValueTask InsertAsync(this NpgsqlConnection connection, long id, string customer, decimal total, string? note, string[] tags, CancellationToken ct);

    [PgQuery("UPDATE q_orders SET total = total * @factor WHERE customer = @customer")]
    public static partial Task<int> ScaleAsync(this NpgsqlConnection connection, string customer, decimal factor);

    [PgQuery("DELETE FROM q_orders WHERE customer = @customer")]
    public static partial Task DeleteAsync(this NpgsqlConnection connection, string customer);

    [PgQuery("SELECT count(*)::int FROM q_orders WHERE tags @> @tags::text[]")]
    public static partial Task<int> CountTaggedAsync(this NpgsqlConnection connection, string[] tags);

    [PgQuery("SELECT note FROM q_orders WHERE id = @id")]
    public static partial ValueTask<string?> NoteAsync(this NpgsqlConnection connection, long id, CancellationToken ct);

    [PgQuery("SELECT note FROM q_orders WHERE id = @id")]
    public static partial Task<string> RequiredNoteAsync(this NpgsqlConnection connection, long id);

    [PgQuery("SELECT max(total) FROM q_orders WHERE customer = @customer", CommandTimeoutSeconds = 10)]
    public static partial Task<decimal?> MaxTotalAsync(this NpgsqlDataSource dataSource, string customer);

    [PgQuery("SELECT id FROM q_orders WHERE customer = @customer ORDER BY id")]
    public static partial ValueTask<List<long>> IdsAsync(this NpgsqlConnection connection, string customer);

    [PgQuery("SELECT note FROM q_orders ORDER BY id")]
    public static partial IAsyncEnumerable<string?> NotesAsync(this NpgsqlConnection connection);

    [PgQuery("SELECT pg_sleep(@seconds)")]
    public static partial Task SleepAsync(this NpgsqlConnection connection, double seconds, CancellationToken ct);

    [PgQuery("SELECT pg_sleep(5)", CommandTimeoutSeconds = 1)]
    public static partial Task SleepPastTimeoutAsync(this NpgsqlConnection connection);
}

public sealed class TypedQueryTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    protected override async Task SetUpAsync()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var command = new NpgsqlCommand("""
            CREATE TABLE IF NOT EXISTS q_orders (id bigint PRIMARY KEY, customer text NOT NULL, total numeric NOT NULL, note text, tags text[] NOT NULL DEFAULT '{}');
            TRUNCATE q_orders;
            INSERT INTO q_orders VALUES
                (1, 'ada', 50, NULL, '{a}'),
                (2, 'ada', 150, 'gift', '{a,b}'),
                (3, 'bob', 250, '@minimum', '{b}');
            """, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    [PgFact]
    public async Task A_list_of_rows_binds_the_placeholder_and_ignores_the_literal_and_comment()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var orders = await connection.LargeOrdersAsync(100m, Ct);

        Assert.Equal(new[] { new QOrder(2, "ada", 150m, "gift") }, orders);
        Assert.Empty(await connection.LargeOrdersAsync(1000m, Ct));
    }

    [PgFact]
    public async Task Exactly_one_row_reads_it_and_throws_naming_the_method_and_sql_when_there_is_none()
    {
        Assert.Equal(new QOrder(3, "bob", 250m, "@minimum"), await Db.DataSource.OrderAsync(3, Ct));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => Db.DataSource.OrderAsync(99, Ct));

        Assert.Equal("PgBorrow.IntegrationTests.Queries.OrderQueries.OrderAsync expects exactly one row, but the query returned none. SQL: SELECT id, customer, total, note FROM q_orders WHERE id = $1", error.Message);
    }

    [PgFact]
    public async Task Zero_or_one_row_gives_null_for_none_and_throws_for_two_in_a_transaction_with_preparation()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var transaction = await connection.BeginTransactionAsync(Ct);

        Assert.Equal(new QOrder(3, "bob", 250m, "@minimum"), await transaction.FindByCustomerAsync("bob", Ct));
        Assert.Null(await transaction.FindByCustomerAsync("nobody", Ct));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await transaction.FindByCustomerAsync("ada", Ct));
        Assert.Contains("FindByCustomerAsync expects at most one row, but the query returned more than one.", error.Message, StringComparison.Ordinal);
    }

    [PgFact]
    public async Task A_stream_reads_rows_in_a_scope_and_a_prepared_stream_on_a_data_source()
    {
        var ids = await Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            var read = new List<long>();
            await foreach (var order in tx.StreamAsync("ada", ct))
                read.Add(order.Id);
            return read;
        }, Ct);
        Assert.Equal(new long[] { 1, 2 }, ids);

        var all = new List<QOrder>();
        await foreach (var order in Db.DataSource.StreamPreparedAsync(Ct))
            all.Add(order);
        Assert.Equal(new long[] { 1, 2, 3 }, all.Select(o => o.Id));
        Assert.Null(all[0].Note);
    }

    [PgFact]
    public async Task Writes_send_nulls_and_arrays_count_affected_rows_and_return_nothing()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await connection.InsertAsync(4, "cy", 10m, null, new[] { "a", "c" }, Ct);
        Assert.Null(await connection.NoteAsync(4, Ct));
        Assert.Equal(2, await connection.CountTaggedAsync(new[] { "b" }));
        Assert.Equal(1, await connection.CountTaggedAsync(new[] { "c" }));

        Assert.Equal(2, await connection.ScaleAsync("ada", 2m));
        Assert.Equal(0, await connection.ScaleAsync("nobody", 2m));
        Assert.Equal(300m, await Db.DataSource.MaxTotalAsync("ada"));

        await connection.DeleteAsync("ada");
        Assert.Empty(await connection.IdsAsync("ada"));
    }

    [PgFact]
    public async Task Scalars_read_nulls_into_nullable_types_and_throw_for_a_non_nullable_one()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        Assert.Equal("gift", await connection.NoteAsync(2, Ct));
        Assert.Null(await connection.NoteAsync(1, Ct));  // NULL
        Assert.Null(await connection.NoteAsync(99, Ct)); // no row
        Assert.Null(await Db.DataSource.MaxTotalAsync("nobody"));
        Assert.Equal(new long[] { 1, 2 }, await connection.IdsAsync("ada"));

        var notes = new List<string?>();
        await foreach (var note in connection.NotesAsync())
            notes.Add(note);
        Assert.Equal(new[] { null, "gift", "@minimum" }, notes);

        Assert.Equal("gift", await connection.RequiredNoteAsync(2));
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.RequiredNoteAsync(1));
        Assert.Contains("RequiredNoteAsync read NULL, which its result type String cannot hold", error.Message, StringComparison.Ordinal);
        Assert.Contains("SQL: SELECT note FROM q_orders WHERE id = $1", error.Message, StringComparison.Ordinal);
    }

    [PgFact]
    public async Task The_showcase_query_reads_the_accounts_it_asks_for()
    {
        await PgBorrow.Samples.Showcase.ShowcaseDatabase.CreateTablesAsync(Db.DataSource, Ct);
        await PgBorrow.Samples.Showcase.ShowcaseDatabase.SeedAsync(Db.DataSource, Ct);

        var accounts = await PgBorrow.Samples.Showcase.Rows.AccountQueries.AccountsHoldingAtLeastAsync(Db.DataSource, 50, Ct);

        Assert.Equal(new[] { (1, "Ada Lovelace", 100), (2, "Conor O'Brien", 50) }, accounts.Select(a => (a.Id, a.Owner, a.Balance)));
    }

    [PgFact]
    public async Task The_token_cancels_the_running_statement()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => connection.SleepAsync(10, cancellation.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"cancelled after {clock.Elapsed}");
        await connection.SleepAsync(0, Ct); // the connection is still usable
    }

    [PgFact]
    public async Task The_command_timeout_option_stops_a_long_statement()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var clock = Stopwatch.StartNew();

        var error = await Assert.ThrowsAnyAsync<NpgsqlException>(() => connection.SleepPastTimeoutAsync());

        Assert.IsType<TimeoutException>(error.InnerException);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(4), $"timed out after {clock.Elapsed}");
    }
}
