using System;
using System.Threading;
using Npgsql;
using PgBorrow;
using PgBorrow.Samples.Reconciliation;

// Reconciliation: parallel readers under one exported snapshot. See Reconciler for how it works and
// docs/guide/scenarios.md for the invariant and the PostgreSQL mechanism.

const string schema = "pgborrow_reconciliation";
const string createSchemaSql = $"CREATE SCHEMA IF NOT EXISTS {schema}"; // a constant: the schema name is SQL text, not a parameter
var connectionString = Environment.GetEnvironmentVariable("PG_CONNECTION_STRING");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.WriteLine($"""
        PgBorrow sample: reconciliation (parallel readers under one exported snapshot; partial sums always add up).

        Set PG_CONNECTION_STRING to an Npgsql connection string to run it, e.g.
            PG_CONNECTION_STRING="Host=127.0.0.1;Port=5432;Username=postgres;Password=...;Database=postgres" \
                dotnet run --project samples/Reconciliation
        or let the repository start a throwaway server for you:
            bash ci/with-postgres.sh dotnet run --project samples/Reconciliation

        The program creates (and empties) the table accounts in the schema "{schema}".
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
await Ledger.CreateTablesAsync(dataSource, cancellationToken);

var result = await ReconciliationSimulation.RunAsync(dataSource, accounts: 10_000, balance: 100, writers: 16, readers: 8, rounds: 10, cancellationToken);
return ReconciliationSimulation.Report(result, Console.Out) ? 0 : 1;
