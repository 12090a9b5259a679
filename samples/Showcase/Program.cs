using System;
using System.Threading;
using Npgsql;
using PgBorrow.Samples.Showcase;

// PgBorrow showcase. Wrong/ holds one canonical bug per rule, PGB001 to PGB011, PGB101 to PGB111,
// PGB201 and PGB202, in a file named after the rule (Pgb001_TransactionMayBeLeftOpen.cs), which the
// analyzers flag at build time; Right/ holds the fixed code under the same name, which this program
// runs against PostgreSQL.

var connectionString = Environment.GetEnvironmentVariable("PG_CONNECTION_STRING");
if (string.IsNullOrWhiteSpace(connectionString))
{
    Console.WriteLine("""
        PgBorrow showcase: the bugs PGB001-PGB011, PGB101-PGB111, PGB201 and PGB202 (Wrong/) and their fixes (Right/).

        Set PG_CONNECTION_STRING to an Npgsql connection string to run the fixed scenarios, e.g.
            PG_CONNECTION_STRING="Host=127.0.0.1;Port=5432;Username=postgres;Password=...;Database=postgres" \
                dotnet run --project samples/Showcase
        or let the repository start a throwaway server for you:
            bash ci/with-postgres.sh dotnet run --project samples/Showcase

        The program creates (and empties) the tables accounts, orders and payment_audit in the schema
        "pgborrow_showcase" of that database. Build the project to see the analyzers' warnings on Wrong/.
        """);
    return 0;
}

using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
var cancellationToken = timeout.Token;

// Create the dedicated schema first, then work inside it through search_path.
await using (var setup = NpgsqlDataSource.Create(connectionString))
{
    await ShowcaseDatabase.CreateSchemaAsync(setup, cancellationToken);
}

var builder = new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = ShowcaseDatabase.SchemaName };
await using var dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
await ShowcaseDatabase.CreateTablesAsync(dataSource, cancellationToken);
Console.WriteLine($"Created tables accounts, orders and payment_audit in schema {ShowcaseDatabase.SchemaName} on {builder.Host}:{builder.Port}/{builder.Database}.");

await ShowcaseRunner.RunRightScenariosAsync(dataSource, Console.Out, cancellationToken);
Console.WriteLine("All Right/ scenarios ran.");
return 0;
