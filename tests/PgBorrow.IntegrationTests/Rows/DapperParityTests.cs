using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Rows;

/// <summary>
/// What users coming from Dapper expect: QueryFirstAsync and QuerySingleOrDefaultAsync, several statements in
/// one round trip (QueryMultipleAsync), a per-call command timeout and explicit preparation.
/// </summary>
public sealed partial class DapperParityTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    protected override async Task SetUpAsync()
    {
        await RowsDatabase.CreateTablesAsync(Db.DataSource, Ct);
        await Db.DataSource.ExecuteAsync("TRUNCATE items", Ct);
        await Db.DataSource.ExecuteAsync("INSERT INTO items VALUES (1, 'one', NULL), (2, 'two', 'second'), (3, 'three', NULL)", Ct);
    }

    #region Cardinalities

    [PgFact]
    public async Task QueryFirstAsync_reads_the_first_row_and_throws_when_there_is_none()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var first = await connection.QueryFirstAsync<Item>("SELECT * FROM items ORDER BY id DESC", Ct);
        var none = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.QueryFirstAsync<Item>($"SELECT * FROM items WHERE id = {99}", Ct));

        Assert.Equal(new Item(3, "three", null), first);
        Assert.Equal("QueryFirstAsync<Item> expects at least one row, but the query returned none.", none.Message);
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct)); // still usable
    }

    [PgFact]
    public async Task QuerySingleOrDefaultAsync_gives_default_for_none_and_throws_for_more_than_one()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var single = await connection.QuerySingleOrDefaultAsync<Item>($"SELECT * FROM items WHERE id = {2}", Ct);
        var none = await connection.QuerySingleOrDefaultAsync<AsIsItem>($"SELECT id AS itemid FROM items WHERE id = {99}", Ct);
        var many = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.QuerySingleOrDefaultAsync<Item>("SELECT * FROM items", Ct));

        Assert.Equal(new Item(2, "two", "second"), single);
        Assert.Null(none);
        Assert.Equal("QuerySingleOrDefaultAsync<Item> expects at most one row, but the query returned more than one.", many.Message);
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgFact]
    public async Task The_new_cardinalities_work_on_a_transaction_a_data_source_and_a_PgTx()
    {
        await using (var connection = await Db.DataSource.OpenConnectionAsync(Ct))
        await using (var transaction = await connection.BeginTransactionAsync(Ct))
        {
            await transaction.ExecuteAsync($"INSERT INTO items VALUES ({4}, {"four"}, NULL)", Ct);
            Assert.Equal("four", (await transaction.QueryFirstAsync<Item>("SELECT * FROM items ORDER BY id DESC", Ct)).Name);
            Assert.Equal("four", (await transaction.QuerySingleOrDefaultAsync<Item>($"SELECT * FROM items WHERE id = {4}", Ct)).Name);
            await transaction.RollbackAsync(Ct);
        }

        Assert.Equal(1, (await Db.DataSource.QueryFirstAsync<Item>("SELECT * FROM items ORDER BY id", Ct)).Id);
        Assert.Equal(default, await Db.DataSource.QuerySingleOrDefaultAsync<Item>($"SELECT * FROM items WHERE id = {4}", Ct));

        var (first, single) = await Db.DataSource.InTransactionAsync(async (tx, ct) =>
            (await tx.QueryFirstAsync<Item>("SELECT * FROM items ORDER BY id DESC", ct),
             await tx.QuerySingleOrDefaultAsync<Item>($"SELECT * FROM items WHERE name = {"two"}", ct)), Ct);
        Assert.Equal(3, first.Id);
        Assert.Equal(2, single.Id);
    }

    #endregion

    #region QueryMultipleAsync

    [PgFact]
    public async Task QueryMultipleAsync_reads_typed_results_in_order_each_statement_with_its_own_parameters()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var id = 2;
        var minimum = 2;
        var batch = new PgBatch
        {
            $"SELECT * FROM items WHERE id = {id}",
            $"SELECT count(*) FROM items WHERE id >= {minimum}",
            $"SELECT * FROM items WHERE id >= {minimum} AND name <> {"nobody"} ORDER BY id",
            "SELECT id AS itemid FROM items WHERE false",
        };

        Assert.Equal(
            new[] { "SELECT * FROM items WHERE id = $1", "SELECT count(*) FROM items WHERE id >= $1", "SELECT * FROM items WHERE id >= $1 AND name <> $2 ORDER BY id", "SELECT id AS itemid FROM items WHERE false" },
            batch.ToArray());
        await using var results = await connection.QueryMultipleAsync(batch, Ct);
        var single = await results.ReadSingleAsync<Item>(Ct);
        var count = await results.ReadScalarAsync<long>(Ct);
        var rows = await results.ReadAsync<Item>(Ct);
        var none = await results.ReadFirstOrDefaultAsync<AsIsItem>(Ct);

        Assert.Equal(new Item(2, "two", "second"), single);
        Assert.Equal(2L, count);
        Assert.Equal(new[] { 2, 3 }, rows.Select(r => r.Id));
        Assert.Null(none);
        Assert.Equal(4, results.ResultsRead);
    }

    [PgFact]
    public async Task QueryMultipleAsync_sends_the_statements_together_they_share_one_implicit_transaction()
    {
        // now() is the start of the transaction. Sent one by one (outside a transaction), each statement
        // would be its own transaction and the second would see a later now(); in one batch, with one Sync,
        // they form a single implicit transaction.
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await using var results = await connection.QueryMultipleAsync(new PgBatch
        {
            "SELECT now() AS started, pg_sleep(0.05)",
            "SELECT now() AS started, clock_timestamp() AS clock",
        }, Ct);
        var first = await results.ReadScalarAsync<DateTime>(Ct);
        var second = await results.ReadFirstAsync<BatchClock>(Ct);

        Assert.Equal(first, second.Started);
        Assert.True(second.Clock - second.Started >= TimeSpan.FromMilliseconds(50), $"{second.Clock:O} - {second.Started:O}");
    }

    [PgFact]
    public async Task QueryMultipleAsync_statements_without_rows_run_but_give_no_result()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await using (var results = await connection.QueryMultipleAsync(new PgBatch
        {
            $"UPDATE items SET note_text = {"batched"} WHERE id = {1}",
            $"SELECT * FROM items WHERE id = {1}",
            $"DELETE FROM items WHERE id = {3} RETURNING *",
        }, Ct))
        {
            Assert.Equal("batched", (await results.ReadSingleAsync<Item>(Ct)).Note);
            Assert.Equal(3, (await results.ReadSingleAsync<Item>(Ct)).Id);
            var past = await Assert.ThrowsAsync<InvalidOperationException>(async () => await results.ReadAsync<Item>(Ct));
            Assert.Equal(
                "ReadAsync<Item> asked for result 3 of the batch, but it returned only 2 results. Each statement that returns rows (a SELECT, or a write with RETURNING) gives one result, in order; other statements give none.",
                past.Message);
        }

        Assert.Equal(2L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgFact]
    public async Task QueryMultipleAsync_refuses_overlapping_reads_reads_after_disposal_and_reused_or_empty_batches()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        // The server sends a batch's output when its buffer (8 KB) fills and at the end: the first result is
        // larger than that, so its last part arrives only after the second statement's sleep, and the read of
        // the first result is still waiting for its second row when the next read is asked for.
        var batch = new PgBatch { "SELECT repeat('x', 100000) AS big FROM generate_series(1, 2)", "SELECT pg_sleep(0.3)::text AS slept", "SELECT * FROM items" };

        var results = await connection.QueryMultipleAsync(batch, Ct);
        var firstRead = results.ReadAsync<BigRow>(Ct);
        var overlapping = await Assert.ThrowsAsync<InvalidOperationException>(async () => await results.ReadAsync<Item>(Ct));
        Assert.Equal(new[] { 100000, 100000 }, (await firstRead).Select(row => row.Big.Length));
        Assert.Equal("", await results.ReadScalarAsync<string>(Ct));
        Assert.Equal(3, (await results.ReadAsync<Item>(Ct)).Count); // the refused read took nothing
        await results.DisposeAsync();
        var disposed = await Assert.ThrowsAsync<ObjectDisposedException>(async () => await results.ReadAsync<Item>(Ct));
        var reused = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.QueryMultipleAsync(batch, Ct));
        var addAfterRun = Assert.Throws<InvalidOperationException>(() => batch.Add("SELECT 1"));
        var empty = await Assert.ThrowsAsync<ArgumentException>(() => connection.QueryMultipleAsync(new PgBatch(), Ct));

        Assert.Equal(
            "ReadAsync<Item> was called while result 1 of the batch is still being read. Await each read before starting the next: the results of a batch are read one after another, in order.",
            overlapping.Message);
        Assert.Contains("after these batch results were disposed", disposed.Message);
        Assert.Contains("already been run", reused.Message);
        Assert.Contains("already been run", addAfterRun.Message);
        Assert.Contains("no statements", empty.Message);
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct));
    }

    [PgFact]
    public async Task QueryMultipleAsync_results_not_read_are_skipped_and_the_connection_is_free_after_disposal()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await using (var results = await connection.QueryMultipleAsync(new PgBatch { "SELECT * FROM items", "SELECT * FROM items", "SELECT 1 AS one" }, Ct))
        {
            Assert.Equal(1, (await results.ReadFirstAsync<Item>(Ct)).Id); // the rest of result 1, and results 2 and 3, are never read
        }

        Assert.Equal(3, (await connection.QueryAsync<Item>("SELECT * FROM items", Ct)).Count);
    }

    [PgFact]
    public async Task QueryMultipleAsync_twice_on_one_connection_runs_only_each_batchs_own_statements()
    {
        // A connection hands out its cached NpgsqlBatch; the second batch must not see the first one's statements.
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await using (var first = await connection.QueryMultipleAsync(new PgBatch { "SELECT 1 AS one", "SELECT 2 AS two" }, Ct))
            Assert.Equal(1, await first.ReadScalarAsync<int>(Ct));
        Item second;
        await using (var results = await connection.QueryMultipleAsync(new PgBatch { $"SELECT * FROM items WHERE id = {2}" }, Ct))
        {
            second = await results.ReadSingleAsync<Item>(Ct);
            var past = await Assert.ThrowsAsync<InvalidOperationException>(async () => await results.ReadScalarAsync<int>(Ct));
            Assert.Contains("but it returned only 1 result.", past.Message);
        }

        Assert.Equal(new Item(2, "two", "second"), second);
        Assert.Equal(3, (await connection.QueryAsync<Item>("SELECT * FROM items", Ct)).Count); // the cached command is unaffected
    }

    [PgFact]
    public async Task QueryMultipleAsync_a_failing_statement_rolls_back_the_batch_and_throws_when_its_result_is_read()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        await using (var results = await connection.QueryMultipleAsync(new PgBatch
        {
            $"INSERT INTO items VALUES ({10}, {"ten"}, NULL) RETURNING *",
            $"INSERT INTO items VALUES ({1}, {"duplicate"}, NULL) RETURNING *",
        }, Ct))
        {
            Assert.Equal(10, (await results.ReadSingleAsync<Item>(Ct)).Id);
            var failure = await Assert.ThrowsAsync<PostgresException>(async () => await results.ReadSingleAsync<Item>(Ct));
            Assert.Equal(PostgresErrorCodes.UniqueViolation, failure.SqlState);
        }

        Assert.Equal(0L, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM items WHERE id = {10}", Ct));
    }

    [PgFact]
    public async Task QueryMultipleAsync_reports_the_result_number_when_a_cardinality_is_not_met()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        await using var results = await connection.QueryMultipleAsync(new PgBatch { "SELECT * FROM items", "SELECT * FROM items WHERE false" }, Ct);

        var many = await Assert.ThrowsAsync<InvalidOperationException>(async () => await results.ReadSingleOrDefaultAsync<Item>(Ct));
        var none = await Assert.ThrowsAsync<InvalidOperationException>(async () => await results.ReadFirstAsync<Item>(Ct));

        Assert.Equal("ReadSingleOrDefaultAsync<Item> expects at most one row, but result 1 of the batch returned more than one.", many.Message);
        Assert.Equal("ReadFirstAsync<Item> expects at least one row, but result 2 of the batch returned none.", none.Message);
    }

    [PgFact]
    public async Task QueryMultipleAsync_works_on_a_transaction_a_data_source_and_a_PgTx()
    {
        await using (var connection = await Db.DataSource.OpenConnectionAsync(Ct))
        await using (var transaction = await connection.BeginTransactionAsync(Ct))
        {
            await using (var results = await transaction.QueryMultipleAsync(new PgBatch
            {
                $"INSERT INTO items VALUES ({4}, {"four"}, NULL)",
                "SELECT count(*) FROM items",
            }, Ct))
            {
                Assert.Equal(4L, await results.ReadScalarAsync<long>(Ct));
            }
            Assert.Equal(3L, await Db.DataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM items", Ct)); // not committed
            await transaction.RollbackAsync(Ct);
            await Assert.ThrowsAsync<InvalidOperationException>(() => transaction.QueryMultipleAsync(new PgBatch { "SELECT 1" }, Ct));
        }

        await using (var results = await Db.DataSource.QueryMultipleAsync(new PgBatch { $"SELECT * FROM items WHERE id = {1}", "SELECT count(*) FROM items" }, Ct))
        {
            Assert.Equal("one", (await results.ReadSingleAsync<Item>(Ct)).Name);
            Assert.Equal(3L, await results.ReadScalarAsync<long>(Ct));
        }

        PgTx? lent = null;
        var names = await Db.DataSource.InTransactionAsync(async (tx, ct) =>
        {
            lent = tx;
            await using var results = await tx.QueryMultipleAsync(new PgBatch
            {
                $"UPDATE items SET name = {"TWO"} WHERE id = {2}",
                "SELECT * FROM items ORDER BY id",
            }, ct);
            return (await results.ReadAsync<Item>(ct)).Select(i => i.Name).ToArray();
        }, Ct);
        Assert.Equal(new[] { "one", "TWO", "three" }, names);
        Assert.Equal("TWO", await Db.DataSource.ExecuteScalarAsync<string>($"SELECT name FROM items WHERE id = {2}", Ct)); // committed
        await Assert.ThrowsAsync<ObjectDisposedException>(() => lent!.QueryMultipleAsync(new PgBatch { "SELECT 1" }, Ct));
    }

    #endregion

    #region Options

    [PgFact]
    public async Task CommandTimeout_cancels_a_statement_that_runs_too_long_on_every_target()
    {
        var oneSecond = new PgQueryOptions { CommandTimeout = TimeSpan.FromMilliseconds(300) }; // rounded up to 1 s
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var single = await Assert.ThrowsAsync<NpgsqlException>(() => connection.ExecuteAsync("SELECT pg_sleep(5)", oneSecond, Ct));
        var fromDataSource = await Assert.ThrowsAsync<NpgsqlException>(() => Db.DataSource.ExecuteScalarAsync<string>("SELECT pg_sleep(5)::text", oneSecond, Ct));
        var batch = await Assert.ThrowsAsync<NpgsqlException>(async () =>
        {
            await using var results = await Db.DataSource.QueryMultipleAsync(new PgBatch { "SELECT 1 AS one", "SELECT pg_sleep(5)::text" }, oneSecond, Ct);
            await results.ReadScalarAsync<int>(Ct);
            await results.ReadScalarAsync<string>(Ct);
        });

        Assert.IsType<TimeoutException>(single.InnerException);
        Assert.IsType<TimeoutException>(fromDataSource.InnerException);
        Assert.IsType<TimeoutException>(batch.InnerException);
        Assert.Equal(1, await Db.DataSource.ExecuteScalarAsync<int>("SELECT 1", new PgQueryOptions { CommandTimeout = Timeout.InfiniteTimeSpan }, Ct));
    }

    [PgFact]
    public async Task Prepare_prepares_the_statement_on_the_connection_and_only_when_asked()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        Assert.Equal("two", (await connection.QuerySingleAsync<Item>($"SELECT * FROM items WHERE id = {2}", PgQueryOptions.Prepared, Ct)).Name);
        Assert.Equal("three", (await connection.QuerySingleAsync<Item>($"SELECT * FROM items WHERE id = {3}", PgQueryOptions.Prepared, Ct)).Name);
        Assert.Equal(1, await connection.ExecuteAsync($"UPDATE items SET note_text = {"x"} WHERE id = {1}", Ct));
        await using (var results = await connection.QueryMultipleAsync(new PgBatch { "SELECT count(*) FROM items", $"SELECT * FROM items WHERE id < {3}" }, PgQueryOptions.Prepared, Ct))
        {
            Assert.Equal(3L, await results.ReadScalarAsync<long>(Ct));
            Assert.Equal(2, (await results.ReadAsync<Item>(Ct)).Count);
        }

        var prepared = await PreparedStatementsAsync(connection);
        Assert.Equal(
            new[] { "SELECT * FROM items WHERE id < $1", "SELECT * FROM items WHERE id = $1", "SELECT count(*) FROM items" },
            prepared.Where(text => !text.Contains("pg_prepared_statements")).Order(StringComparer.Ordinal));
    }

    [PgFact]
    public async Task Prepare_on_a_data_source_or_a_PgTx_prepares_on_the_pooled_connection_it_runs_on()
    {
        await using var dataSource = Db.CreateDataSource(builder => builder.MaxPoolSize = 1);

        Assert.Equal(3L, await dataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM items", PgQueryOptions.Prepared, Ct));
        await foreach (var item in dataSource.QueryStreamAsync<Item>($"SELECT * FROM items WHERE id > {2}", PgQueryOptions.Prepared, Ct))
            Assert.Equal(3, item.Id);
        await using (var results = await dataSource.QueryMultipleAsync(new PgBatch { "SELECT 1 AS one" }, PgQueryOptions.Prepared, Ct))
            Assert.Equal(1, await results.ReadScalarAsync<int>(Ct));
        await dataSource.InTransactionAsync((tx, ct) => tx.QueryAsync<Item>($"SELECT * FROM items WHERE name = {"one"}", PgQueryOptions.Prepared, ct), Ct);

        await using var connection = await dataSource.OpenConnectionAsync(Ct); // the pool's only connection
        Assert.Equal(
            new[] { "SELECT * FROM items WHERE id > $1", "SELECT * FROM items WHERE name = $1", "SELECT 1 AS one", "SELECT count(*) FROM items" },
            (await PreparedStatementsAsync(connection)).Where(text => !text.Contains("pg_prepared_statements")).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void CommandTimeout_must_be_positive_infinite_or_null()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgQueryOptions { CommandTimeout = TimeSpan.Zero });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgQueryOptions { CommandTimeout = TimeSpan.FromSeconds(-1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new PgQueryOptions { CommandTimeout = TimeSpan.MaxValue });

        Assert.Equal(2, new PgQueryOptions { CommandTimeout = TimeSpan.FromMilliseconds(1500) }.TimeoutSeconds);
        Assert.Equal(0, new PgQueryOptions { CommandTimeout = Timeout.InfiniteTimeSpan }.TimeoutSeconds);
        Assert.Null(default(PgQueryOptions).TimeoutSeconds);
        Assert.True(PgQueryOptions.Prepared.Prepare);
    }

    [PgRow]
    public partial record struct BatchClock(DateTime Started, DateTime Clock);

    [PgRow]
    public partial record struct BigRow(string Big);

    static async Task<List<string>> PreparedStatementsAsync(NpgsqlConnection connection)
    {
        var statements = new List<string>();
        await using var command = new NpgsqlCommand("SELECT statement FROM pg_prepared_statements", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            statements.Add(reader.GetString(0));
        return statements;
    }

    #endregion
}
