using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using static PgBorrow.Tests.Infrastructure.MarkupLines;
using VerifyPgb101 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.LocksHeldAcrossAwaitAnalyzer>;
using VerifyPgb102 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionHeldAcrossAwaitAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class LocksHeldAcrossAwaitTests
{
    const string Shipping = """
        interface IShippingApi { Task<string> BookAsync(int orderId, CancellationToken ct); }

        """;

    [Fact]
    public Task For_update_then_http_call_before_commit_is_reported()
        => VerifyPgb101.AnalyzerAsync(Shipping + """
            class Orders
            {
                async Task ShipAsync(NpgsqlDataSource dataSource, IShippingApi shipping, int id, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var select = new NpgsqlCommand("SELECT status FROM orders WHERE id = $1 FOR UPDATE", conn, tx);
                    select.Parameters.AddWithValue(id);
                    {|#1:await select.ExecuteScalarAsync(ct);|}
                    var label = {|#0:await shipping.BookAsync(id, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """,
            new DiagnosticResult("PGB101", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("tx", "SELECT ... FOR UPDATE on orders", LineOf(1), "IShippingApi.BookAsync"));

    [Fact]
    public Task Update_then_task_delay_is_reported_and_lock_sql_can_come_from_a_const_field()
        => VerifyPgb101.AnalyzerAsync("""
            class Stock
            {
                const string Reserve = "UPDATE stock SET reserved = reserved + 1 WHERE sku = @sku";

                async Task ReserveAsync(NpgsqlConnection conn, string sku, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = Reserve;
                    cmd.Parameters.AddWithValue("sku", sku);
                    await cmd.ExecuteNonQueryAsync(ct);
                    {|PGB101:await Task.Delay(100, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Database_work_commit_before_the_await_and_skip_locked_claims_are_fine()
        => VerifyPgb101.AnalyzerAsync(Shipping + """
            class Orders
            {
                static Task AuditAsync(NpgsqlConnection conn, NpgsqlTransaction tx, int id) => Task.CompletedTask;

                async Task ShipAsync(NpgsqlDataSource dataSource, IShippingApi shipping, int id, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using (var tx = await conn.BeginTransactionAsync(ct))
                    {
                        await using var claim = new NpgsqlCommand("SELECT id FROM jobs ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED", conn, tx);
                        await claim.ExecuteScalarAsync(ct);
                        await AuditAsync(conn, tx, id);
                        await using var other = await dataSource.OpenConnectionAsync(ct);
                        await tx.CommitAsync(ct);
                    }
                    await shipping.BookAsync(id, ct);
                }
            }
            """);

    [Fact]
    public Task Configured_database_awaits_are_not_reported()
        => VerifyPgb101.AnalyzerAsync("""
            static class Outbox { public static Task PublishAsync(string topic) => Task.CompletedTask; }

            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var cmd = new NpgsqlCommand("DELETE FROM orders WHERE shipped", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await Outbox.PublishAsync("orders.deleted");
                    await tx.CommitAsync(ct);
                }
            }
            """,
            "dotnet_code_quality.PGB101.database_awaits = Outbox.*");

    [Fact]
    public Task Read_only_transaction_across_an_await_is_PGB102_not_PGB101()
        => Task.WhenAll(
            VerifyPgb102.AnalyzerAsync(Shipping + """
                class Orders
                {
                    async Task<string> ReportAsync(NpgsqlConnection conn, IShippingApi shipping, CancellationToken ct)
                    {
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn, tx);
                        var count = (long)(await cmd.ExecuteScalarAsync(ct))!;
                        var label = {|PGB102:await shipping.BookAsync((int)count, ct)|};
                        await tx.CommitAsync(ct);
                        return label;
                    }
                }
                """),
            VerifyPgb101.AnalyzerAsync(Shipping + """
                class Orders
                {
                    async Task<string> ReportAsync(NpgsqlConnection conn, IShippingApi shipping, CancellationToken ct)
                    {
                        await using var tx = await conn.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct);
                        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM orders", conn, tx);
                        var count = (long)(await cmd.ExecuteScalarAsync(ct))!;
                        var label = await shipping.BookAsync((int)count, ct);
                        await tx.CommitAsync(ct);
                        return label;
                    }
                }
                """));

    [Fact]
    public Task Await_before_the_first_statement_is_fine_because_nothing_was_sent()
        => VerifyPgb102.AnalyzerAsync(Shipping + """
            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, IShippingApi shipping, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    var label = await shipping.BookAsync(1, ct);
                    await using var cmd = new NpgsqlCommand("UPDATE orders SET label = $1", conn, tx);
                    cmd.Parameters.AddWithValue(label);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """);

    [Fact]
    public Task Locks_taken_through_Dapper_count()
        => VerifyPgb101.AnalyzerAsync("using Dapper;\n" + Shipping + """
            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, IShippingApi shipping, int id, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await conn.ExecuteAsync("SELECT pg_advisory_xact_lock(@id)", new { id }, tx);
                    {|PGB101:await shipping.BookAsync(id, ct)|};
                    await tx.CommitAsync(ct);
                }
            }
            """);

    // Transaction scope bodies: InTransactionAsync's body and [PgTransaction] bodies run in a transaction
    // from their first statement to their end; SQL goes through the PgTx.

    const string Row = """
        sealed class Account : IPgRow<Account>
        {
            public static PgRowMap Map => throw new NotImplementedException();
            public static PgOrdinals GetOrdinals(NpgsqlDataReader reader) => throw new NotImplementedException();
            public static Account Read(NpgsqlDataReader reader, PgOrdinals ordinals) => new();
            public static Task WriteAsync(NpgsqlBinaryImporter importer, Account row, CancellationToken cancellationToken) => Task.CompletedTask;
            public static void AddParameters(NpgsqlParameterCollection parameters, Account row) { }
        }

        """;

    [Fact]
    public Task Scope_body_for_update_through_the_PgTx_then_http_call_is_reported()
        => VerifyPgb101.AnalyzerAsync(Row + """
            class Payments
            {
                readonly System.Net.Http.HttpClient _http = new();

                Task PayAsync(NpgsqlDataSource dataSource, int id, CancellationToken ct)
                    => dataSource.InTransactionAsync(async (tx, token) =>
                    {
                        {|#1:var accounts = await tx.QueryAsync<Account>($"SELECT * FROM accounts WHERE id = {id} FOR UPDATE", token);|}
                        var rate = {|#0:await _http.GetStringAsync("https://rates.example/eur", token)|};
                        await tx.ExecuteAsync($"UPDATE accounts SET note = {rate} WHERE id = {id}", token);
                    }, ct);
            }
            """,
            new DiagnosticResult("PGB101", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("tx", "SELECT ... FOR UPDATE on accounts", LineOf(1), "HttpClient.GetStringAsync"));

    [Fact]
    public Task Scope_body_advisory_xact_lock_then_delay_is_reported_with_the_state_passing_overload()
        => VerifyPgb101.AnalyzerAsync("""
            class Jobs
            {
                Task RunAsync(NpgsqlDataSource dataSource, long key, CancellationToken ct)
                    => dataSource.InTransactionAsync(null, key, async (tx, lockKey, token) =>
                    {
                        {|#1:await tx.AdvisoryXactLockAsync(lockKey, token);|}
                        {|#0:await Task.Delay(100, token)|};
                        await tx.ExecuteAsync($"UPDATE jobs SET runs = runs + 1 WHERE key = {lockKey}", token);
                    }, ct);
            }
            """,
            new DiagnosticResult("PGB101", DiagnosticSeverity.Warning).WithLocation(0)
                .WithArguments("tx", "pg_advisory_xact_lock", LineOf(1), "Task.Delay"));

    [Fact]
    public Task PgTransaction_bodies_and_method_group_bodies_are_scope_bodies_but_helpers_taking_a_PgTx_are_not()
        => VerifyPgb101.AnalyzerAsync("""
            partial class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();

                [PgTransaction]
                async Task ShipAsync(PgTx tx, int id, CancellationToken ct)
                {
                    await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", ct);
                    {|PGB101:await _http.PostAsync("https://shipping.example/orders", null, ct)|};
                }

                Task PurgeAsync(NpgsqlDataSource ds, CancellationToken ct) => ds.InTransactionAsync(PurgeBodyAsync, ct);

                async Task PurgeBodyAsync(PgTx tx, CancellationToken ct)
                {
                    await tx.ExecuteAsync($"DELETE FROM carts WHERE expired", ct);
                    {|PGB101:await _http.PostAsync("https://carts.example/purged", null, ct)|};
                }

                async Task ClaimAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    await ds.InTransactionAsync(Body, ct);

                    async Task Body(PgTx tx, CancellationToken token)
                    {
                        await using var claim = tx.CreateCommand($"SELECT id FROM jobs ORDER BY id LIMIT 1 FOR UPDATE");
                        await claim.ExecuteScalarAsync(token);
                        {|PGB101:await Task.Delay(10, token)|};
                    }
                }

                // Not a scope body: a helper that receives the PgTx of its caller's scope.
                async Task MarkAsync(PgTx tx, CancellationToken ct)
                {
                    await tx.ExecuteAsync($"UPDATE orders SET marked = true", ct);
                    await _http.PostAsync("https://shipping.example/marked", null, ct);
                }
            }
            """);

    [Fact]
    public Task Scope_body_awaits_that_are_database_work_or_come_before_any_statement_or_after_the_scope_are_fine()
        => Task.WhenAll(VerifyPgb101.AnalyzerAsync(Row + ScopeNegatives), VerifyPgb102.AnalyzerAsync(Row + ScopeNegatives));

    const string ScopeNegatives = """
        class Orders
        {
            readonly System.Net.Http.HttpClient _http = new();

            static Task AuditAsync(PgTx tx, int id, CancellationToken ct) => tx.ExecuteAsync($"INSERT INTO audit (order_id) VALUES ({id})", ct);

            static async Task RetryAsync(Func<Task> work) => await work();

            async Task ShipAsync(NpgsqlDataSource ds, int id, CancellationToken ct)
            {
                await ds.InTransactionAsync(async (tx, token) =>
                {
                    var quote = await _http.GetStringAsync("https://shipping.example/quote", token);
                    await tx.ExecuteAsync($"UPDATE orders SET quote = {quote} WHERE id = {id} AND status = 'new'", token);
                    var count = await tx.ExecuteScalarAsync<long>($"SELECT count(*) FROM orders", token);
                    await AuditAsync(tx, id, token);
                    await RetryAsync(async () => await tx.ExecuteAsync($"UPDATE orders SET retried = true", token));
                    await tx.AdvisoryXactLockAsync(id, token);
                    await using var cmd = tx.CreateCommand($"SELECT 1");
                    await cmd.ExecuteScalarAsync(token);
                    await foreach (var account in tx.QueryStreamAsync<Account>($"SELECT * FROM accounts", token))
                        await tx.ExecuteAsync($"UPDATE accounts SET seen = true WHERE id = {account.GetHashCode()}", token);
                    Func<Task> later = async () => await _http.GetStringAsync("https://shipping.example/later", token);
                }, ct);
                await _http.PostAsync("https://shipping.example/orders", null, ct);
            }
        }
        """;

    [Fact]
    public Task Scope_body_read_only_select_then_unrelated_await_is_PGB102_only()
        => Task.WhenAll(
            VerifyPgb102.AnalyzerAsync(ReadOnlyScope.Replace("[[", "{|PGB102:").Replace("]]", "|}")),
            VerifyPgb101.AnalyzerAsync(ReadOnlyScope.Replace("[[", "").Replace("]]", "")));

    const string ReadOnlyScope = """
        class Stats
        {
            readonly System.Net.Http.HttpClient _http = new();

            Task<string> ReportAsync(NpgsqlDataSource ds, CancellationToken ct)
                => ds.InTransactionAsync(async (tx, token) =>
                {
                    var count = await tx.ExecuteScalarAsync<long>($"SELECT count(*) FROM orders", token);
                    return [[await _http.GetStringAsync($"https://stats.example/{count}", token)]];
                }, ct);
        }
        """;

    [Fact]
    public Task Scope_body_nested_lambdas_awaited_together_hold_the_locks_but_their_own_awaits_are_not_reported()
        => VerifyPgb101.AnalyzerAsync("""
            class Prices
            {
                readonly System.Net.Http.HttpClient _http = new();

                Task RefreshAsync(NpgsqlDataSource ds, string[] urls, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"LOCK TABLE prices IN EXCLUSIVE MODE", token);
                        var pages = {|PGB101:await Task.WhenAll(System.Linq.Enumerable.Select(urls, async url => await _http.GetStringAsync(url, token)))|};
                        await tx.ExecuteAsync($"UPDATE prices SET refreshed = now()", token);
                    }, ct);
            }
            """);

    [Fact]
    public Task Half_written_scope_body_does_not_throw()
        => VerifyPgb101.AnalyzerAsync("""
            class Orders
            {
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        {|PGB101:await Task.Delay(10, token)|};
                        await tx.{|CS1001:|}{|CS1002:|}
                    }, ct);
            }
            """);

    [Fact]
    public Task A_value_read_from_the_database_passed_to_a_service_does_not_make_the_call_database_work()
        => VerifyPgb101.AnalyzerAsync(Shipping + """
            class Orders
            {
                async Task ShipAsync(NpgsqlConnection conn, IShippingApi shipping, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using var select = new NpgsqlCommand("SELECT id FROM orders WHERE status = 'paid' LIMIT 1 FOR UPDATE", conn, tx);
                    await using var reader = await select.ExecuteReaderAsync(ct);
                    await reader.ReadAsync(ct);
                    var id = reader.GetInt32(0);
                    {|PGB101:await shipping.BookAsync(reader.GetInt32(0), ct)|};
                    await reader.DisposeAsync();
                    await tx.CommitAsync(ct);
                }
            }
            """);

    // beckett ea1c171d: the checkpoint lock ran through two interfaces (database.Execute(query, connection, transaction)
    // hands a command made on the connection to query.Execute), then the empty-result path waited with the lock held.
    // The fixed code rolled back before the delay; the global stream is read through two interfaces too (database work).
    const string PollingThroughQueryObjects = """
        interface IQuery<T> { Task<T> Execute(NpgsqlCommand command, CancellationToken ct); }

        sealed class LockCheckpoint : IQuery<long?>
        {
            public async Task<long?> Execute(NpgsqlCommand command, CancellationToken ct)
            {
                command.CommandText = "SELECT position FROM checkpoints WHERE name = 'global' FOR UPDATE";
                return (long?)await command.ExecuteScalarAsync(ct);
            }
        }

        sealed class CountMessages : IQuery<int>
        {
            public async Task<int> Execute(NpgsqlCommand command, CancellationToken ct)
            {
                command.CommandText = "SELECT count(*) FROM messages";
                return (int)(long)(await command.ExecuteScalarAsync(ct))!;
            }
        }

        interface IDatabase
        {
            Task<T> Execute<T>(IQuery<T> query, CancellationToken ct);
            Task<T> Execute<T>(IQuery<T> query, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct);
        }

        sealed class Database : IDatabase
        {
            readonly NpgsqlDataSource _dataSource;
            public Database(NpgsqlDataSource dataSource) => _dataSource = dataSource;

            public async Task<T> Execute<T>(IQuery<T> query, CancellationToken ct)
            {
                await using var connection = await _dataSource.OpenConnectionAsync(ct);
                await using var command = connection.CreateCommand();
                return await query.Execute(command, ct);
            }

            public async Task<T> Execute<T>(IQuery<T> query, NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
            {
                await using var command = connection.CreateCommand();
                command.Transaction = transaction;
                return await query.Execute(command, ct);
            }
        }

        interface IMessageStorage { Task<int> ReadGlobalStream(CancellationToken ct); }

        sealed class MessageStorage : IMessageStorage
        {
            readonly IDatabase _database;
            public MessageStorage(IDatabase database) => _database = database;
            public Task<int> ReadGlobalStream(CancellationToken ct) => _database.Execute(new CountMessages(), ct);
        }

        class GlobalStreamConsumer
        {
            async Task PollAsync(NpgsqlDataSource dataSource, IDatabase database, IMessageStorage messageStorage, CancellationToken ct)
            {
                while (!ct.IsCancellationRequested)
                {
                    await using var connection = await dataSource.OpenConnectionAsync(ct);
                    await using var transaction = await connection.BeginTransactionAsync(ct);
                    var checkpoint = await database.Execute(new LockCheckpoint(), connection, transaction, ct);
                    if (checkpoint == null)
                        break;
                    var count = await messageStorage.ReadGlobalStream(ct);
                    if (count == 0)
                    {
                        [[ROLLBACK]]
                        [[DELAY]];
                        continue;
                    }
                    await transaction.CommitAsync(ct);
                }
            }
        }
        """;

    [Fact]
    public Task Statement_run_by_a_helper_through_query_objects_then_a_delay_is_reported()
        => VerifyPgb102.AnalyzerAsync(PollingThroughQueryObjects.Replace("[[ROLLBACK]]", "").Replace("[[DELAY]]", "{|PGB102:await Task.Delay(1000, ct)|}"));

    [Fact]
    public Task Rolling_back_before_the_delay_and_reading_through_interfaces_is_fine()
        => VerifyPgb102.AnalyzerAsync(PollingThroughQueryObjects.Replace("[[ROLLBACK]]", "await transaction.RollbackAsync(ct);").Replace("[[DELAY]]", "await Task.Delay(1000, ct)"));

    [Fact]
    public Task Awaiting_database_work_through_an_interface_is_not_unrelated_and_a_delay_is()
        => VerifyPgb102.AnalyzerAsync("""
            interface IDatabase
            {
                Task<long?> LockCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct);
            }

            sealed class Database : IDatabase
            {
                public async Task<long?> LockCheckpointAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT position FROM checkpoints WHERE name = 'global' FOR UPDATE", connection, transaction);
                    return (long?)await cmd.ExecuteScalarAsync(ct);
                }
            }

            interface IMessages
            {
                Task<int> ReadAsync(long from, CancellationToken ct);
            }

            sealed class Messages : IMessages
            {
                readonly NpgsqlDataSource _dataSource;
                public Messages(NpgsqlDataSource dataSource) => _dataSource = dataSource;
                public async Task<int> ReadAsync(long from, CancellationToken ct)
                {
                    await using var cmd = _dataSource.CreateCommand("SELECT count(*) FROM messages WHERE position > $1");
                    cmd.Parameters.AddWithValue(from);
                    return (int)(long)(await cmd.ExecuteScalarAsync(ct))!;
                }
            }

            static class Audit
            {
                public static void Note(NpgsqlTransaction transaction) => Console.WriteLine(transaction.IsolationLevel);
            }

            class Consumer
            {
                async Task PollAsync(NpgsqlDataSource dataSource, IDatabase database, IMessages messages, CancellationToken ct)
                {
                    await using var connection = await dataSource.OpenConnectionAsync(ct);
                    await using var transaction = await connection.BeginTransactionAsync(ct);
                    await using (var cmd = new NpgsqlCommand("SELECT position FROM checkpoints WHERE name = 'global'", connection, transaction))
                        await cmd.ExecuteScalarAsync(ct);
                    var count = await messages.ReadAsync(0, ct); // database work, through the interface: not unrelated
                    {|PGB102:await Task.Delay(1000, ct)|};
                    await transaction.CommitAsync(ct);
                }

                async Task WaitFirstAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var connection = await dataSource.OpenConnectionAsync(ct);
                    await using var transaction = await connection.BeginTransactionAsync(ct);
                    Audit.Note(transaction);
                    await Task.Delay(1000, ct);
                    await transaction.CommitAsync(ct);
                }
            }
            """);
}
