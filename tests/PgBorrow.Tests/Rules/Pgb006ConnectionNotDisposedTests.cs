using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb006 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.ConnectionNotDisposedAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// PGB006 (connection not disposed) on reported and clean code across the control-flow and ownership shapes it
/// must follow. Expectations follow docs/rules/PGB006.md and docs/ownership-model.md.
/// </summary>
public partial class Pgb006ConnectionNotDisposedTests
{
    const string ExceptionPaths = "dotnet_code_quality.PGB006.exception_paths = true";

    /// <summary>The message's last part for a pooled connection.</summary>
    const string NeverReturnedToThePool = "it is never returned to the pool";

    static DiagnosticResult Pgb006(int location, string name, string when, string usingForm = "'using'")
        => new DiagnosticResult("PGB006", DiagnosticSeverity.Warning).WithLocation(location)
            .WithArguments(name, "disposed " + when, NeverReturnedToThePool, $"declare it with {usingForm}, or dispose it on every path");

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
                    {|#1:conn.Open();|}
                    conn.Dispose();
                }
            }
            """;
        return Task.WhenAll(
            VerifyPgb006.AnalyzerAsync(Source.Replace("{|#0:conn|}", "conn")),
            VerifyPgb006.AnalyzerAsync(Source, "dotnet_code_quality.PGB006.exception_paths = true",
                new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB006", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning)
                    .WithLocation(0).WithArguments("conn", $"disposed when 'Open' throws on line {LineOf(1)}", NeverReturnedToThePool, "declare it with 'using', or dispose it on every path")));
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
                {|#2:}|}

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
                {|#3:}|}
            }
            """,
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB006", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(0).WithArguments("npgsqlConnection",
                $"closed when the method returns on line {LineOf(2)}, though this method opened it and closes it on other paths", NeverReturnedToThePool, "close it in a 'finally'"),
            new Microsoft.CodeAnalysis.Testing.DiagnosticResult("PGB006", Microsoft.CodeAnalysis.DiagnosticSeverity.Warning).WithLocation(1).WithArguments("connection",
                $"closed when the method returns on line {LineOf(3)}, though this method opened it and closes it on other paths", NeverReturnedToThePool, "close it in a 'finally'"));

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

    [Fact]
    public Task Early_return_is_named_as_the_exit_that_leaks_the_connection()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                async Task<string?> NameAsync(NpgsqlDataSource dataSource, long id, CancellationToken ct)
                {
                    var {|#0:conn|} = await dataSource.OpenConnectionAsync(ct);
                    await using var cmd = new NpgsqlCommand("SELECT name FROM customers WHERE id = $1", conn);
                    cmd.Parameters.AddWithValue(id);
                    var name = await cmd.ExecuteScalarAsync(ct) as string;
                    if (name is null)
                        {|#1:return null;|}
                    await conn.DisposeAsync();
                    return name;
                }
            }
            """,
            Pgb006(0, "conn", $"when the method returns on line {LineOf(1)}", "'await using'"));

    [Fact]
    public Task Every_way_of_creating_or_opening_a_connection_is_owned()
        => VerifyPgb006.AnalyzerAsync("""
            class Connections
            {
                async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var conn = dataSource.CreateConnection();
                    await conn.OpenAsync(ct);
                    return conn;
                }

                async Task Run(NpgsqlDataSource dataSource, string connectionString, CancellationToken ct)
                {
                    var {|PGB006:created|} = dataSource.CreateConnection();
                    var {|PGB006:constructed|} = new NpgsqlConnection(connectionString);
                    var {|PGB006:opened|} = dataSource.OpenConnection();
                    var {|PGB006:clone|} = opened.CloneWith(connectionString);
                    DbConnection {|PGB006:declaredAsBase|} = dataSource.CreateConnection();
                    var {|PGB006:fromFactory|} = await OpenAsync(dataSource, ct);
                    var {|PGB006:configured|} = await OpenAsync(dataSource, ct).ConfigureAwait(false);
                }
            }

            static class Program
            {
                static async Task Main()
                {
                    var {|PGB006:conn|} = new NpgsqlConnection("Host=localhost");
                    await conn.OpenAsync();
                }
            }
            """);

    [Fact]
    public Task Using_and_await_using_declarations_and_statements_dispose_on_every_exit()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                bool UsingDeclaration(NpgsqlDataSource dataSource, bool ok)
                {
                    using var conn = dataSource.OpenConnection();
                    if (!ok)
                        return false;
                    return true;
                }

                bool UsingStatementOnExistingLocal(string connectionString, bool ok)
                {
                    var conn = new NpgsqlConnection(connectionString);
                    using (conn)
                    {
                        conn.Open();
                        if (!ok)
                            return false;
                    }
                    return true;
                }

                async Task<bool> AwaitUsingDeclaration(NpgsqlDataSource dataSource, bool ok, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    if (!ok)
                        return false;
                    return true;
                }

                async Task<bool> AwaitUsingStatement(NpgsqlDataSource dataSource, bool ok, CancellationToken ct)
                {
                    await using (var conn = await dataSource.OpenConnectionAsync(ct))
                    {
                        if (!ok)
                            return false;
                    }
                    return true;
                }
            }
            """);

    [Fact]
    public Task Bare_return_is_named_as_the_exit_that_leaks_the_connection()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                void Touch(NpgsqlDataSource dataSource, bool quick)
                {
                    var {|#0:conn|} = dataSource.OpenConnection();
                    if (quick)
                        {|#1:return;|}
                    conn.Dispose();
                }
            }
            """,
            Pgb006(0, "conn", $"when the method returns on line {LineOf(1)}"));

    [Fact]
    public Task Dispose_in_one_branch_and_close_in_the_other_is_fine_and_reopening_after_close_is_reported()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                async Task Branches(NpgsqlDataSource dataSource, bool ok)
                {
                    var conn = await dataSource.OpenConnectionAsync();
                    if (ok)
                        await conn.DisposeAsync();
                    else
                        await conn.CloseAsync();
                }

                void OneBranch(NpgsqlDataSource dataSource, bool ok)
                {
                    var {|PGB006:conn|} = dataSource.OpenConnection();
                    if (ok)
                        conn.Dispose();
                }

                void Reopened(NpgsqlDataSource dataSource)
                {
                    var {|PGB006:conn|} = dataSource.OpenConnection();
                    conn.Close();
                    conn.Open();
                }
            }
            """);

    [Fact]
    public Task Switch_section_that_returns_without_disposing_is_reported()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                string Kind(NpgsqlDataSource dataSource, int kind)
                {
                    var {|#0:conn|} = dataSource.OpenConnection();
                    switch (kind)
                    {
                        case 0:
                            conn.Dispose();
                            return "none";
                        case 1:
                            {|#1:return "one";|}
                        default:
                            conn.Close();
                            return "many";
                    }
                }
            }
            """,
            Pgb006(0, "conn", $"when the method returns on line {LineOf(1)}"));

    [Fact]
    public Task Loops_with_continue_and_return_from_inside_are_followed()
        => VerifyPgb006.AnalyzerAsync("""
            class Jobs
            {
                void WhileContinue(NpgsqlDataSource dataSource, Queue<int> queue)
                {
                    while (queue.Count > 0)
                    {
                        var {|PGB006:conn|} = dataSource.OpenConnection();
                        if (queue.Dequeue() == 0)
                            continue;
                        conn.Dispose();
                    }
                }

                void ForEveryIteration(NpgsqlDataSource dataSource, int[] ids)
                {
                    for (var i = 0; i < ids.Length; i++)
                    {
                        using var conn = dataSource.OpenConnection();
                        if (ids[i] < 0)
                            break;
                    }
                }

                void CatchThatContinues(NpgsqlDataSource dataSource, int[] ids)
                {
                    foreach (var id in ids)
                    {
                        var {|PGB006:conn|} = dataSource.OpenConnection();
                        try
                        {
                            Console.WriteLine(id);
                        }
                        catch (NpgsqlException)
                        {
                            continue;
                        }
                        conn.Dispose();
                    }
                }

                int ReturnFromInsideLoop(NpgsqlDataSource dataSource, int[] ids)
                {
                    var {|PGB006:conn|} = dataSource.OpenConnection();
                    foreach (var id in ids)
                    {
                        if (id < 0)
                            return id;
                    }
                    conn.Dispose();
                    return 0;
                }
            }
            """);

    [Fact]
    public Task While_true_loop_is_left_only_through_its_return()
        => VerifyPgb006.AnalyzerAsync("""
            class Jobs
            {
                async Task<int> WaitForJobAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var conn = await dataSource.OpenConnectionAsync(ct);
                    while (true)
                    {
                        await using var cmd = new NpgsqlCommand("SELECT id FROM jobs LIMIT 1", conn);
                        if (await cmd.ExecuteScalarAsync(ct) is int id)
                        {
                            await conn.DisposeAsync();
                            return id;
                        }
                        await Task.Delay(1000, ct);
                    }
                }
            }
            """);

    [Fact]
    public Task Await_using_of_the_configured_connection_disposes_it()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                async Task<long> CountAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var conn = await dataSource.OpenConnectionAsync(ct).ConfigureAwait(false);
                    await using var _ = conn.ConfigureAwait(false);
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    return (long)(await cmd.ExecuteScalarAsync(ct).ConfigureAwait(false))!;
                }
            }
            """);

    [Fact]
    public Task Method_that_may_return_a_shared_connection_is_not_a_factory()
        => VerifyPgb006.AnalyzerAsync("""
            class Connections
            {
                NpgsqlConnection? _shared;

                NpgsqlConnection Get(NpgsqlDataSource dataSource)
                {
                    if (_shared is not null)
                        return _shared;
                    var conn = dataSource.OpenConnection();
                    return conn;
                }

                void Use(NpgsqlDataSource dataSource)
                {
                    var conn = Get(dataSource);
                    Console.WriteLine(conn.State);
                }
            }
            """);

    [Fact]
    public Task Local_function_that_only_uses_the_connection_borrows_it()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                void Borrowing(NpgsqlDataSource dataSource)
                {
                    var {|PGB006:conn|} = dataSource.OpenConnection();
                    Touch();

                    void Touch()
                    {
                        using var cmd = new NpgsqlCommand("SELECT 1", conn);
                        cmd.ExecuteNonQuery();
                    }
                }

                void DisposingOnEveryPath(NpgsqlDataSource dataSource, bool ok)
                {
                    var conn = dataSource.OpenConnection();
                    if (ok)
                        Release();
                    else
                        conn.Close();

                    void Release() => conn.Dispose();
                }
            }
            """);

    [Fact]
    public Task Lambdas_that_dispose_or_escape_take_the_connection_and_those_that_only_use_it_borrow()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                Func<Task>? _cleanup;

                async Task Disposes(NpgsqlDataSource dataSource, Func<Func<Task>, Task> retry)
                {
                    var conn = await dataSource.OpenConnectionAsync();
                    await retry(async () => await conn.DisposeAsync());
                }

                async Task OnlyUses(NpgsqlDataSource dataSource)
                {
                    var {|PGB006:conn|} = await dataSource.OpenConnectionAsync();
                    await Task.Run(async () =>
                    {
                        await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                        await cmd.ExecuteNonQueryAsync();
                    });
                }

                void Escapes(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    _cleanup = () => conn.CloseAsync();
                }

                Func<NpgsqlConnection> Returned(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.CreateConnection();
                    return () => conn;
                }
            }
            """);

    [Fact]
    public Task Return_yield_return_field_array_tuple_out_and_ref_move_the_connection()
        => VerifyPgb006.AnalyzerAsync("""
            class Session
            {
                public NpgsqlConnection? Connection { get; set; }
            }

            class Connections
            {
                NpgsqlConnection? _conn;
                NpgsqlConnection[] _pool = new NpgsqlConnection[4];
                (NpgsqlConnection Conn, string Tenant) _tenant;

                IEnumerable<NpgsqlConnection> PerShard(NpgsqlDataSource[] shards)
                {
                    foreach (var shard in shards)
                    {
                        var conn = shard.OpenConnection();
                        yield return conn;
                    }
                }

                void Field(NpgsqlDataSource dataSource) { var conn = dataSource.OpenConnection(); _conn = conn; }
                Session Initializer(NpgsqlDataSource dataSource) { var conn = dataSource.OpenConnection(); return new Session { Connection = conn }; }
                void Array(NpgsqlDataSource dataSource) { var conn = dataSource.OpenConnection(); _pool[0] = conn; }
                void Tuple(NpgsqlDataSource dataSource) { var conn = dataSource.OpenConnection(); _tenant = (conn, "a"); }

                static void Inspect(ref NpgsqlConnection conn) => Console.WriteLine(conn.State);
                static void Give(NpgsqlConnection conn, out NpgsqlConnection taken) => taken = conn;

                void Ref(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    Inspect(ref conn);
                }

                void Out(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    Give(conn, out var taken);
                    taken.Dispose();
                }
            }
            """);

    [Fact]
    public Task Helper_that_disposes_or_owned_parameter_or_unknown_method_takes_it_but_a_borrowing_helper_does_not()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                static async Task ReleaseAsync(NpgsqlConnection conn, bool close)
                {
                    if (close)
                        await conn.CloseAsync();
                    else
                        await conn.DisposeAsync();
                }

                static async Task<long> CountAsync(NpgsqlConnection conn)
                {
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    return (long)(await cmd.ExecuteScalarAsync())!;
                }

                static void Keep([Owned] NpgsqlConnection conn) { }

                async Task Helper(NpgsqlDataSource dataSource)
                {
                    var conn = await dataSource.OpenConnectionAsync();
                    await CountAsync(conn);
                    await ReleaseAsync(conn, false);
                }

                void Owned(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    Keep(conn);
                }

                void Unknown(NpgsqlDataSource dataSource, List<NpgsqlConnection> all)
                {
                    var conn = dataSource.OpenConnection();
                    all.Add(conn);
                }

                async Task Borrowing(NpgsqlDataSource dataSource)
                {
                    var {|PGB006:conn|} = await dataSource.OpenConnectionAsync();
                    await CountAsync(conn);
                }
            }
            """);

    [Fact]
    public Task Owned_parameter_must_be_disposed_and_borrowed_field_and_property_connections_are_not_reported()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                readonly NpgsqlConnection _conn = new();
                NpgsqlConnection Shared { get; } = new();

                bool Owned([Owned] NpgsqlConnection {|#0:conn|}, bool ok)
                {
                    if (!ok)
                        {|#1:return false;|}
                    conn.Dispose();
                    return true;
                }

                void OwnedDisposed([Owned] NpgsqlConnection conn) => conn.Close();

                void Borrowed(NpgsqlConnection conn) => conn.Open();

                void FieldAndProperty()
                {
                    _conn.Open();
                    Shared.Open();
                }

                async Task DataSourceCommand(NpgsqlDataSource dataSource)
                {
                    await using var cmd = dataSource.CreateCommand("SELECT 1");
                    await cmd.ExecuteNonQueryAsync();
                }
            }
            """,
            Pgb006(0, "conn", $"when the method returns on line {LineOf(1)}"));

    [Fact]
    public Task Assigning_to_another_local_moves_the_check_to_that_local()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                void Good(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    var current = conn;
                    current.Dispose();
                }

                void Bad(NpgsqlDataSource dataSource, bool ok)
                {
                    var conn = dataSource.OpenConnection();
                    var {|PGB006:current|} = conn;
                    if (ok)
                        current.Dispose();
                }
            }
            """);

    [Fact]
    public Task Dapper_calls_borrow_the_connection()
        => VerifyPgb006.AnalyzerAsync("""
            using Dapper;

            class Customers
            {
                async Task<IEnumerable<string>> NamesAsync(NpgsqlDataSource dataSource)
                {
                    var {|PGB006:conn|} = await dataSource.OpenConnectionAsync();
                    return await conn.QueryAsync<string>("SELECT name FROM customers");
                }

                async Task<IEnumerable<string>> NamesRightAsync(NpgsqlDataSource dataSource)
                {
                    await using var conn = await dataSource.OpenConnectionAsync();
                    return await conn.QueryAsync<string>("SELECT name FROM customers");
                }
            }
            """);

    [Fact]
    public Task Exception_paths_are_not_reported_by_default()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                async Task TouchAsync(NpgsqlDataSource dataSource)
                {
                    var conn = await dataSource.OpenConnectionAsync();
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn);
                    await cmd.ExecuteNonQueryAsync();
                    await conn.DisposeAsync();
                }
            }
            """);

    [Fact]
    public Task Exception_paths_when_enabled_name_the_first_uncovered_point()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                static async Task<long> LoadAsync(NpgsqlConnection conn)
                {
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                    return (long)(await cmd.ExecuteScalarAsync())!;
                }

                async Task<long> CountAsync(NpgsqlDataSource dataSource)
                {
                    var {|#0:conn|} = await dataSource.OpenConnectionAsync();
                    {|#1:var count = await LoadAsync(conn);|}
                    await conn.DisposeAsync();
                    return count;
                }
            }
            """,
            ExceptionPaths,
            Pgb006(0, "conn", $"when 'LoadAsync' throws on line {LineOf(1)}", "'await using'"));

    [Fact]
    public Task Exception_paths_when_enabled_are_covered_by_finally_catch_all_and_null_checks_but_not_a_typed_catch()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                void Finally(string connectionString)
                {
                    NpgsqlConnection? conn = null;
                    try
                    {
                        conn = new NpgsqlConnection(connectionString);
                        conn.Open();
                    }
                    finally
                    {
                        conn?.Dispose();
                    }
                }

                void IsNotNull(NpgsqlDataSource dataSource)
                {
                    NpgsqlConnection? conn = null;
                    try
                    {
                        conn = dataSource.OpenConnection();
                        Console.WriteLine(conn.State);
                    }
                    finally
                    {
                        if (conn is not null)
                            conn.Dispose();
                    }
                }

                void CatchAll(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    try
                    {
                        Console.WriteLine(conn.State);
                    }
                    catch
                    {
                        conn.Dispose();
                        throw;
                    }
                    conn.Dispose();
                }

                void LateUsing(string connectionString)
                {
                    var {|PGB006:conn|} = new NpgsqlConnection(connectionString);
                    conn.Open();
                    using (conn)
                    {
                        Console.WriteLine(conn.State);
                    }
                }

                void TypedCatch(NpgsqlDataSource dataSource)
                {
                    var {|PGB006:conn|} = dataSource.OpenConnection();
                    try
                    {
                        Console.WriteLine(conn.State);
                    }
                    catch (NpgsqlException)
                    {
                        conn.Dispose();
                        throw;
                    }
                    conn.Dispose();
                }
            }
            """,
            ExceptionPaths);

    [Fact]
    public Task Exception_paths_when_enabled_give_one_diagnostic_for_a_connection_already_leaked_normally()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                int Leak(NpgsqlDataSource dataSource, bool ok)
                {
                    var {|#0:conn|} = dataSource.OpenConnection();
                    Console.WriteLine(conn.State);
                    if (ok)
                        {|#1:return 0;|}
                    conn.Dispose();
                    return 1;
                }
            }
            """,
            ExceptionPaths,
            Pgb006(0, "conn", $"when the method returns on line {LineOf(1)}"));

    [Fact]
    public Task Unit_of_work_that_stores_an_owned_connection_is_clean_with_exception_paths_enabled()
        => VerifyPgb006.AnalyzerAsync("""
            public sealed class UnitOfWork : IAsyncDisposable
            {
                readonly NpgsqlConnection _conn;
                public UnitOfWork([Owned] NpgsqlConnection conn) => _conn = conn;
                public ValueTask DisposeAsync() => _conn.DisposeAsync();

                public static async Task<UnitOfWork> StartAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var conn = await dataSource.OpenConnectionAsync(ct);
                    return new UnitOfWork(conn);
                }
            }
            """,
            ExceptionPaths);

    [Fact]
    public Task Keep_flag_in_finally_is_followed()
        => VerifyPgb006.AnalyzerAsync("""
            class Listener
            {
                NpgsqlConnection? _listener;

                static bool Listen(NpgsqlConnection conn)
                {
                    using var cmd = new NpgsqlCommand("LISTEN jobs", conn);
                    cmd.ExecuteNonQuery();
                    return true;
                }

                void Good(NpgsqlDataSource dataSource)
                {
                    var conn = dataSource.OpenConnection();
                    var keep = false;
                    try
                    {
                        if (Listen(conn))
                        {
                            _listener = conn;
                            keep = true;
                        }
                    }
                    finally
                    {
                        if (!keep)
                            conn.Dispose();
                    }
                }

                void FlagSetWithoutHandingOver(NpgsqlDataSource dataSource)
                {
                    var {|PGB006:conn|} = dataSource.OpenConnection();
                    var keep = false;
                    try
                    {
                        Listen(conn);
                        keep = true;
                    }
                    finally
                    {
                        if (!keep)
                            conn.Dispose();
                    }
                }
            }
            """);

    [Fact]
    public Task Retry_loop_that_swallows_the_error_leaks_each_failed_attempt()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                async Task<long> CountAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    for (var attempt = 0; attempt < 3; attempt++)
                    {
                        var {|PGB006:conn|} = await dataSource.OpenConnectionAsync(ct);
                        try
                        {
                            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM customers", conn);
                            var count = (long)(await cmd.ExecuteScalarAsync(ct))!;
                            await conn.DisposeAsync();
                            return count;
                        }
                        catch (NpgsqlException e) when (e.IsTransient)
                        {
                        }
                    }
                    return -1;
                }
            }
            """);

    [Fact]
    public Task Goto_that_jumps_over_the_dispose_is_reported()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                void Touch(NpgsqlDataSource dataSource, bool skip)
                {
                    var {|PGB006:conn|} = dataSource.OpenConnection();
                    if (skip)
                        goto done;
                    conn.Dispose();
                done:
                    Console.WriteLine("done");
                }
            }
            """);

    [Fact]
    public Task Code_with_an_unclosed_argument_list_still_reports_the_leak()
        => VerifyPgb006.AnalyzerAsync("""
            class Customers
            {
                void Touch(NpgsqlDataSource dataSource)
                {
                    var {|PGB006:conn|} = dataSource.OpenConnection();
                    Console.WriteLine(conn.State{|CS1026:|}{|CS1002:|}
                }
            }
            """);

    [Fact]
    public Task Method_with_hundreds_of_branches_is_still_analysed()
    {
        var branches = string.Join("\n", Enumerable.Range(0, 300).Select(i => $$"""
                    if (ids[{{i % 7}}] == {{i}})
                        total += {{i}};
            """));
        return VerifyPgb006.AnalyzerAsync($$"""
            class Huge
            {
                int Run(NpgsqlDataSource dataSource, int[] ids)
                {
                    var {|PGB006:conn|} = dataSource.OpenConnection();
                    var total = 0;
            {{branches}}
                    if (total > 0)
                        conn.Dispose();
                    return total;
                }
            }
            """);
    }
}
