using System;
using System.Threading;
using Npgsql;
using PgBorrow;
using PgBorrow.Samples.FlashSale;

// Flash sale: many buyers, limited stock. See FlashSaleStore for how a purchase works and
// docs/guide/scenarios.md for the invariant and the PostgreSQL mechanism.

const string schema = "pgborrow_flashsale";
const string createSchemaSql = $"CREATE SCHEMA IF NOT EXISTS {schema}"; // a constant: the schema name is SQL text, not a parameter
var connectionString = Environment.GetEnvironmentVariable("PG_CONNECTION_STRING");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.WriteLine($"""
        PgBorrow sample: flash sale (many buyers, limited stock; stock never below zero, nobody charged twice).

        Set PG_CONNECTION_STRING to an Npgsql connection string to run it, e.g.
            PG_CONNECTION_STRING="Host=127.0.0.1;Port=5432;Username=postgres;Password=...;Database=postgres" \
                dotnet run --project samples/FlashSale
        or let the repository start a throwaway server for you:
            bash ci/with-postgres.sh dotnet run --project samples/FlashSale

        The program creates (and empties) the tables products and sales in the schema "{schema}".
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
await FlashSaleDatabase.CreateTablesAsync(dataSource, cancellationToken);

var result = await FlashSaleSimulation.RunAsync(dataSource, buyers: 500, doubleClickers: 100, stock: 100, cancellationToken);
return FlashSaleSimulation.Report(result, Console.Out) ? 0 : 1;
