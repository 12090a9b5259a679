using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.BankTransfer;

/// <summary>An account: what it started with, what it has now.</summary>
[PgRow]
public partial record Account(int Id, long InitialBalance, long Balance);

/// <summary>A transfer as recorded: its id is the caller's idempotency key.</summary>
[PgRow]
public partial record TransferRecord(Guid Id, int FromAccount, int ToAccount, long Amount, string Status, string? Detail);

/// <summary>The bank schema, created in the first schema of the connection's search_path.</summary>
/// <remarks>
/// <code>
/// accounts(id int primary key, initial_balance bigint, balance bigint CHECK (balance >= 0))
/// transfers(id uuid primary key, from_account int, to_account int, amount bigint CHECK (amount > 0),
///           status text CHECK (status IN ('applied', 'rejected', 'failed')), detail text)
/// </code>
/// The primary key of transfers makes every transfer id final once: it is applied, rejected (no
/// funds, unknown account) or reported failed (retries exhausted), exactly once.
/// </remarks>
public static class BankDatabase
{
    public const string CreateTablesSql = """
        DROP TABLE IF EXISTS transfers;
        DROP TABLE IF EXISTS accounts;
        CREATE TABLE accounts (
            id              int PRIMARY KEY,
            initial_balance bigint NOT NULL,
            balance         bigint NOT NULL CHECK (balance >= 0)
        );
        CREATE TABLE transfers (
            id           uuid PRIMARY KEY,
            from_account int NOT NULL,
            to_account   int NOT NULL,
            amount       bigint NOT NULL CHECK (amount > 0),
            status       text NOT NULL CHECK (status IN ('applied', 'rejected', 'failed')),
            detail       text,
            recorded_at  timestamptz NOT NULL DEFAULT clock_timestamp()
        );
        """;

    /// <summary>(Re)creates the tables, empty.</summary>
    public static async Task CreateTablesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(CreateTablesSql, cancellationToken);
    }

    /// <summary>Empties both tables and opens accounts 1..<paramref name="accounts"/> with the same balance.</summary>
    public static async Task ResetAsync(NpgsqlDataSource dataSource, int accounts, long balance, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("TRUNCATE transfers, accounts", cancellationToken);
        await connection.ExecuteAsync(
            $"INSERT INTO accounts (id, initial_balance, balance) SELECT g, {balance}, {balance} FROM generate_series(1, {accounts}) AS g",
            cancellationToken);
    }
}
