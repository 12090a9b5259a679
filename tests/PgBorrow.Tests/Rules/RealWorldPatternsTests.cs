using System.Threading.Tasks;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// Correct code written the way services are written: none of it may raise a PGB diagnostic.
/// Each bug case beside it shows the rule still sees the same shape when it is wrong.
/// </summary>
public class RealWorldPatternsTests
{
    [Fact]
    public Task Unit_of_work_that_owns_connection_and_transaction_is_clean()
        => VerifyAllRules.AnalyzerAsync("""
            sealed class UnitOfWork : IAsyncDisposable
            {
                readonly NpgsqlConnection _connection;
                readonly NpgsqlTransaction _transaction;

                UnitOfWork(NpgsqlConnection connection, NpgsqlTransaction transaction)
                {
                    _connection = connection;
                    _transaction = transaction;
                }

                public static async Task<UnitOfWork> BeginAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    var connection = await dataSource.OpenConnectionAsync(ct);
                    var transaction = await connection.BeginTransactionAsync(ct);
                    return new UnitOfWork(connection, transaction);
                }

                public NpgsqlCommand Command(string sql) => new(sql, _connection, _transaction);

                public Task CommitAsync(CancellationToken ct) => _transaction.CommitAsync(ct);

                public async ValueTask DisposeAsync()
                {
                    await _transaction.DisposeAsync();
                    await _connection.DisposeAsync();
                }
            }

            class OrderService
            {
                async Task PlaceAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var uow = await UnitOfWork.BeginAsync(dataSource, ct);
                    await using var cmd = uow.Command("INSERT INTO orders DEFAULT VALUES");
                    await cmd.ExecuteNonQueryAsync(ct);
                    await uow.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Dapper_calls_borrow_the_transaction()
        => VerifyAllRules.AnalyzerAsync("""
            using Dapper;

            class Accounts
            {
                async Task TransferAsync(NpgsqlDataSource dataSource, int from, int to, int amount, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await conn.ExecuteAsync("UPDATE accounts SET balance = balance - @amount WHERE id = @from", new { amount, from }, transaction: tx);
                    await conn.ExecuteAsync("UPDATE accounts SET balance = balance + @amount WHERE id = @to", new { amount, to }, transaction: tx);
                    await tx.CommitAsync(ct);
                    var total = await conn.QuerySingleAsync<long>("SELECT sum(balance) FROM accounts", transaction: {|PGB003:tx|});
                }
            }
            """);

    [Fact]
    public Task Retry_wrapper_with_fresh_transaction_per_attempt_is_clean()
        => VerifyAllRules.AnalyzerAsync("""
            static class Retry
            {
                public static async Task<T> SerializableAsync<T>(NpgsqlDataSource dataSource, Func<NpgsqlConnection, NpgsqlTransaction, Task<T>> work, CancellationToken ct)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        await using var conn = await dataSource.OpenConnectionAsync(ct);
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                        try
                        {
                            var result = await work(conn, tx);
                            await tx.CommitAsync(ct);
                            return result;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure && attempt < 5)
                        {
                            await tx.RollbackAsync(ct);
                        }
                    }
                }
            }

            class Accounts
            {
                Task<long> TotalAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                    => Retry.SerializableAsync(dataSource, async (conn, tx) =>
                    {
                        await using var cmd = new NpgsqlCommand("SELECT sum(balance) FROM accounts", conn, tx);
                        return (long)(await cmd.ExecuteScalarAsync(ct))!;
                    }, ct);
            }
            """);

    [Fact]
    public Task Helpers_that_borrow_and_null_conditional_dispose_are_clean()
        => VerifyAllRules.AnalyzerAsync("""
            class Orders
            {
                static async Task InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int id, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("INSERT INTO orders (id) VALUES ($1)", conn, tx);
                    cmd.Parameters.AddWithValue(id);
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                void Legacy(string connectionString, int id)
                {
                    NpgsqlConnection? conn = null;
                    NpgsqlTransaction? tx = null;
                    try
                    {
                        conn = new NpgsqlConnection(connectionString);
                        conn.Open();
                        tx = conn.BeginTransaction();
                        InsertAsync(conn, tx, id, default).GetAwaiter().GetResult();
                        tx.Commit();
                    }
                    catch
                    {
                        tx?.Rollback();
                        throw;
                    }
                    finally
                    {
                        tx?.Dispose();
                        conn?.Dispose();
                    }
                }

                async Task BatchAsync(NpgsqlDataSource dataSource, int[] ids, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    foreach (var id in ids)
                        await InsertAsync(conn, tx, id, ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Factory_method_result_is_owned_by_the_caller()
        => VerifyAllRules.AnalyzerAsync("""
            class Db
            {
                readonly NpgsqlDataSource _dataSource;

                Db(NpgsqlDataSource dataSource) => _dataSource = dataSource;

                async Task<NpgsqlConnection> OpenAsync(CancellationToken ct)
                {
                    var conn = _dataSource.CreateConnection();
                    await conn.OpenAsync(ct);
                    return conn;
                }

                async Task<long> CountAsync(CancellationToken ct)
                {
                    var {|PGB006:conn|} = await OpenAsync(ct);
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    return (long)(await cmd.ExecuteScalarAsync(ct))!;
                }

                async Task<long> CountRightAsync(CancellationToken ct)
                {
                    await using var conn = await OpenAsync(ct);
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn);
                    return (long)(await cmd.ExecuteScalarAsync(ct))!;
                }
            }
            """);

    [Fact]
    public Task Switch_pattern_matching_and_top_level_code_do_not_confuse_the_engine()
        => VerifyAllRules.AnalyzerAsync("""
            class Orders
            {
                async Task<string> StatusAsync(NpgsqlDataSource dataSource, int kind, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    switch (kind)
                    {
                        case 0:
                            await tx.RollbackAsync(ct);
                            return "none";
                        case > 10:
                            await tx.CommitAsync(ct);
                            return "many";
                        default:
                            break;
                    }
                    if (tx is { Connection: not null })
                        await tx.CommitAsync(ct);
                    return conn.State is ConnectionState.Open ? "open" : "closed";
                }

                IEnumerable<int> Ids(NpgsqlConnection conn)
                {
                    using var cmd = new NpgsqlCommand("SELECT id FROM orders", conn);
                    using var reader = cmd.ExecuteReader();
                    while (reader.Read())
                        yield return reader.GetInt32(0);
                }
            }
            """);

    [Fact]
    public Task Connection_from_a_project_factory_in_a_using_ends_the_transaction_on_every_path()
        => VerifyAllRules.AnalyzerAsync("""
            sealed class Database(Func<NpgsqlConnection> factory)
            {
                public NpgsqlConnection CreateConnection() => factory();
            }

            static class Events
            {
                static string BuildSql() => "TRUNCATE TABLE events";

                public static async Task DeleteAllAsync(Database db, CancellationToken ct)
                {
                    await using var conn = db.CreateConnection();
                    await conn.OpenAsync(ct);
                    var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand(BuildSql(), conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }

                public static async Task ForgetsTheCommitAsync(Database db, bool skip, CancellationToken ct)
                {
                    await using var conn = db.CreateConnection();
                    await conn.OpenAsync(ct);
                    var {|PGB001:tx|} = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("DELETE FROM events", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    if (skip)
                        return;
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Connection_moved_into_a_field_through_an_argument_checking_helper()
        => VerifyAllRules.AnalyzerAsync("""
            static class Check
            {
                public static T NotNull<T>(T value, string name) where T : class => value ?? throw new ArgumentNullException(name);
                public static T NotNullStatement<T>(T value) where T : class
                {
                    if (value is null)
                        throw new ArgumentNullException(nameof(value));
                    return value;
                }
                public static T Log<T>(T value, T fallback) => fallback;
            }

            sealed class Migrator
            {
                readonly DbConnection _cnn;
                public Migrator(DbConnection cnn) => _cnn = Check.NotNull(cnn, nameof(cnn));
            }

            sealed class Seeder
            {
                readonly DbConnection _cnn;
                public Seeder(DbConnection cnn) { _cnn = Check.NotNullStatement(cnn); }
            }

            sealed class Auditor
            {
                readonly DbConnection? _cnn;
                public Auditor(DbConnection cnn) { _cnn = Check.Log<DbConnection?>(cnn, null); }
            }

            static class Tools
            {
                public static Migrator Migrate(string cs)
                {
                    var cnn = new NpgsqlConnection(cs);
                    return new Migrator(cnn);
                }

                public static Seeder Seed(string cs)
                {
                    var cnn = new NpgsqlConnection(cs);
                    return new Seeder(cnn);
                }

                public static Auditor Audit(string cs)
                {
                    var {|PGB006:cnn|} = new NpgsqlConnection(cs);
                    return new Auditor(cnn);
                }
            }
            """);

    [Fact]
    public Task Background_task_that_moves_the_connection_into_its_own_local_takes_it()
        => VerifyAllRules.AnalyzerAsync("""
            static class Listeners
            {
                public static Task ListenAsync(string cs, CancellationToken ct)
                {
                    var conn = new NpgsqlConnection(cs);
                    return Task.Run(async () =>
                    {
                        var current = conn;
                        try
                        {
                            await current.OpenAsync(ct);
                            while (!ct.IsCancellationRequested) await current.WaitAsync(ct);
                        }
                        finally { await current.DisposeAsync(); }
                    }, ct);
                }

                public static Task ForgetsToDisposeAsync(string cs, CancellationToken ct)
                {
                    var {|PGB006:conn|} = new NpgsqlConnection(cs);
                    return Task.Run(async () =>
                    {
                        await conn.OpenAsync(ct);
                        await conn.WaitAsync(ct);
                    }, ct);
                }
            }
            """);

    [Fact]
    public Task Interface_factory_and_sink_use_the_summary_their_implementations_agree_on()
        => VerifyAllRules.AnalyzerAsync("""
            interface IConnectionFactory { NpgsqlConnection Create(); }
            sealed class PooledFactory(string cs) : IConnectionFactory { public NpgsqlConnection Create() => new NpgsqlConnection(cs); }
            sealed class OtherFactory(string cs) : IConnectionFactory { public NpgsqlConnection Create() { var conn = new NpgsqlConnection(cs); return conn; } }

            interface ISharedFactory { NpgsqlConnection Get(); }
            sealed class Fresh(string cs) : ISharedFactory { public NpgsqlConnection Get() => new NpgsqlConnection(cs); }
            sealed class Shared(NpgsqlConnection shared) : ISharedFactory { public NpgsqlConnection Get() => shared; }

            interface IAudit { void Write(NpgsqlConnection conn); }
            sealed class Audit : IAudit { public void Write(NpgsqlConnection conn) { using var cmd = new NpgsqlCommand("SELECT 1", conn); cmd.ExecuteNonQuery(); } }

            interface ICloser { void Close(NpgsqlConnection conn); }
            sealed class Closer : ICloser { public void Close(NpgsqlConnection conn) => conn.Dispose(); }

            abstract class Store
            {
                protected virtual NpgsqlConnection Open(string cs) => new NpgsqlConnection(cs);
            }

            sealed class Jobs(IConnectionFactory factory, ISharedFactory shared, IAudit audit, ICloser closer) : Store
            {
                public void Leaks()
                {
                    var {|PGB006:conn|} = factory.Create();
                    conn.Open();
                }

                public void Disposes()
                {
                    using var conn = factory.Create();
                    conn.Open();
                }

                public void ImplementationsDisagree()
                {
                    var conn = shared.Get();
                    conn.Open();
                }

                public void BorrowedByEveryImplementation(string cs)
                {
                    var {|PGB006:conn|} = new NpgsqlConnection(cs);
                    audit.Write(conn);
                }

                public void TakenByEveryImplementation(string cs)
                {
                    var conn = new NpgsqlConnection(cs);
                    closer.Close(conn);
                }

                public void VirtualFactory(string cs)
                {
                    var {|PGB006:conn|} = Open(cs);
                    conn.Open();
                }
            }
            """);

    [Fact]
    public Task Npgsql_types_only_option_leaves_the_ado_net_abstractions_alone()
        => Verify<PgBorrow.Analyzers.Rules.ConnectionNotDisposedAnalyzer>.AnalyzerAsync("""
            class Legacy
            {
                void Abstract(DbProviderFactory factory)
                {
                    var conn = factory.CreateConnection()!;     // DbConnection: another provider's, not tracked
                    conn.Open();
                }

                void Npgsql(string cs)
                {
                    var {|PGB006:conn|} = new NpgsqlConnection(cs);
                    conn.Open();
                }

                void Declared(string cs)
                {
                    DbConnection conn = new NpgsqlConnection(cs);   // declared as the abstraction: not tracked with the option
                    conn.Open();
                }
            }
            """,
            "pgborrow.npgsql_types_only = true");

    [Fact]
    public Task Without_the_option_a_connection_declared_as_the_abstraction_is_tracked()
        => Verify<PgBorrow.Analyzers.Rules.ConnectionNotDisposedAnalyzer>.AnalyzerAsync("""
            class Legacy
            {
                void Declared(string cs)
                {
                    DbConnection {|PGB006:conn|} = new NpgsqlConnection(cs);
                    conn.Open();
                }
            }
            """);
}
