using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb006 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.ConnectionNotDisposedAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// Replication connections: each holds a server connection of its own (a walsender, outside any pool) until it is
/// disposed, and has only DisposeAsync. The leak npgsql fixed in d590723b7 (a connection made with
/// <c>Activator.CreateInstance(typeof(TConnection), dataSource)</c> in code written for both kinds) is the last case.
/// </summary>
public partial class Pgb006ConnectionNotDisposedTests
{
    const string Walsender = "its server connection (a walsender, outside any pool) stays open until the garbage collector finalizes it";

    static DiagnosticResult Pgb006Replication(int location, string name, string when, string usingForm)
        => new DiagnosticResult("PGB006", DiagnosticSeverity.Warning).WithLocation(location)
            .WithArguments(name, "disposed " + when, Walsender, $"declare it with {usingForm}, or dispose it on every path");

    [Fact]
    public Task Replication_connection_never_disposed_is_reported_and_sync_code_is_told_to_become_async()
        => VerifyPgb006.AnalyzerAsync("""
            using Npgsql.Replication;

            class Slots
            {
                async Task<string> SystemIdAsync(string connectionString, CancellationToken ct)
                {
                    var {|#0:connection|} = new LogicalReplicationConnection(connectionString);
                    await connection.Open(ct);
                    var info = await connection.IdentifySystem(ct);
                    {|#2:return info.SystemId;|}
                }

                void Configure(string connectionString)
                {
                    var {|#1:connection|} = new PhysicalReplicationConnection(connectionString);
                    connection.CommandTimeout = TimeSpan.FromSeconds(5);
                {|#3:}|}
            }
            """,
            Pgb006Replication(0, "connection", $"when the method returns on line {Infrastructure.MarkupLines.LineOf(2)}", "'await using'"),
            Pgb006Replication(1, "connection", $"when the method returns on line {Infrastructure.MarkupLines.LineOf(3)}",
                "'await using' (it has only DisposeAsync: make the method async)"));

    [Fact]
    public Task Replication_connection_made_by_Activator_for_a_constrained_type_parameter_is_reported()
        => VerifyPgb006.AnalyzerAsync("""
            using Npgsql.Replication;

            abstract class ReplicationChecks<TConnection> where TConnection : ReplicationConnection
            {
                void ConnectionStringCannotBeSet(string connectionString)
                {
                    var {|PGB006:rc|} = (TConnection)Activator.CreateInstance(typeof(TConnection), connectionString)!;
                    rc.CommandTimeout = TimeSpan.FromSeconds(1);
                }

                TConnection Generic() => Activator.CreateInstance<TConnection>();

                void GenericNeverDisposed()
                {
                    var {|PGB006:rc|} = Activator.CreateInstance<TConnection>();
                    rc.WalReceiverTimeout = TimeSpan.FromSeconds(1);
                }
            }
            """);

    [Fact]
    public Task Replication_connections_disposed_returned_or_made_from_an_unknown_type_are_fine()
        => VerifyPgb006.AnalyzerAsync("""
            using Npgsql.Replication;

            abstract class ReplicationChecks<TConnection> where TConnection : ReplicationConnection
            {
                async Task FixedAsync(string connectionString)
                {
                    await using var rc = (TConnection)Activator.CreateInstance(typeof(TConnection), connectionString)!;
                    rc.CommandTimeout = TimeSpan.FromSeconds(1);
                }

                async Task DisposedAsync(string connectionString)
                {
                    var rc = new LogicalReplicationConnection(connectionString);
                    try { await rc.Open(); }
                    finally { await rc.DisposeAsync(); }
                }

                async Task<LogicalReplicationConnection> OpenAsync(string connectionString, CancellationToken ct)
                {
                    var rc = new LogicalReplicationConnection(connectionString);
                    await rc.Open(ct);
                    return rc;
                }

                object Untyped(Type connectionType, string connectionString)
                {
                    var made = Activator.CreateInstance(connectionType, connectionString)!;
                    return made;
                }

                void NotAConnection()
                {
                    var list = Activator.CreateInstance<List<int>>();
                    list.Add(1);
                }
            }
            """);
}
