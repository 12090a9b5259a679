using System.Threading.Tasks;
using PgBorrow.Analyzers.Rules;
using PgBorrow.CodeFixes;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

public class DisposeFieldCodeFixTests
{
    public static TheoryData<string> Cases => CodeFixCase.NamesIn<DisposeFieldCodeFixTests>();

    [Theory, MemberData(nameof(Cases))]
    public Task Fix_case(string name) => CodeFixCase.VerifyAsync<DisposeFieldCodeFixTests>(name);

    static CodeFixCase Owned_connection_is_disposed_in_the_async_DisposeAsync
        => CodeFixCase.Of<OwnedFieldNeverReleasedAnalyzer, DisposeFieldCodeFix>("""
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

    static CodeFixCase Owned_transaction_is_disposed_in_Dispose
        => CodeFixCase.Of<OwnedFieldNeverReleasedAnalyzer, DisposeFieldCodeFix>("""
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

    static CodeFixCase A_type_that_is_not_disposable_gets_no_fix
        => CodeFixCase.Of<OwnedFieldNeverReleasedAnalyzer, DisposeFieldCodeFix>("""
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

    static CodeFixCase A_member_released_only_outside_Dispose_is_disposed_in_Dispose_too
        => CodeFixCase.Of<OwnedFieldNeverReleasedAnalyzer, DisposeFieldCodeFix>("""
            sealed class ReportSession : IDisposable
            {
                readonly NpgsqlConnection {|PGB010:_connection|};
                bool _disposed;

                public ReportSession(string connectionString) => _connection = new NpgsqlConnection(connectionString);

                public void Close() => _connection.Close();

                public void Dispose()
                {
                    if (_disposed)
                        return;
                    _disposed = true;
                }
            }
            """, """
            sealed class ReportSession : IDisposable
            {
                readonly NpgsqlConnection _connection;
                bool _disposed;

                public ReportSession(string connectionString) => _connection = new NpgsqlConnection(connectionString);

                public void Close() => _connection.Close();

                public void Dispose()
                {
                    if (_disposed)
                        return;
                    _disposed = true;
                    _connection?.Dispose();
                }
            }
            """);

    static CodeFixCase A_transaction_disposed_only_by_Commit_or_only_when_committed_is_disposed_in_DisposeAsync
        => CodeFixCase.Of<OwnedFieldNeverReleasedAnalyzer, DisposeFieldCodeFix>("""
            sealed class TransactionWrapper : IAsyncDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? {|PGB010:_transaction|};
                bool _committed;

                public TransactionWrapper(NpgsqlConnection connection) => _connection = connection;

                public async Task BeginAsync() => _transaction = await _connection.BeginTransactionAsync();

                public async Task CommitAsync()
                {
                    await _transaction!.CommitAsync();
                    _committed = true;
                }

                public async ValueTask DisposeAsync()
                {
                    if (_committed)
                        await _transaction!.DisposeAsync();
                }
            }
            """, """
            sealed class TransactionWrapper : IAsyncDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? _transaction;
                bool _committed;

                public TransactionWrapper(NpgsqlConnection connection) => _connection = connection;

                public async Task BeginAsync() => _transaction = await _connection.BeginTransactionAsync();

                public async Task CommitAsync()
                {
                    await _transaction!.CommitAsync();
                    _committed = true;
                }

                public async ValueTask DisposeAsync()
                {
                    if (_committed)
                        await _transaction!.DisposeAsync();
                    if (_transaction is not null) await _transaction.DisposeAsync();
                }
            }
            """);

    static CodeFixCase A_Dispose_bool_override_gets_no_fix
        => CodeFixCase.Of<OwnedFieldNeverReleasedAnalyzer, DisposeFieldCodeFix>("""
            class Base : IDisposable
            {
                public void Dispose() => Dispose(true);

                protected virtual void Dispose(bool disposing) { }
            }

            sealed class Job : Base
            {
                NpgsqlConnection? {|PGB010:_connection|};

                public void Open(string connectionString) => _connection = new NpgsqlConnection(connectionString);

                public void Close() => _connection?.Close();

                protected override void Dispose(bool disposing)
                {
                    base.Dispose(disposing);
                }
            }
            """, """
            class Base : IDisposable
            {
                public void Dispose() => Dispose(true);

                protected virtual void Dispose(bool disposing) { }
            }

            sealed class Job : Base
            {
                NpgsqlConnection? {|PGB010:_connection|};

                public void Open(string connectionString) => _connection = new NpgsqlConnection(connectionString);

                public void Close() => _connection?.Close();

                protected override void Dispose(bool disposing)
                {
                    base.Dispose(disposing);
                }
            }
            """);
}
