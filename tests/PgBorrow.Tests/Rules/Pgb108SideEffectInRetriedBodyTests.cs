using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb108 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SideEffectInRetriedBodyAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class Pgb108SideEffectInRetriedBodyTests
{
    const string Services = """
        namespace RabbitMQ.Client { public interface IChannel { Task BasicPublishAsync(string exchange, string routingKey, ReadOnlyMemory<byte> body); } }
        namespace MediatR { public interface INotification { } public interface IPublisher { Task Publish(object notification, CancellationToken ct = default); } }
        namespace Shop { public interface INotifier { Task NotifyAsync(int id, CancellationToken ct); } }

        """;

    static DiagnosticResult SideEffect(int location, string what, string how)
        => new DiagnosticResult("PGB108", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(what, how);

    // True positives

    [Fact]
    public Task Http_call_in_the_body_is_reported()
        => VerifyPgb108.AnalyzerAsync("""
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                Task ShipAsync(NpgsqlDataSource ds, int id, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token);
                        await {|#0:_http.PostAsync("https://shipping.example/orders", null, token)|};
                    }, ct);
            }
            """,
            SideEffect(0, "HttpClient.PostAsync", "it calls another service over HTTP"));

    [Fact]
    public Task Messages_files_and_mail_are_reported()
        => VerifyPgb108.AnalyzerAsync(Services + """
            class Orders
            {
                Task ShipAsync(NpgsqlDataSource ds, RabbitMQ.Client.IChannel channel, MediatR.IPublisher publisher, System.Net.Mail.SmtpClient smtp, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        await {|#0:channel.BasicPublishAsync("orders", "shipped", Array.Empty<byte>())|};
                        await {|#1:publisher.Publish(new object(), token)|};
                        await {|#2:System.IO.File.AppendAllTextAsync("shipped.log", "1", token)|};
                        {|#3:smtp.Send("shop@example.com", "me@example.com", "Shipped", "Your order shipped")|};
                    }, ct);
            }
            """,
            SideEffect(0, "IChannel.BasicPublishAsync", "it sends a message"),
            SideEffect(1, "IPublisher.Publish", "it publishes a notification to its handlers"),
            SideEffect(2, "File.AppendAllTextAsync", "it changes the file system"),
            SideEffect(3, "SmtpClient.Send", "it sends an e-mail"));

    [Fact]
    public Task Mutation_of_captured_state_is_reported()
        => VerifyPgb108.AnalyzerAsync("""
            class Orders
            {
                int _shipped;
                async Task<int> ShipAsync(NpgsqlDataSource ds, int[] ids, CancellationToken ct)
                {
                    var count = 0;
                    var total = 0m;
                    var shipped = new List<int>();
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        foreach (var id in ids)
                        {
                            await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token);
                            {|#0:count++|};
                            {|#1:total += 1.5m|};
                            {|#2:shipped.Add(id)|};
                            {|#3:_shipped++|};
                        }
                    }, ct);
                    return count + shipped.Count + (int)total;
                }
            }
            """,
            SideEffect(0, "count++", "it changes 'count', declared outside the body"),
            SideEffect(1, "total += 1.5m", "it changes 'total', declared outside the body"),
            SideEffect(2, "shipped.Add", "it adds to 'shipped', declared outside the body"),
            SideEffect(3, "_shipped++", "it changes '_shipped', declared outside the body"));

    [Fact]
    public Task Hand_written_retry_loop_is_checked_up_to_the_commit()
        => VerifyPgb108.AnalyzerAsync("""
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                async Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            await using var conn = await ds.OpenConnectionAsync(ct);
                            await using var tx = await conn.BeginTransactionAsync(IsolationLevel.Serializable, ct);
                            await using var cmd = new NpgsqlCommand("UPDATE orders SET shipped = true", conn, tx);
                            await cmd.ExecuteNonQueryAsync(ct);
                            await {|#0:_http.GetStringAsync("https://shipping.example/ping", ct)|};
                            await tx.CommitAsync(ct);
                            await _http.GetStringAsync("https://shipping.example/shipped", ct);
                            return;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure && attempt < 5)
                        {
                        }
                    }
                }
            }
            """,
            SideEffect(0, "HttpClient.GetStringAsync", "it calls another service over HTTP"));

    [Fact]
    public Task Method_group_local_function_and_state_overload_bodies_are_checked()
        => VerifyPgb108.AnalyzerAsync("""
            class Orders
            {
                static int s_attempts;
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct) => ds.InTransactionAsync(ShipBodyAsync, ct);
                async Task ShipBodyAsync(PgTx tx, CancellationToken ct)
                {
                    {|#0:s_attempts++|};
                    await tx.ExecuteAsync($"UPDATE orders SET shipped = true", ct);
                }
                async Task LocalAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    await ds.InTransactionAsync(Body, ct);
                    async Task Body(PgTx tx, CancellationToken token)
                    {
                        await tx.ExecuteAsync($"SELECT 1", token);
                        {|#1:Interlocked.Increment(ref s_attempts)|};
                    }
                }
                Task StateAsync(NpgsqlConnection conn, List<string> log, CancellationToken ct)
                    => conn.InTransactionAsync(null, 42, async (tx, id, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token);
                        {|#2:log.Add("shipped")|};
                    }, ct);
            }
            """,
            SideEffect(0, "s_attempts++", "it changes 's_attempts', declared outside the body"),
            SideEffect(1, "Interlocked.Increment", "it changes 's_attempts', declared outside the body"),
            SideEffect(2, "log.Add", "it adds to 'log', declared outside the body"));

    [Fact]
    public Task Configured_side_effects_are_reported_and_allowed_ones_are_not()
        => VerifyPgb108.AnalyzerAsync(Services + """
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                Task ShipAsync(NpgsqlDataSource ds, Shop.INotifier notifier, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        await {|#0:notifier.NotifyAsync(1, token)|};
                        await _http.GetStringAsync("https://rates.example/eur", token);
                    }, ct);
            }
            """,
            "dotnet_code_quality.PGB108.side_effect_methods = Shop.INotifier.*\ndotnet_code_quality.PGB108.allowed_methods = HttpClient.GetStringAsync\n",
            SideEffect(0, "INotifier.NotifyAsync", "it is a side effect named in dotnet_code_quality.PGB108.side_effect_methods"));

    [Fact]
    public Task PgTransaction_body_is_checked_when_the_attribute_exists()
        => VerifyPgb108.AnalyzerAsync("""
            namespace PgBorrow { [AttributeUsage(AttributeTargets.Method)] sealed class PgTransactionAttribute : Attribute { } }
            partial class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                [PgTransaction]
                async Task ShipAsync(PgTx tx, int id, CancellationToken ct)
                {
                    await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", ct);
                    await {|#0:_http.PostAsync("https://shipping.example/orders", null, ct)|};
                }
                async Task NotATransactionAsync(PgTx tx, CancellationToken ct)
                {
                    await tx.ExecuteAsync($"SELECT 1", ct);
                    await _http.PostAsync("https://shipping.example/orders", null, ct);
                }
            }
            """,
            SideEffect(0, "HttpClient.PostAsync", "it calls another service over HTTP"));

    // True negatives

    [Fact]
    public Task Database_work_locals_and_plain_assignments_are_fine()
        => VerifyPgb108.AnalyzerAsync("""
            class Orders
            {
                async Task<int> ShipAsync(NpgsqlDataSource ds, int[] ids, CancellationToken ct)
                {
                    var lastId = 0;
                    await ds.InTransactionAsync(async (tx, token) =>
                    {
                        var shipped = new List<int>();
                        var count = 0;
                        var log = new System.Text.StringBuilder();
                        using var buffer = new System.IO.MemoryStream();
                        foreach (var id in ids)
                        {
                            await tx.ExecuteAsync($"UPDATE orders SET shipped = true WHERE id = {id}", token);
                            shipped.Add(id);
                            count++;
                            log.Append(id);
                            buffer.WriteByte(1);
                            lastId = id;
                        }
                        await using var cmd = tx.CreateCommand($"SELECT count(*) FROM orders");
                        cmd.Parameters.Add(new NpgsqlParameter<int> { TypedValue = count });
                        await Task.WhenAll(tx.ExecuteAsync($"SELECT 1", token));
                        await Task.Delay(10, token);
                    }, ct);
                    return lastId;
                }
            }
            """);

    [Fact]
    public Task Side_effects_after_the_scope_or_outside_any_retry_are_fine()
        => VerifyPgb108.AnalyzerAsync("""
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                int _count;
                async Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                {
                    await ds.InTransactionAsync(async (tx, token) => await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token), ct);
                    await _http.PostAsync("https://shipping.example/orders", null, ct);
                    _count++;
                }
                async Task PlainAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await _http.GetStringAsync("https://shipping.example/ping", ct);
                    _count++;
                    await tx.CommitAsync(ct);
                }
                async Task LoopWithoutRetryAsync(int[] ids, CancellationToken ct)
                {
                    foreach (var id in ids)
                    {
                        try { await _http.GetStringAsync("https://example/" + id, ct); _count++; }
                        catch (InvalidOperationException) { }
                    }
                }
            }
            """);

    // Tricky cases

    [Fact]
    public Task Nested_lambdas_inside_the_body_are_checked_but_their_own_locals_are_fine()
        => VerifyPgb108.AnalyzerAsync("""
            using System.Linq;
            class Orders
            {
                readonly System.Net.Http.HttpClient _http = new();
                Task ShipAsync(NpgsqlDataSource ds, int[] ids, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        await tx.ExecuteAsync($"UPDATE orders SET shipped = true", token);
                        var sums = ids.Select(id => { var local = 0; local += id; return local; }).ToList();
                        await Task.WhenAll(ids.Select(id => {|#0:_http.GetStringAsync("https://example/" + id, token)|}));
                    }, ct);
            }
            """,
            SideEffect(0, "HttpClient.GetStringAsync", "it calls another service over HTTP"));

    [Fact]
    public Task Half_written_body_does_not_throw()
        => VerifyPgb108.AnalyzerAsync("""
            class Orders
            {
                int _count;
                Task ShipAsync(NpgsqlDataSource ds, CancellationToken ct)
                    => ds.InTransactionAsync(async (tx, token) =>
                    {
                        {|#0:_count++|};
                        await tx.{|CS1001:|}{|CS1002:|}
                    }, ct);
            }
            """,
            SideEffect(0, "_count++", "it changes '_count', declared outside the body"));
}
