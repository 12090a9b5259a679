using System;
using System.Collections.Concurrent;
using System.Data;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests.Transactions;

/// <summary>
/// [PgTransaction] methods implemented by the generator (this project references it as an analyzer), run
/// against the real server: they commit, roll back on an exception, and retry a real serialization failure.
/// </summary>
internal static partial class GeneratedScopes
{
    /// <summary>Inserts an item; returns the attempt that committed.</summary>
    [PgTransaction(BaseDelayMilliseconds = 1, MaxDelayMilliseconds = 20)]
    public static partial Task<int> InsertItemAsync(NpgsqlDataSource dataSource, int id, string name, CancellationToken cancellationToken);

    private static async Task<int> InsertItemBody(PgTx tx, int id, string name, CancellationToken cancellationToken)
    {
        await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({id}, {name})", cancellationToken);
        return tx.Attempt;
    }

    /// <summary>Inserts an item, then throws.</summary>
    [PgTransaction(IsolationLevel.ReadCommitted, Body = nameof(InsertThenFail))]
    public static partial Task InsertAndFailAsync(this NpgsqlConnection connection, int id);

    private static async Task InsertThenFail(PgTx tx, int id)
    {
        await tx.ExecuteAsync($"INSERT INTO tx_items VALUES ({id}, 'doomed')");
        throw new InvalidOperationException("the body failed after its insert");
    }

    /// <summary>The write-skew example of the PostgreSQL docs (13.2.3): go off call if someone else is on call.</summary>
    [PgTransaction(IsolationLevel.Serializable, MaxAttempts = 5, BaseDelayMilliseconds = 1, MaxDelayMilliseconds = 20)]
    public static partial Task<bool> GoOffCallAsync(NpgsqlDataSource dataSource, string doctor, AsyncBarrier barrier, ConcurrentBag<(string Doctor, int Attempt, long OnCall)> runs, CancellationToken cancellationToken);

    private static async Task<bool> GoOffCallBody(PgTx tx, string doctor, AsyncBarrier barrier, ConcurrentBag<(string Doctor, int Attempt, long OnCall)> runs, CancellationToken cancellationToken)
    {
        var onCall = await tx.ExecuteScalarAsync<long>("SELECT count(*) FROM doctors WHERE on_call", cancellationToken);
        runs.Add((doctor, tx.Attempt, onCall));
        if (tx.Attempt == 1)
            await barrier.SignalAndWaitAsync(cancellationToken); // both have read before either writes
        if (onCall < 2)
            return false;
        await tx.ExecuteAsync($"UPDATE doctors SET on_call = false WHERE name = {doctor}", cancellationToken);
        return true;
    }
}

/// <summary>An instance [PgTransaction] method: the generated state carries <c>this</c>.</summary>
internal sealed partial class ItemReader(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>Reads an item's name in a read-only transaction, with the prefix.</summary>
    [PgTransaction(IsolationLevel.Serializable, ReadOnly = true, Deferrable = true)]
    public partial Task<string?> ReadAsync(NpgsqlConnection connection, int id, CancellationToken cancellationToken);

    private async Task<string?> ReadBody(PgTx tx, int id, CancellationToken cancellationToken)
    {
        var name = await tx.ExecuteScalarAsync<string>($"SELECT name FROM tx_items WHERE id = {id}", cancellationToken);
        var readOnly = await tx.ExecuteScalarAsync<string>("SHOW transaction_read_only", cancellationToken);
        return name is null ? null : $"{Prefix}{name} ({readOnly})";
    }
}

public sealed class GeneratedScopeTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    protected override async Task SetUpAsync()
    {
        await TransactionsDatabase.ResetAsync(Db.DataSource, Ct);
    }

    [PgFact]
    public async Task A_generated_scope_commits_and_returns_the_bodys_result()
    {
        var attempt = await GeneratedScopes.InsertItemAsync(Db.DataSource, 1, "one", Ct);

        Assert.Equal(1, attempt);
        Assert.Equal(1, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 1));
    }

    [PgFact]
    public async Task A_generated_scope_rolls_back_when_the_body_throws_and_the_exception_propagates()
    {
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => connection.InsertAndFailAsync(2));

        Assert.Equal("the body failed after its insert", thrown.Message);
        Assert.Equal(0, await TransactionsDatabase.CountItemsAsync(Db.DataSource, 2));
        Assert.Equal(ConnectionState.Open, connection.State); // a connection scope leaves the connection open...
        Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT 1", Ct)); // ...and usable, outside any transaction
    }

    [PgFact]
    public async Task A_generated_scope_retries_a_real_serialization_failure_in_a_fresh_transaction()
    {
        var barrier = new AsyncBarrier(2);
        var runs = new ConcurrentBag<(string Doctor, int Attempt, long OnCall)>();

        var results = await Task.WhenAll(
            GeneratedScopes.GoOffCallAsync(Db.DataSource, "alice", barrier, runs, Ct),
            GeneratedScopes.GoOffCallAsync(Db.DataSource, "bob", barrier, runs, Ct));

        Assert.Equal(1, results.Count(wentOff => wentOff)); // exactly one went off call
        Assert.Equal(1, await Db.DataSource.ExecuteScalarAsync<long>("SELECT count(*) FROM doctors WHERE on_call", Ct));
        var retried = Assert.Single(runs, r => r.Attempt == 2); // 40001 was retried...
        Assert.Equal(1, retried.OnCall); // ...and the re-run saw the other doctor's commit
        Assert.Equal(3, runs.Count);
    }

    [PgFact]
    public async Task An_instance_scope_on_a_connection_runs_read_only_with_the_instance_state()
    {
        await GeneratedScopes.InsertItemAsync(Db.DataSource, 3, "three", Ct);
        await using var connection = await Db.DataSource.OpenConnectionAsync(Ct);
        var reader = new ItemReader("item: ");

        Assert.Equal("item: three (on)", await reader.ReadAsync(connection, 3, Ct));
        Assert.Null(await reader.ReadAsync(connection, 4, Ct));
    }
}
