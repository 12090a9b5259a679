using System;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PgBorrow.IntegrationTests;

/// <summary>
/// The base of a test class that works in its own database (<see cref="PgDatabaseFixture"/>): a
/// token that cancels a test stuck past its time limit, and a per-test set-up that runs only when a
/// server is configured (without one, every [PgFact] is skipped).
/// </summary>
public abstract class PgDatabaseTests : IClassFixture<PgDatabaseFixture>, IAsyncLifetime
{
    private readonly CancellationTokenSource _timeout;

    protected PgDatabaseTests(PgDatabaseFixture db, int timeoutSeconds = 60)
    {
        Db = db;
        _timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
    }

    /// <summary>This class's database.</summary>
    protected PgDatabaseFixture Db { get; }

    /// <summary>Cancelled when the test runs past its time limit.</summary>
    protected CancellationToken Ct => _timeout.Token;

    /// <summary>Runs before each test, when a server is configured: create or empty the tables the class uses.</summary>
    protected virtual Task SetUpAsync() => Task.CompletedTask;

    Task IAsyncLifetime.InitializeAsync() => PgFactAttribute.ServerConnectionString is null ? Task.CompletedTask : SetUpAsync();

    Task IAsyncLifetime.DisposeAsync()
    {
        _timeout.Dispose();
        return Task.CompletedTask;
    }
}
