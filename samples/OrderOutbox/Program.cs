using System;
using System.Threading;
using Npgsql;
using PgBorrow;
using PgBorrow.Samples.OrderOutbox;

// Order outbox: transactional outbox plus LISTEN/NOTIFY. See OrderService and OutboxPublisher for how it works and
// docs/guide/scenarios.md for the invariant and the PostgreSQL mechanism.

const string schema = "pgborrow_outbox";
const string createSchemaSql = $"CREATE SCHEMA IF NOT EXISTS {schema}"; // a constant: the schema name is SQL text, not a parameter
var connectionString = Environment.GetEnvironmentVariable("PG_CONNECTION_STRING");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.WriteLine($"""
        PgBorrow sample: order outbox (an order and its event commit together; a LISTEN/NOTIFY publisher delivers each event once, in order).

        Set PG_CONNECTION_STRING to an Npgsql connection string to run it, e.g.
            PG_CONNECTION_STRING="Host=127.0.0.1;Port=5432;Username=postgres;Password=...;Database=postgres" \
                dotnet run --project samples/OrderOutbox
        or let the repository start a throwaway server for you:
            bash ci/with-postgres.sh dotnet run --project samples/OrderOutbox

        The program creates (and empties) the tables orders and outbox in the schema "{schema}".
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
await OrderDatabase.CreateTablesAsync(dataSource, cancellationToken);

var sink = new InMemoryOutboxSink();
var result = await OutboxSimulation.RunAsync(dataSource, sink, workers: 32, ordersPerWorker: 25, abandonEvery: 5, publishers: 2, cancellationToken);
return OutboxSimulation.Report(result, Console.Out) ? 0 : 1;
