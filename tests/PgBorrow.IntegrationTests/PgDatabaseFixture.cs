using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Samples.Showcase;
using Xunit;

namespace PgBorrow.IntegrationTests;

/// <summary>
/// A fresh database per test class (a class fixture), holding the Showcase tables. Test classes run
/// in parallel, each in its own database; the tests of one class run one after another and call
/// <see cref="ResetAsync"/> first. The database is dropped (with FORCE, which also ends connections
/// that a Wrong/ scenario leaked) when the class is done.
/// </summary>
public sealed class PgDatabaseFixture : IAsyncLifetime
{
    private static readonly TimeSpan SetupTimeout = TimeSpan.FromSeconds(60);

    private NpgsqlDataSource? _dataSource;
    private string? _connectionString;
    private string? _databaseName;

    /// <summary>A data source for this class's own database.</summary>
    public NpgsqlDataSource DataSource => _dataSource ?? throw new InvalidOperationException(PgFactAttribute.NotConfiguredMessage);

    /// <summary>The connection string of this class's own database.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException(PgFactAttribute.NotConfiguredMessage);

    public async Task InitializeAsync()
    {
        var server = PgFactAttribute.ServerConnectionString;
        if (server is null)
        {
            if (PgFactAttribute.Required)
                throw new InvalidOperationException(PgFactAttribute.NotConfiguredMessage);
            return; // every [PgFact] is skipped
        }

        using var timeout = new CancellationTokenSource(SetupTimeout);
        _databaseName = "pgb_it_" + Guid.NewGuid().ToString("N").Substring(0, 16);
        await using (var admin = NpgsqlDataSource.Create(server))
        await using (var connection = await admin.OpenConnectionAsync(timeout.Token))
        await using (var create = new NpgsqlCommand($"CREATE DATABASE {_databaseName}", connection))
        {
            await create.ExecuteNonQueryAsync(timeout.Token);
        }

        _connectionString = new NpgsqlConnectionStringBuilder(server)
        {
            Database = _databaseName,
            Timeout = 15,
            CommandTimeout = 30,
        }.ConnectionString;
        _dataSource = NpgsqlDataSource.Create(_connectionString);
        await ShowcaseDatabase.CreateTablesAsync(_dataSource, timeout.Token);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
            await _dataSource.DisposeAsync();
        var server = PgFactAttribute.ServerConnectionString;
        if (server is null || _databaseName is null)
            return;
        using var timeout = new CancellationTokenSource(SetupTimeout);
        await using var admin = NpgsqlDataSource.Create(server);
        await using var connection = await admin.OpenConnectionAsync(timeout.Token);
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_databaseName} WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync(timeout.Token);
    }

    /// <summary>A separate data source (its own pool) for this database, with settings changed.</summary>
    public NpgsqlDataSource CreateDataSource(Action<NpgsqlConnectionStringBuilder> configure)
    {
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        configure(builder);
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }

    /// <summary>Back to the seed: balances 1: 100, 2: 50, 3: 0 and no orders.</summary>
    public Task ResetAsync() => ShowcaseDatabase.SeedAsync(DataSource, CancellationToken.None);

    /// <summary>Runs SQL on a connection of its own (committed at once).</summary>
    public async Task ExecuteAsync(string sql)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The committed balances, by account id, as another session sees them.</summary>
    public async Task<Dictionary<int, int>> BalancesAsync()
    {
        var balances = new Dictionary<int, int>();
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT id, balance FROM accounts ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            balances.Add(reader.GetInt32(0), reader.GetInt32(1));
        return balances;
    }

    /// <summary>The committed orders, in id order, as another session sees them.</summary>
    public async Task<List<(int AccountId, int Amount, string Status)>> OrdersAsync()
    {
        var orders = new List<(int, int, string)>();
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT account_id, amount, status FROM orders ORDER BY id", connection);
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            orders.Add((reader.GetInt32(0), reader.GetInt32(1), reader.GetString(2)));
        return orders;
    }

    /// <summary>The committed rows of a Showcase table, as another session sees them.</summary>
    public async Task<long> CountAsync(string table)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT count(*) FROM " + table switch
        {
            "accounts" => "accounts",
            "orders" => "orders",
            "payment_audit" => "payment_audit",
            _ => throw new ArgumentOutOfRangeException(nameof(table), table, "not a Showcase table"),
        }, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>pg_stat_activity.state of the backend with this pid, read from another session.</summary>
    public async Task<string?> SessionStateAsync(int pid)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var command = new NpgsqlCommand("SELECT state FROM pg_stat_activity WHERE pid = $1", connection);
        command.Parameters.AddWithValue(pid);
        return (string?)await command.ExecuteScalarAsync();
    }

    /// <summary>
    /// Tries to lock the account's row from another session without waiting. Returns null when the
    /// lock was free, or the SQLSTATE of the failure (55P03, lock_not_available, when someone holds it).
    /// </summary>
    public async Task<string?> TryLockAccountAsync(int accountId)
    {
        await using var connection = await DataSource.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var command = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = $1 FOR UPDATE NOWAIT", connection, transaction);
        command.Parameters.AddWithValue(accountId);
        try
        {
            await command.ExecuteScalarAsync();
            return null;
        }
        catch (PostgresException e)
        {
            return e.SqlState;
        }
    }

    /// <summary>
    /// Waits until some session of this database (other than <paramref name="exceptPid"/>) is blocked
    /// on a lock while running a statement that starts with <paramref name="queryPrefix"/>.
    /// </summary>
    public async Task<int> WaitForLockWaiterAsync(string queryPrefix, int exceptPid, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        await using var connection = await DataSource.OpenConnectionAsync();
        while (true)
        {
            await using (var command = new NpgsqlCommand("""
                SELECT pid FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> $1 AND pid <> pg_backend_pid()
                  AND wait_event_type = 'Lock' AND starts_with(query, $2)
                LIMIT 1
                """, connection))
            {
                command.Parameters.AddWithValue(exceptPid);
                command.Parameters.AddWithValue(queryPrefix);
                if (await command.ExecuteScalarAsync() is int pid)
                    return pid;
            }

            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"No session started waiting on a lock for '{queryPrefix}' within {timeout}.");
            await Task.Delay(20);
        }
    }
}
