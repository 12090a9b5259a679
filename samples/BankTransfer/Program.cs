using System;
using System.Threading;
using Npgsql;
using PgBorrow;
using PgBorrow.Samples.BankTransfer;

// Bank transfer: SERIALIZABLE transfers with retries. See Bank for how a transfer works and
// docs/guide/scenarios.md for the invariant and the PostgreSQL mechanism.

const string schema = "pgborrow_bank";
const string createSchemaSql = $"CREATE SCHEMA IF NOT EXISTS {schema}"; // a constant: the schema name is SQL text, not a parameter
var connectionString = Environment.GetEnvironmentVariable("PG_CONNECTION_STRING");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.WriteLine($"""
        PgBorrow sample: bank transfer (SERIALIZABLE transfers with retries; the total never changes, each transfer applied once).

        Set PG_CONNECTION_STRING to an Npgsql connection string to run it, e.g.
            PG_CONNECTION_STRING="Host=127.0.0.1;Port=5432;Username=postgres;Password=...;Database=postgres" \
                dotnet run --project samples/BankTransfer
        or let the repository start a throwaway server for you:
            bash ci/with-postgres.sh dotnet run --project samples/BankTransfer

        The program creates (and empties) the tables accounts and transfers in the schema "{schema}".
        """);
    return 0;
}

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var cancellationToken = timeout.Token;

await using (var setup = NpgsqlDataSource.Create(connectionString))
{
    await setup.ExecuteAsync(createSchemaSql, cancellationToken);
}

var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = schema, MaxPoolSize = 64 };
await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
await BankDatabase.CreateTablesAsync(dataSource, cancellationToken);

var result = await BankSimulation.RunAsync(
    dataSource, accounts: 500, initialBalance: 1_000, workers: 48, transfersPerWorker: 20, maxAttempts: 10, seed: 2026, cancellationToken);
return BankSimulation.Report(result, Console.Out) ? 0 : 1;
