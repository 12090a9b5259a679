using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase;

/// <summary>One line of an order import: which account buys, and for how much.</summary>
public sealed record OrderLine(int AccountId, int Amount);

/// <summary>Thrown when a debit would take an account below zero.</summary>
public sealed class InsufficientFundsException : Exception
{
    public InsufficientFundsException(int accountId, int balance, int amount)
        : base($"Account {accountId} has a balance of {balance}, which does not cover {amount}.")
    {
        AccountId = accountId;
        Balance = balance;
        Amount = amount;
    }

    public int AccountId { get; }

    public int Balance { get; }

    public int Amount { get; }
}

/// <summary>The showcase schema and its seed data.</summary>
/// <remarks>
/// <code>
/// accounts(id int primary key, owner text not null, balance int not null)
/// orders(id int identity primary key, account_id int not null references accounts, amount int not null,
///        status text not null default 'pending')
/// payment_audit(id int identity primary key, order_id int not null, reference text not null,
///               order_status text, recorded_at timestamptz not null default now())
/// </code>
/// Seed: account 1 (Ada Lovelace) has 100, account 2 (Conor O'Brien) has 50, account 3 (Grace Hopper)
/// has 0; no orders.
/// </remarks>
public static class ShowcaseDatabase
{
    /// <summary>The schema <c>Program</c> uses, so running the showcase never touches other tables.</summary>
    public const string SchemaName = "pgborrow_showcase";

    public const string CreateTablesSql = """
        DROP TABLE IF EXISTS payment_audit;
        DROP TABLE IF EXISTS orders;
        DROP TABLE IF EXISTS accounts;
        CREATE TABLE accounts (
            id      int PRIMARY KEY,
            owner   text NOT NULL,
            balance int NOT NULL
        );
        CREATE TABLE orders (
            id         int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            account_id int NOT NULL REFERENCES accounts (id),
            amount     int NOT NULL,
            status     text NOT NULL DEFAULT 'pending'
        );
        CREATE TABLE payment_audit (
            id           int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            order_id     int NOT NULL,
            reference    text NOT NULL,
            order_status text,
            recorded_at  timestamptz NOT NULL DEFAULT now()
        );
        """;

    public const string SeedSql = """
        TRUNCATE payment_audit, orders, accounts RESTART IDENTITY;
        INSERT INTO accounts (id, owner, balance) VALUES
            (1, 'Ada Lovelace', 100), (2, 'Conor O''Brien', 50), (3, 'Grace Hopper', 0);
        """;

    /// <summary>(Re)creates the tables in the first schema of the connection's search_path.</summary>
    public static async Task CreateTablesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(CreateTablesSql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Empties both tables and inserts the three seed accounts.</summary>
    public static async Task SeedAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand(SeedSql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Creates <see cref="SchemaName"/> if needed; the caller then connects with it as search_path.</summary>
    public static async Task CreateSchemaAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand($"CREATE SCHEMA IF NOT EXISTS {SchemaName}", connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static async Task<int> GetBalanceAsync(NpgsqlDataSource dataSource, int accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT balance FROM accounts WHERE id = $1", connection);
        command.Parameters.AddWithValue(accountId);
        return (int)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public static async Task<string> GetOwnerAsync(NpgsqlDataSource dataSource, int accountId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("SELECT owner FROM accounts WHERE id = $1", connection);
        command.Parameters.AddWithValue(accountId);
        return (string)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
