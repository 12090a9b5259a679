using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb010 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.OwnedFieldNeverReleasedAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class OwnedFieldNeverReleasedTests
{
    [Fact]
    public Task Resources_a_type_creates_into_fields_and_never_releases_are_reported()
        => VerifyPgb010.AnalyzerAsync("""
            class OrderRepository
            {
                readonly NpgsqlConnection {|#0:_connection|};

                {|#2:public OrderRepository(string connectionString) => _connection = new NpgsqlConnection(connectionString);|}

                public async Task<long> CountAsync(CancellationToken ct)
                {
                    await _connection.OpenAsync(ct);
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", _connection);
                    return (long)(await cmd.ExecuteScalarAsync(ct))!;
                }
            }

            sealed class UnitOfWork : IAsyncDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? {|#1:Transaction|} { get; set; }

                public UnitOfWork(NpgsqlConnection connection) => _connection = connection;

                {|#3:public async Task BeginAsync(CancellationToken ct) => Transaction = await _connection.BeginTransactionAsync(ct);|}

                public Task CommitAsync(CancellationToken ct) => Transaction!.CommitAsync(ct);

                public ValueTask DisposeAsync() => ValueTask.CompletedTask;
            }
            """,
            new DiagnosticResult("PGB010", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("Field", "_connection", "connection", "OrderRepository", LineOf(2),
                "and nothing in 'OrderRepository' ever disposes it", "it stays out of the pool until the garbage collector finalizes it; make 'OrderRepository' disposable (IAsyncDisposable) and dispose it there"),
            new DiagnosticResult("PGB010", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("Property", "Transaction", "transaction", "UnitOfWork", LineOf(3),
                "and 'CommitAsync' completes it but nothing in 'UnitOfWork' disposes it",
                "an uncommitted one stays open on its connection, holding its locks; dispose it in 'UnitOfWork''s DisposeAsync"));

    [Fact]
    public Task Released_borrowed_handed_on_and_static_members_are_fine()
        => VerifyPgb010.AnalyzerAsync("""
            sealed class Session : IAsyncDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? _transaction;
                NpgsqlConnection? _borrowed;
                NpgsqlConnection? _handedOut;
                NpgsqlConnection? _flagged;
                readonly bool _ownsConnection;
                static NpgsqlConnection? s_listener;

                public Session(string connectionString, NpgsqlConnection borrowed, NpgsqlConnection? shared)
                {
                    _connection = new NpgsqlConnection(connectionString);
                    _borrowed = borrowed;
                    _ownsConnection = shared is null;
                    _flagged = shared ?? new NpgsqlConnection(connectionString);
                    _handedOut = new NpgsqlConnection(connectionString);
                    s_listener ??= new NpgsqlConnection(connectionString);
                }

                public NpgsqlConnection Connection => _handedOut!;

                public async Task BeginAsync(CancellationToken ct) => _transaction = await _connection.BeginTransactionAsync(ct);

                public async ValueTask DisposeAsync()
                {
                    await DisposeTransactionAsync();
                    await _connection.DisposeAsync();
                    if (_ownsConnection && _flagged is not null)
                        await _flagged.DisposeAsync();
                }

                async Task DisposeTransactionAsync()
                {
                    if (_transaction is not null)
                        await _transaction.DisposeAsync();
                    _transaction = null;
                }
            }
            """);

    // Step 1: the type is disposable, something releases the member, but not Dispose.

    [Fact]
    public Task Members_released_only_outside_Dispose_are_reported_naming_the_Dispose_method()
        => VerifyPgb010.AnalyzerAsync("""
            sealed class ReportSession : IDisposable
            {
                readonly NpgsqlConnection {|#0:_connection|};

                {|#3:public ReportSession(string connectionString) => _connection = new NpgsqlConnection(connectionString);|}

                public void Open() => _connection.Open();

                public void Close() => _connection.Close();

                public void Dispose() { }
            }

            sealed class TransactionWrapper : IAsyncDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? {|#1:_transaction|};

                public TransactionWrapper(NpgsqlConnection connection) => _connection = connection;

                {|#4:public async Task BeginAsync() => _transaction = await _connection.BeginTransactionAsync();|}

                public async Task CommitAsync()
                {
                    await _transaction!.CommitAsync();
                    await _transaction.DisposeAsync();
                }

                public ValueTask DisposeAsync() => default;
            }

            sealed class BothWays : IDisposable, IAsyncDisposable
            {
                NpgsqlConnection? {|#2:_connection|};

                {|#5:public void Open(NpgsqlDataSource source) => _connection = source.OpenConnection();|}

                public void Close() => _connection?.Dispose();

                public void Dispose() { }

                public ValueTask DisposeAsync() => default;
            }
            """,
            Result(0, "Field", "_connection", "connection", "ReportSession", LineOf(3), "but 'ReportSession.Dispose' does not release it",
                "it stays out of the pool until the garbage collector finalizes it; dispose it in 'ReportSession''s Dispose"),
            Result(1, "Field", "_transaction", "transaction", "TransactionWrapper", LineOf(4), "but 'TransactionWrapper.DisposeAsync' does not release it",
                "an uncommitted one stays open on its connection, holding its locks; dispose it in 'TransactionWrapper''s DisposeAsync"),
            Result(2, "Field", "_connection", "connection", "BothWays", LineOf(5), "but neither 'BothWays.Dispose' nor 'BothWays.DisposeAsync' releases it",
                "it stays out of the pool until the garbage collector finalizes it; dispose it in 'BothWays''s Dispose or DisposeAsync"));

    [Fact]
    public Task A_Dispose_bool_override_that_never_releases_the_member_is_named()
        => VerifyPgb010.AnalyzerAsync("""
            abstract class RepositoryBase : IDisposable
            {
                public void Dispose()
                {
                    Dispose(true);
                    GC.SuppressFinalize(this);
                }

                protected virtual void Dispose(bool disposing) { }
            }

            sealed class ImportJob : RepositoryBase
            {
                NpgsqlBinaryImporter? _importer;
                NpgsqlDataReader? {|#0:_reader|};
                readonly NpgsqlCommand _command;

                public ImportJob(NpgsqlCommand command) => _command = command;

                {|#1:public void Read() => _reader = _command.ExecuteReader();|}

                public void Reset()
                {
                    _reader?.Dispose();
                    _reader = null;
                }

                protected override void Dispose(bool disposing)
                {
                    if (disposing)
                        _importer?.Dispose();
                    base.Dispose(disposing);
                }
            }
            """,
            Result(0, "Field", "_reader", "data reader", "ImportJob", LineOf(1), "but 'ImportJob.Dispose(bool)' does not release it",
                "its connection stays busy ('A command is already in progress'); dispose it in 'ImportJob''s Dispose(bool)"));

    [Fact]
    public Task A_release_Dispose_can_skip_for_sure_is_reported()
        => VerifyPgb010.AnalyzerAsync("""
            interface IResettable : IDisposable { }

            sealed class CommittedOnly : IDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? {|#0:_transaction|};
                bool _committed;

                public CommittedOnly(NpgsqlConnection connection) => _connection = connection;

                {|#2:public void Begin() => _transaction = _connection.BeginTransaction();|}

                public void Commit()
                {
                    _transaction!.Commit();
                    _committed = true;
                }

                public void Dispose()
                {
                    if (_committed)
                        _transaction?.Dispose();
                }
            }

            sealed class WrongCast : IDisposable
            {
                readonly DbConnection {|#1:_connection|};

                {|#3:public WrongCast(string connectionString) => _connection = new NpgsqlConnection(connectionString);|}

                public void Dispose() => (_connection as IResettable)?.Dispose();
            }
            """,
            Result(0, "Field", "_transaction", "transaction", "CommittedOnly", LineOf(2),
                "but 'CommittedOnly.Dispose' releases it only when '_committed' is set, which 'CommittedOnly' sets when it completes it",
                "an uncommitted one stays open on its connection, holding its locks; dispose it in 'CommittedOnly''s Dispose"),
            Result(1, "Field", "_connection", "connection", "WrongCast", LineOf(3),
                "but 'WrongCast.Dispose' tries it as 'IResettable', which a NpgsqlConnection never is, so the release is skipped",
                "it stays out of the pool until the garbage collector finalizes it; dispose it in 'WrongCast''s Dispose"));

    [Fact]
    public Task Releases_Dispose_reaches_through_helpers_guards_and_patterns_are_fine()
        => VerifyPgb010.AnalyzerAsync("""
            sealed class Session : IDisposable, IAsyncDisposable
            {
                readonly NpgsqlDataSource _source;
                DbConnection? _connection;
                DbTransaction? _transaction;
                bool _disposed;
                bool _cancel;

                public Session(NpgsqlDataSource source) => _source = source;

                public async Task<DbTransaction> BeginAsync()
                {
                    _connection ??= _source.CreateConnection();
                    await _connection.OpenAsync();
                    _transaction ??= await _connection.BeginTransactionAsync();
                    return _transaction;
                }

                public void Dispose()
                {
                    if (_disposed)
                        return;
                    _disposed = true;
                    DisposeAsync().AsTask().GetAwaiter().GetResult();
                }

                public async ValueTask DisposeAsync()
                {
                    try
                    {
                        await CommitOrRollbackAsync();
                    }
                    catch
                    {
                        _transaction = null;
                    }
                }

                async Task CommitOrRollbackAsync()
                {
                    try
                    {
                        if (_transaction is not null)
                        {
                            if (_cancel)
                                await _transaction.RollbackAsync();
                            else
                                await _transaction.CommitAsync();
                        }
                    }
                    finally
                    {
                        await ReleaseConnectionAsync();
                    }
                }

                async Task ReleaseConnectionAsync()
                {
                    await ReleaseTransactionAsync();
                    if (_connection is not null)
                    {
                        await _connection.CloseAsync();
                        await _connection.DisposeAsync();
                        _connection = null;
                    }
                }

                async Task ReleaseTransactionAsync()
                {
                    if (_transaction is not null)
                        await _transaction.DisposeAsync();
                    _transaction = null;
                }
            }

            class PooledReader : IDisposable
            {
                NpgsqlConnection? _connection;
                NpgsqlDataReader? _reader;

                public void Open(string connectionString, NpgsqlCommand command)
                {
                    _connection = new NpgsqlConnection(connectionString);
                    _reader = command.ExecuteReader();
                }

                public void Dispose() => Dispose(true);

                protected virtual void Dispose(bool disposing)
                {
                    if (!disposing)
                        return;
                    if (_reader is IAsyncDisposable)
                        _reader.Dispose();
                    if (_connection?.State == ConnectionState.Open)
                        (_connection as IDisposable)?.Dispose();
                }
            }

            sealed class ClosesOnDispose : IAsyncDisposable
            {
                NpgsqlConnection? _connection;
                NpgsqlTransaction? _transaction;

                public async Task BeginAsync(NpgsqlDataSource source)
                {
                    _connection = await source.OpenConnectionAsync();
                    _transaction = await _connection.BeginTransactionAsync();
                }

                public async Task CommitAsync()
                {
                    await _transaction!.CommitAsync();
                    await _transaction.DisposeAsync();
                }

                public ValueTask DisposeAsync() => DisposeAsyncCore();

                async ValueTask DisposeAsyncCore()
                {
                    if (_connection is IAsyncDisposable disposable)
                        await disposable.DisposeAsync();
                }
            }

            abstract class ReaderBase : IDisposable
            {
                public void Dispose() => Cleanup();

                protected abstract void Cleanup();
            }

            sealed class DerivedReader : ReaderBase
            {
                readonly NpgsqlDataReader _reader;

                public DerivedReader(NpgsqlCommand command) => _reader = command.ExecuteReader();

                protected override void Cleanup() => _reader.Dispose();
            }

            sealed class ExchangedOnDispose : IDisposable
            {
                NpgsqlConnection? _connection = null;
                NpgsqlTransaction? _transaction;

                public void Open(string connectionString) => _connection = new NpgsqlConnection(connectionString);

                public void Begin(NpgsqlConnection connection) => _transaction = connection.BeginTransaction();

                public void Commit() => Finish(_transaction);

                static void Finish(NpgsqlTransaction? transaction)
                {
                    transaction?.Commit();
                    transaction?.Dispose();
                }

                public void Dispose()
                {
                    System.Threading.Interlocked.Exchange(ref _connection, null)?.Dispose();
                    Finish(_transaction);
                }
            }
            """);

    [Fact]
    public Task Members_released_under_a_condition_Dispose_cannot_be_read_for_are_fine()
        => VerifyPgb010.AnalyzerAsync("""
            sealed class ConnectionHolder : IDisposable
            {
                readonly NpgsqlConnection _connection;
                readonly bool _ownsConnection;

                public ConnectionHolder(string connectionString, bool ownsConnection)
                {
                    _connection = new NpgsqlConnection(connectionString);
                    _ownsConnection = ownsConnection;
                }

                public void Close() => _connection.Close();

                public void Dispose()
                {
                    if (_ownsConnection)
                        _connection.Dispose();
                }
            }

            sealed class Holder : IDisposable
            {
                NpgsqlTransaction? _transaction;
                int _state;
                bool _committed;

                public void Begin(NpgsqlConnection other)
                {
                    _transaction = other.BeginTransaction();
                    _state = 1;
                }

                public void Commit()
                {
                    _transaction!.Commit();
                    _committed = true;
                }

                public void Dispose()
                {
                    if (_state == 1 || !_committed)
                        _transaction?.Dispose();
                }
            }

            // Handed out and never completed here: the caller that takes it owns it. (A type that also commits or
            // disposes the member itself only lends it: see Member_returned_to_callers_but_completed_by_the_type_is_still_the_types.)
            sealed class HandsItOut : IDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? _transaction;

                public HandsItOut(NpgsqlConnection connection) => _connection = connection;

                public DbTransaction? Transaction => _transaction;

                public void Begin() => _transaction = _connection.BeginTransaction();

                public void Dispose() { }
            }

            sealed class ClosedByItsCaller
            {
                NpgsqlConnection? _connection;

                public void Open(string connectionString)
                {
                    _connection = new NpgsqlConnection(connectionString);
                    _connection.Open();
                }

                public void Close() => _connection?.Dispose();
            }
            """);

    [Fact]
    public Task A_commit_that_does_not_dispose_is_named_when_nothing_disposes_the_transaction()
        => VerifyPgb010.AnalyzerAsync("""
            sealed class DapperUnitOfWork : IDisposable
            {
                readonly IDbConnection _connection;
                IDbTransaction? {|#0:_transaction|};

                public DapperUnitOfWork(IDbConnection connection) => _connection = connection;

                {|#2:public void Begin() => _transaction = _connection.BeginTransaction();|}

                public void Commit() => _transaction?.Commit();

                public void Rollback() => _transaction?.Rollback();

                public void Dispose() { }
            }

            sealed class RollbackFirst : IDisposable
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? {|#1:_transaction|};

                public RollbackFirst(NpgsqlConnection connection) => _connection = connection;

                {|#3:public void Begin() => _transaction = _connection.BeginTransaction();|}

                public void Rollback() => _transaction?.Rollback();

                public void Commit() => _transaction?.Commit();

                public void Dispose() { }
            }

            sealed class ClosingUnitOfWork : IDisposable
            {
                readonly IDbConnection _connection;
                IDbTransaction? _transaction;

                public ClosingUnitOfWork(IDbConnection connection) => _connection = connection;

                public void Begin() => _transaction = _connection.BeginTransaction();

                public void Commit() => _transaction?.Commit();

                public void Dispose() => _connection.Close(); // closing the connection ends its transaction
            }

            sealed class RollingBackUnitOfWork : IDisposable
            {
                readonly IDbConnection _connection;
                IDbTransaction? _transaction;
                bool _done;

                public RollingBackUnitOfWork(IDbConnection connection) => _connection = connection;

                public void Begin() => _transaction = _connection.BeginTransaction();

                public void Commit()
                {
                    _transaction?.Commit();
                    _done = true;
                }

                public void Dispose()
                {
                    if (!_done)
                        _transaction?.Rollback(); // ends the transaction on the caller's connection
                }
            }
            """,
            Result(0, "Field", "_transaction", "transaction", "DapperUnitOfWork", LineOf(2),
                "and 'Commit' completes it but nothing in 'DapperUnitOfWork' disposes it",
                "an uncommitted one stays open on its connection, holding its locks; dispose it in 'DapperUnitOfWork''s Dispose"),
            Result(1, "Field", "_transaction", "transaction", "RollbackFirst", LineOf(3),
                "and 'Rollback' completes it but nothing in 'RollbackFirst' disposes it",
                "an uncommitted one stays open on its connection, holding its locks; dispose it in 'RollbackFirst''s Dispose"));

    // Step 2: an ownership flag (or `shared ?? new X()`) decides whether the type owns the member.

    [Fact]
    public Task Members_an_ownership_flag_decides_and_Dispose_never_releases_are_reported()
        => VerifyPgb010.AnalyzerAsync("""
            sealed class Repository : IDisposable
            {
                readonly NpgsqlConnection {|#0:_connection|};

                public Repository(string connectionString, NpgsqlConnection? shared = null)
                    {|#3:=> _connection = shared ?? new NpgsqlConnection(connectionString);|}

                public void Dispose() { }
            }

            sealed class Executor : IAsyncDisposable
            {
                readonly DbConnection {|#1:_connection|};
                readonly bool _ownsConnection;

                public Executor(string connectionString)
                {
                    {|#4:_connection = new NpgsqlConnection(connectionString);|}
                    _ownsConnection = true;
                }

                public Executor(DbConnection connection) => _connection = connection;

                public async Task CloseAsync()
                {
                    if (_ownsConnection)
                        await _connection.CloseAsync();
                }

                public ValueTask DisposeAsync() => default;
            }

            sealed class Exporter
            {
                readonly NpgsqlConnection {|#2:_connection|};
                readonly bool _leaveOpen;

                public Exporter(NpgsqlConnection? connection, string connectionString, bool leaveOpen)
                {
                    _leaveOpen = leaveOpen;
                    {|#5:_connection = connection is null ? new NpgsqlConnection(connectionString) : connection;|}
                }
            }
            """,
            Result(0, "Field", "_connection", "connection", "Repository", LineOf(3),
                "and nothing in 'Repository' ever disposes it, not even the one it creates itself",
                "it stays out of the pool until the garbage collector finalizes it; dispose it in 'Repository''s Dispose"),
            Result(1, "Field", "_connection", "connection", "Executor", LineOf(4),
                "but 'Executor.DisposeAsync' does not release it, not even when '_ownsConnection' says it owns it",
                "it stays out of the pool until the garbage collector finalizes it; dispose it in 'Executor''s DisposeAsync"),
            Result(2, "Field", "_connection", "connection", "Exporter", LineOf(5),
                "and nothing in 'Exporter' ever disposes it, not even when '_leaveOpen' says it owns it",
                "it stays out of the pool until the garbage collector finalizes it; make 'Exporter' disposable (IAsyncDisposable) and dispose it there"));

    [Fact]
    public Task Members_Dispose_releases_under_their_ownership_flag_are_fine()
        => VerifyPgb010.AnalyzerAsync("""
            sealed class Executor : IAsyncDisposable
            {
                readonly DbConnection _connection;
                readonly bool _ownsConnection;

                public Executor(string connectionString)
                {
                    _connection = new NpgsqlConnection(connectionString);
                    _ownsConnection = true;
                }

                public Executor(DbConnection connection) => _connection = connection;

                public async ValueTask DisposeAsync()
                {
                    if (_ownsConnection)
                        await _connection.DisposeAsync();
                }
            }

            sealed class Exporter : IDisposable
            {
                readonly NpgsqlConnection _connection;
                readonly bool _leaveOpen;

                public Exporter(NpgsqlConnection? connection, string connectionString, bool leaveOpen)
                {
                    _leaveOpen = leaveOpen;
                    _connection = connection ?? new NpgsqlConnection(connectionString);
                }

                public void Dispose()
                {
                    if (!_leaveOpen)
                        _connection.Close();
                }
            }

            sealed class StorageSession : IAsyncDisposable
            {
                bool _ownsTransaction;
                bool _disposed;

                public DbConnection? Connection { get; private set; }
                public DbTransaction? Transaction { get; private set; }

                public void Adopt(DbConnection connection, DbTransaction transaction)
                {
                    Connection = connection;
                    Transaction = transaction;
                    _ownsTransaction = false;
                }

                public async Task OpenAsync(Func<Task<DbConnection>> open)
                {
                    Connection = await open();
                    Transaction = await Connection.BeginTransactionAsync();
                    _ownsTransaction = true;
                }

                public async Task CompleteAsync()
                {
                    if (_ownsTransaction && Transaction != null)
                        await Transaction.CommitAsync();
                    await DisposeAsync();
                }

                public async ValueTask DisposeAsync()
                {
                    if (_disposed)
                        return;
                    if (_ownsTransaction && Transaction != null)
                    {
                        await Transaction.DisposeAsync();
                        Transaction = null;
                    }
                    _disposed = true;
                }
            }

            sealed class TwoConstructorsNoFlag : IDisposable
            {
                readonly NpgsqlConnection _connection;

                public TwoConstructorsNoFlag(string connectionString) => _connection = new NpgsqlConnection(connectionString);

                public TwoConstructorsNoFlag(NpgsqlConnection connection) => _connection = connection;

                public void Dispose() { }
            }

            sealed class DisposeConnectionFlag : IDisposable
            {
                NpgsqlConnection? _connection;
                bool _disposeConnection;

                public void Use(NpgsqlConnection? connection, string connectionString)
                {
                    _disposeConnection = connection is null;
                    _connection = connection ?? new NpgsqlConnection(connectionString);
                }

                public void Dispose()
                {
                    if (_disposeConnection)
                        _connection?.Dispose();
                }
            }
            """);

    // Identity.Dapper aa05ac53: created on one branch, borrowed from the unit of work on the other; Dispose never disposed it.
    [Fact]
    public Task Member_created_on_one_branch_and_borrowed_on_the_other_is_judged_like_a_flag_decided_one()
        => VerifyPgb010.AnalyzerAsync("""
            public interface IConnectionProvider { DbConnection Create(); }
            public interface IUnitOfWork : IDisposable { DbConnection CreateOrGetConnection(); }

            sealed class UserStore : IDisposable
            {
                DbConnection {|#0:_connection|};
                readonly IConnectionProvider _provider;
                readonly IUnitOfWork _unitOfWork;
                readonly bool _transactional;

                public UserStore(IConnectionProvider provider, IUnitOfWork unitOfWork, bool transactional)
                {
                    _provider = provider;
                    _unitOfWork = unitOfWork;
                    _transactional = transactional;
                    _connection = null!;
                }

                async Task EnsureConnectionAsync(CancellationToken ct)
                {
                    if (!_transactional)
                    {
                        {|#1:_connection = _provider.Create();|}
                        await _connection.OpenAsync(ct);
                    }
                    else
                    {
                        _connection = _unitOfWork.CreateOrGetConnection();
                    }
                }

                public Task CreateAsync(CancellationToken ct) => EnsureConnectionAsync(ct);

                public void Dispose()
                {
                    if (_transactional)
                        _unitOfWork.Dispose();
                }
            }

            sealed class CarefulStore : IDisposable
            {
                DbConnection? _connection;
                readonly IConnectionProvider _provider;
                readonly IUnitOfWork _unitOfWork;
                readonly bool _transactional;

                public CarefulStore(IConnectionProvider provider, IUnitOfWork unitOfWork, bool transactional)
                {
                    _provider = provider;
                    _unitOfWork = unitOfWork;
                    _transactional = transactional;
                }

                public void Ensure() => _connection = _transactional ? _unitOfWork.CreateOrGetConnection() : _provider.Create();

                public void Dispose()
                {
                    if (!_transactional)
                        _connection?.Dispose();
                }
            }
            """,
            Result(0, "Field", "_connection", "connection", "UserStore", LineOf(1),
                "and nothing in 'UserStore' ever disposes it, not even the one it creates itself",
                "it stays out of the pool until the garbage collector finalizes it; dispose it in 'UserStore''s Dispose"));

    // A member the type returns but also completes itself is lent to the caller, not handed over.
    [Fact]
    public Task Member_returned_to_callers_but_completed_by_the_type_is_still_the_types()
        => VerifyPgb010.AnalyzerAsync("""
            sealed class Session
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? {|#0:_transaction|};

                public Session(NpgsqlConnection connection) => _connection = connection;

                {|#1:public NpgsqlTransaction Transaction => _transaction ??= _connection.BeginTransaction();|}

                public void Commit() => _transaction?.Commit();
            }

            sealed class Handover
            {
                readonly NpgsqlConnection _connection;
                NpgsqlTransaction? _transaction;

                public Handover(NpgsqlConnection connection) => _connection = connection;

                // Never completed nor disposed here: whoever takes it owns it.
                public NpgsqlTransaction Take() => _transaction = _connection.BeginTransaction();

                public NpgsqlTransaction? Current => _transaction;
            }
            """,
            Result(0, "Field", "_transaction", "transaction", "Session", LineOf(1),
                "and 'Commit' completes it but nothing in 'Session' disposes it",
                "an uncommitted one stays open on its connection, holding its locks; make 'Session' disposable (IAsyncDisposable) and dispose it there"));

    static DiagnosticResult Result(int location, params object[] arguments)
        => new DiagnosticResult("PGB010", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(arguments);

    [Fact]
    public Task Member_filled_from_the_projects_own_factory_is_owned_and_one_from_a_cache_is_not()
        => VerifyPgb010.AnalyzerAsync("""
            interface IConnections
            {
                Task<NpgsqlConnection> OpenAsync(CancellationToken ct);
            }

            sealed class Connections : IConnections
            {
                readonly NpgsqlDataSource _dataSource;
                public Connections(NpgsqlDataSource dataSource) => _dataSource = dataSource;
                public async Task<NpgsqlConnection> OpenAsync(CancellationToken ct) => await _dataSource.OpenConnectionAsync(ct);
            }

            sealed class SharedConnection
            {
                readonly NpgsqlConnection _shared;
                public SharedConnection(NpgsqlConnection shared) => _shared = shared;
                public NpgsqlConnection Get() => _shared;
            }

            class Election
            {
                readonly IConnections _connections;
                NpgsqlConnection? {|#0:_lockConnection|};

                public Election(IConnections connections) => _connections = connections;

                public async Task TryLeadAsync(CancellationToken ct)
                {
                    {|#1:_lockConnection = await _connections.OpenAsync(ct);|}
                    await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(1)", _lockConnection);
                    await cmd.ExecuteScalarAsync(ct);
                }
            }

            class Borrower
            {
                readonly SharedConnection _source;
                NpgsqlConnection? _connection;

                public Borrower(SharedConnection source) => _source = source;

                public void Use() => _connection = _source.Get();
            }
            """,
            new DiagnosticResult("PGB010", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("Field", "_lockConnection", "connection", "Election", LineOf(1), "and nothing in 'Election' ever disposes it", "it stays out of the pool until the garbage collector finalizes it; make 'Election' disposable (IAsyncDisposable) and dispose it there"));
}
