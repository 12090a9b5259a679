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
                    .WithLocation(0).WithArguments("conn", "when 'Open' throws on line 14")));
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
}
