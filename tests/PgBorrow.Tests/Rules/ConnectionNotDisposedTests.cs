using System.Threading.Tasks;
using Xunit;
using VerifyPgb006 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.ConnectionNotDisposedAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class ConnectionNotDisposedTests
{
    [Fact]
    public Task Connection_created_and_never_disposed_is_reported()
        => VerifyPgb006.AnalyzerAsync("""
            class Orders
            {
                int Count(string connectionString)
                {
                    var {|PGB006:conn|} = new NpgsqlConnection(connectionString);
                    conn.Open();
                    using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    return (int)(long)cmd.ExecuteScalar()!;
                }

                async Task<long> CountAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var {|PGB006:conn|} = await dataSource.OpenConnectionAsync(ct);
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    return (long)(await cmd.ExecuteScalarAsync(ct))!;
                }
            }
            """);

    [Fact]
    public Task Using_close_return_and_field_store_are_fine()
        => VerifyPgb006.AnalyzerAsync("""
            class Repository
            {
                NpgsqlConnection? _connection;

                async Task UsingAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    using (var second = dataSource.CreateConnection()) { }
                }

                void Close(string connectionString)
                {
                    var conn = new NpgsqlConnection(connectionString);
                    conn.Open();
                    conn.Close();
                }

                NpgsqlConnection Open(NpgsqlDataSource dataSource) => Return(dataSource);

                NpgsqlConnection Return(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    return conn;
                }

                void Keep(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    _connection = conn;
                }
            }
            """);

    [Fact]
    public Task Exception_paths_are_reported_only_when_configured()
    {
        const string Source = """
            class Orders
            {
                void Insert(string connectionString)
                {
                    var {|#0:conn|} = new NpgsqlConnection(connectionString);
                    conn.Open();
                    conn.Dispose();
                }
            }
            """;
        return Task.WhenAll(
            VerifyPgb006.AnalyzerAsync(Source.Replace("{|#0:conn|}", "conn")),
            VerifyPgb006.AnalyzerAsync(Source, "dotnet_code_quality.PGB006.exception_paths = true",
                new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB006", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
                    .WithLocation(0).WithArguments("conn", "disposed when 'Open' throws on line 14", "declare it with 'using', or dispose it on every path")));
    }

    [Fact]
    public Task Connection_passed_to_an_owning_constructor_is_moved()
        => VerifyPgb006.AnalyzerAsync("""
            sealed class UnitOfWork : IDisposable
            {
                readonly NpgsqlConnection _connection;

                public UnitOfWork(NpgsqlConnection connection) => _connection = connection;

                public void Dispose() => _connection.Dispose();
            }

            class Factory
            {
                UnitOfWork Create(NpgsqlDataSource dataSource) => new UnitOfWork(dataSource.OpenConnection());

                UnitOfWork CreateWithLocal(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    return new UnitOfWork(conn);
                }
            }
            """);

    [Fact]
    public Task Loops_local_functions_and_lambdas()
        => VerifyPgb006.AnalyzerAsync("""
            class Orders
            {
                void Loop(NpgsqlDataSource dataSource, int[] ids)
                {
                    foreach (var id in ids)
                    {
                        var {|PGB006:conn|} = dataSource.OpenConnection();
                        if (id == 0)
                            break;
                        conn.Dispose();
                    }
                }

                void LocalFunction(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    Close();

                    void Close() => conn.Dispose();
                }

                Func<Task> Lambda(NpgsqlDataSource dataSource)
                    => async () =>
                    {
                        var {|PGB006:conn|} = await dataSource.OpenConnectionAsync();
                        await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                        await cmd.ExecuteNonQueryAsync();
                    };
            }
            """);

    [Fact]
    public Task Half_written_method_still_gets_its_diagnostic()
        => VerifyPgb006.AnalyzerAsync("""
            class Orders
            {
                void Insert(string connectionString)
                {
                    var {|PGB006:conn|} = new NpgsqlConnection(connectionString);
                    conn.Open();
                    conn.{|CS1001:|}{|CS1002:|}
                }
            }
            """);

    // efcore.pg 01c91036: CreateTables opened the context's connection to reload types and closed it only
    // in 'catch'; when nothing threw the connection stayed open.
    [Fact]
    public Task Borrowed_connection_opened_here_and_closed_only_in_catch_is_reported()
        => VerifyPgb006.AnalyzerAsync("""
            class Creator
            {
                void ReloadTypes(System.Data.Common.DbConnection dbConnection, bool reload)
                {
                    if (reload && dbConnection is NpgsqlConnection {|#0:npgsqlConnection|})
                    {
                        npgsqlConnection.Open();
                        try
                        {
                            npgsqlConnection.ReloadTypes();
                        }
                        catch
                        {
                            npgsqlConnection.Close();
                        }
                    }
                }

                async Task ReloadTypesAsync(NpgsqlConnection {|#1:connection|}, CancellationToken ct)
                {
                    await connection.OpenAsync(ct);
                    try
                    {
                        await connection.ReloadTypesAsync(ct);
                    }
                    catch
                    {
                        await connection.CloseAsync();
                        throw;
                    }
                }
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB006", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0).WithArguments("npgsqlConnection",
                "closed when the method returns on line 25, though this method opened it and closes it on other paths", "close it in a 'finally'"),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB006", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(1).WithArguments("connection",
                "closed when the method returns on line 39, though this method opened it and closes it on other paths", "close it in a 'finally'"));

    [Fact]
    public Task Borrowed_connection_opened_and_closed_in_finally_or_left_open_on_purpose_is_fine()
        => VerifyPgb006.AnalyzerAsync("""
            class Creator
            {
                // Closed on every path.
                async Task ReloadAsync(NpgsqlConnection connection, CancellationToken ct)
                {
                    await connection.OpenAsync(ct);
                    try
                    {
                        await connection.ReloadTypesAsync(ct);
                    }
                    finally
                    {
                        await connection.CloseAsync();
                    }
                }

                // Opened if it was closed, closed after use: the Close has no condition of its own.
                int Count(NpgsqlConnection connection)
                {
                    if (connection.State != System.Data.ConnectionState.Open)
                        connection.Open();
                    try
                    {
                        using var cmd = new NpgsqlCommand("SELECT 1", connection);
                        return (int)cmd.ExecuteScalar()!;
                    }
                    finally
                    {
                        connection.Close();
                    }
                }

                // Opened if it was closed and closed again under the same flag: a correlation the
                // analysis does not follow, so it says nothing.
                int CountKeepingState(NpgsqlConnection connection)
                {
                    var wasClosed = connection.State == System.Data.ConnectionState.Closed;
                    if (wasClosed)
                        connection.Open();
                    using var cmd = new NpgsqlCommand("SELECT 1", connection);
                    var count = (int)cmd.ExecuteScalar()!;
                    if (wasClosed)
                        connection.Close();
                    return count;
                }

                // Serenity SqlHelper: after clearing the pools, close and open again (a reconnect, not a leak).
                static bool Reconnect(System.Data.IDbConnection connection)
                {
                    connection.Close();
                    connection.Open();
                    return true;
                }

                // An ensure-open helper: it never closes, its contract is to return the connection open.
                static async Task EnsureOpenAsync(NpgsqlConnection connection, CancellationToken ct)
                {
                    if (connection.State == System.Data.ConnectionState.Closed)
                        await connection.OpenAsync(ct);
                }
            }
            """);

    // Identity.Dapper aa05ac53: IConnectionProvider.Create() is implemented in other projects (one per database);
    // the name is the only promise left, and Create promises a new connection.
    [Fact]
    public Task Connection_from_a_factory_implemented_elsewhere_is_owned_when_its_name_says_it_creates()
        => VerifyPgb006.AnalyzerAsync("""
            public interface IConnectionProvider
            {
                System.Data.Common.DbConnection Create();
                System.Data.Common.DbConnection GetConnection();
                System.Data.Common.DbConnection CreateOrGetConnection();
            }

            class Store
            {
                readonly IConnectionProvider _provider;

                public Store(IConnectionProvider provider) => _provider = provider;

                async Task CreatedAsync(CancellationToken ct)
                {
                    var {|PGB006:connection|} = _provider.Create();
                    await connection.OpenAsync(ct);
                }

                async Task DisposedAsync(CancellationToken ct)
                {
                    await using var connection = _provider.Create();
                    await connection.OpenAsync(ct);
                }

                async Task SharedAsync(CancellationToken ct)
                {
                    var connection = _provider.GetConnection();
                    await connection.OpenAsync(ct);
                    var other = _provider.CreateOrGetConnection();
                    await other.OpenAsync(ct);
                }
            }
            """);

    // A delegate is not a factory we can read, whatever its name: FreeSql's connectionFactory may be `() => conn`
    // (its pool tests whether two calls return the same connection). Only the caller that made it knows.
    [Fact]
    public Task Connection_from_a_delegate_is_not_owned()
        => VerifyPgb006.AnalyzerAsync("""
            sealed class Pool
            {
                readonly Func<System.Data.Common.DbConnection> _connectionFactory;

                public Pool(Func<System.Data.Common.DbConnection> connectionFactory) => _connectionFactory = connectionFactory;

                public bool IsSingleton()
                {
                    var first = _connectionFactory();
                    var second = _connectionFactory();
                    return first == second;
                }

                public async Task<System.Data.Common.DbConnection> OpenConnection(Func<System.Data.Common.DbConnection> connectionBuilder)
                {
                    var connection = connectionBuilder();
                    await connection.OpenAsync().ConfigureAwait(false);
                    return connection;
                }
            }
            """, "dotnet_code_quality.PGB006.exception_paths = true");
}
