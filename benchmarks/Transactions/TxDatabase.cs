using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Benchmarks.Transactions;

/// <summary>The benchmark tables and the connection string.</summary>
internal static class TxDatabase
{
    /// <summary>Rows in <c>counters</c>; the scope benchmarks update them in turn.</summary>
    public const int Counters = 1000;

    public static string ConnectionString
        => Environment.GetEnvironmentVariable("PG_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "PG_CONNECTION_STRING is not set: run through ci/with-postgres.sh (see docs/benchmarks.md).");

    /// <summary>A data source with a pool large enough for the throughput workers.</summary>
    public static NpgsqlDataSource CreateDataSource()
        => NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(ConnectionString) { MaxPoolSize = 100 }.ConnectionString);

    /// <summary>
    /// A data source through PgBouncer in transaction-pooling mode (ci/with-postgres.sh starts it and sets
    /// PG_PGBOUNCER_CONNECTION_STRING), with the settings the transactions guide recommends behind such a pooler.
    /// </summary>
    public static NpgsqlDataSource CreatePgBouncerDataSource()
    {
        var pgBouncer = Environment.GetEnvironmentVariable("PG_PGBOUNCER_CONNECTION_STRING") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "PG_PGBOUNCER_CONNECTION_STRING is not set: run through ci/with-postgres.sh, which starts PgBouncer (see docs/benchmarks.md).");
        return NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(pgBouncer) { MaxPoolSize = 100, NoResetOnClose = true, MaxAutoPrepare = 0 }.ConnectionString);
    }

    /// <summary>Creates <c>counters</c> (ids 1..<see cref="Counters"/>, n = 0) if it is not there.</summary>
    public static async Task EnsureCountersAsync(NpgsqlConnection connection, CancellationToken cancellationToken = default)
    {
        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS counters (id integer PRIMARY KEY, n bigint NOT NULL);
            INSERT INTO counters (id, n) SELECT g, 0 FROM generate_series(1, {Counters}) g ON CONFLICT (id) DO NOTHING;
            """, cancellationToken);
    }

    /// <summary>Recreates <c>accounts</c> (<paramref name="accounts"/> rows of <paramref name="balance"/>) and an empty <c>transfers</c> log.</summary>
    public static async Task ResetAccountsAsync(NpgsqlConnection connection, int accounts, long balance, CancellationToken cancellationToken = default)
    {
        await ExecuteAsync(connection, $"""
            DROP TABLE IF EXISTS accounts, transfers;
            CREATE TABLE accounts (id integer PRIMARY KEY, balance bigint NOT NULL);
            CREATE TABLE transfers (id bigserial PRIMARY KEY, from_id integer NOT NULL, to_id integer NOT NULL, amount bigint NOT NULL);
            INSERT INTO accounts (id, balance) SELECT g, {balance} FROM generate_series(1, {accounts}) g;
            """, cancellationToken);
        await ExecuteAsync(connection, "VACUUM ANALYZE accounts", cancellationToken); // not allowed in a multi-statement command
    }

    public static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken = default)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
