using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
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

                public OrderRepository(string connectionString) => _connection = new NpgsqlConnection(connectionString);

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

                public async Task BeginAsync(CancellationToken ct) => Transaction = await _connection.BeginTransactionAsync(ct);

                public Task CommitAsync(CancellationToken ct) => Transaction!.CommitAsync(ct);

                public ValueTask DisposeAsync() => ValueTask.CompletedTask;
            }
            """,
            new DiagnosticResult("PGB010", DiagnosticSeverity.Warning).WithLocation(0).WithArguments("Field", "_connection", "connection", "OrderRepository", 13,
                "it stays out of the pool until the garbage collector finalizes it; make 'OrderRepository' disposable (IAsyncDisposable) and dispose it there"),
            new DiagnosticResult("PGB010", DiagnosticSeverity.Warning).WithLocation(1).WithArguments("Property", "Transaction", "transaction", "UnitOfWork", 30,
                "an uncommitted one stays open on its connection, holding its locks; dispose it in 'UnitOfWork''s Dispose or DisposeAsync"));

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
}
