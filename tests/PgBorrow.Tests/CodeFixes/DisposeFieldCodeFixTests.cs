using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class DisposeFieldCodeFixTests
{
    [Fact]
    public Task Owned_connection_is_disposed_in_the_async_DisposeAsync()
        => Verify<OwnedFieldNeverReleasedAnalyzer>.CodeFixAsync<DisposeFieldCodeFix>("""
            sealed class AuditLog : IAsyncDisposable
            {
                readonly NpgsqlConnection {|PGB010:_connection|};
                readonly NpgsqlDataSource _other;

                public AuditLog(NpgsqlDataSource dataSource)
                {
                    _other = dataSource;
                    _connection = dataSource.CreateConnection();
                }

                public async ValueTask DisposeAsync()
                {
                    await Task.Yield();
                }
            }
            """, """
            sealed class AuditLog : IAsyncDisposable
            {
                readonly NpgsqlConnection _connection;
                readonly NpgsqlDataSource _other;

                public AuditLog(NpgsqlDataSource dataSource)
                {
                    _other = dataSource;
                    _connection = dataSource.CreateConnection();
                }

                public async ValueTask DisposeAsync()
                {
                    await Task.Yield();
                    if (_connection is not null) await _connection.DisposeAsync();
                }
            }
            """);

    [Fact]
    public Task Owned_transaction_is_disposed_in_Dispose()
        => Verify<OwnedFieldNeverReleasedAnalyzer>.CodeFixAsync<DisposeFieldCodeFix>("""
            sealed class UnitOfWork : IDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? {|PGB010:_transaction|};

                public UnitOfWork(NpgsqlConnection connection) => _connection = connection;

                public void Begin() => _transaction = _connection.BeginTransaction();

                public void Dispose()
                {
                }
            }
            """, """
            sealed class UnitOfWork : IDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? _transaction;

                public UnitOfWork(NpgsqlConnection connection) => _connection = connection;

                public void Begin() => _transaction = _connection.BeginTransaction();

                public void Dispose()
                {
                    _transaction?.Dispose();
                }
            }
            """);

    [Fact]
    public Task A_type_that_is_not_disposable_gets_no_fix()
        => Verify<OwnedFieldNeverReleasedAnalyzer>.CodeFixAsync<DisposeFieldCodeFix>("""
            sealed class Repository
            {
                readonly NpgsqlConnection {|PGB010:_connection|};

                public Repository(string connectionString) => _connection = new NpgsqlConnection(connectionString);
            }
            """, """
            sealed class Repository
            {
                readonly NpgsqlConnection {|PGB010:_connection|};

                public Repository(string connectionString) => _connection = new NpgsqlConnection(connectionString);
            }
            """);
}
