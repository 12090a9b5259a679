using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>The contenders of the scope-overhead benchmarks.</summary>
internal enum Contender
{
    /// <summary>Baseline: BeginTransactionAsync(ReadCommitted), NpgsqlCommand with an NpgsqlParameter&lt;int&gt;, CommitAsync.</summary>
    HandWritten,

    /// <summary>Decomposition: hand-written Begin/Commit, but the statement through PgBorrow's <c>transaction.ExecuteAsync($"...")</c> (the body's own cost, without a scope).</summary>
    HandWrittenPgSql,

    /// <summary><c>InTransactionAsync(options, async (tx, ct) => { await tx.ExecuteAsync($"... {id}", ct); })</c>: a closure over <c>id</c>.</summary>
    ScopeLambda,

    /// <summary><c>InTransactionAsync(options, id, static async (tx, id, ct) => { await tx.ExecuteAsync(...); })</c>: no closure, no result.</summary>
    ScopeState,

    /// <summary><c>InTransactionAsync(options, id, static (tx, id, ct) => tx.ExecuteAsync(...))</c>: state, returns the row count, no async lambda.</summary>
    ScopeStateResult,
}

/// <summary>
/// One single-statement READ COMMITTED transaction (<c>UPDATE counters SET n = n + 1 WHERE id = $1</c>) per
/// call, written each way, on an open connection or on a data source (a pooled connection opened per transaction).
/// </summary>
internal static class Scopes
{
    public const string UpdateSql = "UPDATE counters SET n = n + 1 WHERE id = $1";

    public static readonly Contender[] All = Enum.GetValues<Contender>();

    public static readonly PgTransactionOptions ReadCommitted = PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.ReadCommitted };

    public static string Label(Contender contender) => contender switch
    {
        Contender.HandWritten => "Hand-written Begin/Commit",
        Contender.HandWrittenPgSql => "Hand-written Begin/Commit, statement via PgSql",
        Contender.ScopeLambda => "InTransactionAsync, lambda",
        Contender.ScopeState => "InTransactionAsync, state",
        Contender.ScopeStateResult => "InTransactionAsync, state + result",
        _ => contender.ToString(),
    };

    public static Task<int> RunAsync(Contender contender, NpgsqlConnection? connection, NpgsqlDataSource? dataSource, int id, CancellationToken cancellationToken = default)
        => (contender, connection) switch
        {
            (Contender.HandWritten, { } c) => HandWrittenAsync(c, id, cancellationToken),
            (Contender.HandWritten, null) => HandWrittenAsync(dataSource!, id, cancellationToken),
            (Contender.HandWrittenPgSql, { } c) => HandWrittenPgSqlAsync(c, id, cancellationToken),
            (Contender.HandWrittenPgSql, null) => HandWrittenPgSqlAsync(dataSource!, id, cancellationToken),
            (Contender.ScopeLambda, { } c) => ScopeLambdaAsync(c, id, cancellationToken),
            (Contender.ScopeLambda, null) => ScopeLambdaAsync(dataSource!, id, cancellationToken),
            (Contender.ScopeState, { } c) => ScopeStateAsync(c, id, cancellationToken),
            (Contender.ScopeState, null) => ScopeStateAsync(dataSource!, id, cancellationToken),
            (Contender.ScopeStateResult, { } c) => ScopeStateResultAsync(c, id, cancellationToken),
            (Contender.ScopeStateResult, null) => ScopeStateResultAsync(dataSource!, id, cancellationToken),
            _ => throw new ArgumentOutOfRangeException(nameof(contender)),
        };

    #region On an open connection

    public static async Task<int> HandWrittenAsync(NpgsqlConnection connection, int id, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await using var command = new NpgsqlCommand(UpdateSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
        var rows = await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    public static async Task<int> HandWrittenPgSqlAsync(NpgsqlConnection connection, int id, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var rows = await transaction.ExecuteAsync($"UPDATE counters SET n = n + 1 WHERE id = {id}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    public static async Task<int> ScopeLambdaAsync(NpgsqlConnection connection, int id, CancellationToken cancellationToken)
    {
        await connection.InTransactionAsync(ReadCommitted, async (tx, ct) =>
        {
            await tx.ExecuteAsync($"UPDATE counters SET n = n + 1 WHERE id = {id}", ct);
        }, cancellationToken);
        return 1;
    }

    public static async Task<int> ScopeStateAsync(NpgsqlConnection connection, int id, CancellationToken cancellationToken)
    {
        await connection.InTransactionAsync(ReadCommitted, id, static async (tx, id, ct) =>
        {
            await tx.ExecuteAsync($"UPDATE counters SET n = n + 1 WHERE id = {id}", ct);
        }, cancellationToken);
        return 1;
    }

    public static Task<int> ScopeStateResultAsync(NpgsqlConnection connection, int id, CancellationToken cancellationToken)
        => connection.InTransactionAsync(ReadCommitted, id,
            static (tx, id, ct) => tx.ExecuteAsync($"UPDATE counters SET n = n + 1 WHERE id = {id}", ct), cancellationToken);

    #endregion

    #region On a data source (a pooled connection opened per transaction)

    public static async Task<int> HandWrittenAsync(NpgsqlDataSource dataSource, int id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await using var command = new NpgsqlCommand(UpdateSql, connection, transaction);
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = id });
        var rows = await command.ExecuteNonQueryAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    public static async Task<int> HandWrittenPgSqlAsync(NpgsqlDataSource dataSource, int id, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        var rows = await transaction.ExecuteAsync($"UPDATE counters SET n = n + 1 WHERE id = {id}", cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return rows;
    }

    public static async Task<int> ScopeLambdaAsync(NpgsqlDataSource dataSource, int id, CancellationToken cancellationToken)
    {
        await dataSource.InTransactionAsync(ReadCommitted, async (tx, ct) =>
        {
            await tx.ExecuteAsync($"UPDATE counters SET n = n + 1 WHERE id = {id}", ct);
        }, cancellationToken);
        return 1;
    }

    public static async Task<int> ScopeStateAsync(NpgsqlDataSource dataSource, int id, CancellationToken cancellationToken)
    {
        await dataSource.InTransactionAsync(ReadCommitted, id, static async (tx, id, ct) =>
        {
            await tx.ExecuteAsync($"UPDATE counters SET n = n + 1 WHERE id = {id}", ct);
        }, cancellationToken);
        return 1;
    }

    public static Task<int> ScopeStateResultAsync(NpgsqlDataSource dataSource, int id, CancellationToken cancellationToken)
        => dataSource.InTransactionAsync(ReadCommitted, id,
            static (tx, id, ct) => tx.ExecuteAsync($"UPDATE counters SET n = n + 1 WHERE id = {id}", ct), cancellationToken);

    #endregion
}
