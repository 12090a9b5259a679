using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb109 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SessionStateUnderTransactionPoolingAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class SessionStateUnderTransactionPoolingTests
{
    const string TransactionPooling = "pgborrow.connection_pooling = transaction";
    const string Pooled = "which under transaction pooling stays with a server connection the pooler hands to other clients";

    static DiagnosticResult Pgb109(int location, string what, string instead)
        => new DiagnosticResult("PGB109", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(what, instead);

    const string SessionStateEverywhere = """
        class Worker
        {
            const string TenantSql = "SET search_path = tenant_a";

            async Task RunAsync(NpgsqlConnection conn, NpgsqlDataSource dataSource, CancellationToken ct)
            {
                await using (var cmd = new NpgsqlCommand({|#0:"SELECT pg_advisory_lock(42)"|}, conn))
                    await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand({|#1:TenantSql|}, conn))
                    await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand({|#2:"SELECT set_config('app.tenant', 'a', false)"|}, conn))
                    await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand({|#3:"LISTEN orders_changed"|}, conn))
                    await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand({|#4:"PREPARE find (bigint) AS SELECT * FROM orders WHERE id = $1"|}, conn))
                    await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand({|#5:"CREATE TEMP TABLE staging (id bigint)"|}, conn))
                    await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand({|#6:"DECLARE export_rows CURSOR WITH HOLD FOR SELECT * FROM orders"|}, conn))
                    await cmd.ExecuteNonQueryAsync(ct);
                await using (var cmd = new NpgsqlCommand({|#7:"SELECT pg_export_snapshot()"|}, conn))
                    await cmd.ExecuteScalarAsync(ct);
                await using (var cmd = new NpgsqlCommand("SELECT * FROM orders WHERE id = $1", conn))
                {
                    cmd.Parameters.AddWithValue(1L);
                    await {|#8:cmd.PrepareAsync(ct)|};
                    await cmd.ExecuteNonQueryAsync(ct);
                }
                await using var guard = await {|#9:conn.AdvisoryLockAsync(42, ct)|};
                await foreach (var notification in {|#10:dataSource.ListenAsync("orders_changed", ct)|})
                    break;
            }
        }
        """;

    [Fact]
    public Task Every_kind_of_session_state_is_reported_with_what_to_use_instead()
        => VerifyPgb109.AnalyzerAsync(SessionStateEverywhere, TransactionPooling,
            Pgb109(0, "'pg_advisory_lock' takes a session advisory lock", "use pg_advisory_xact_lock inside a transaction"),
            Pgb109(1, "'SET search_path' without LOCAL changes the setting for the rest of the session", "use SET LOCAL (or set_config(..., true)) inside a transaction"),
            Pgb109(2, "'set_config('app.tenant', ..., false)' changes the setting for the rest of the session", "pass true as its third argument, inside a transaction"),
            Pgb109(3, "'LISTEN orders_changed' subscribes the session to a channel", "listen on a connection that goes to PostgreSQL directly, not through the pooler"),
            Pgb109(4, "'PREPARE find' creates a named prepared statement in the session", "run the statement itself with parameters"),
            Pgb109(5, "'CREATE TEMP TABLE staging' without ON COMMIT DROP keeps the table for the rest of the session", "add ON COMMIT DROP and use the table inside that one transaction"),
            Pgb109(6, "'DECLARE export_rows ... WITH HOLD' keeps the cursor open in the session after the transaction", "declare the cursor without HOLD and read it inside its transaction"),
            Pgb109(7, "'pg_export_snapshot()' runs outside a transaction, so its snapshot ends with the statement", "export it inside the transaction that stays open while others import it, or use ExportSnapshotAsync"),
            Pgb109(8, "'PrepareAsync' creates a server-side prepared statement in the session", "run the command unprepared, or on PgBouncer 1.21+ with max_prepared_statements set pgborrow.pgbouncer_prepared_statements = true"),
            Pgb109(9, "'AdvisoryLockAsync' takes a session advisory lock", "use AdvisoryXactLockAsync inside a transaction scope"),
            Pgb109(10, "'ListenAsync' subscribes the session to a channel with LISTEN", "listen through a data source that connects to PostgreSQL directly, not through the pooler"));

    [Fact]
    public void The_message_says_why_the_state_leaks()
        => Assert.Contains(Pooled, PgBorrow.Analyzers.Rules.SessionStateUnderTransactionPoolingAnalyzer.Descriptor.MessageFormat.ToString());

    [Theory]
    [InlineData(null)]
    [InlineData("pgborrow.connection_pooling = session")]
    [InlineData("pgborrow.connection_pooling = none")]
    public Task Nothing_is_reported_unless_the_project_declares_transaction_pooling(string? editorConfig)
        => VerifyPgb109.AnalyzerAsync(StripMarkup(SessionStateEverywhere), editorConfig);

    static string StripMarkup(string source)
        => System.Text.RegularExpressions.Regex.Replace(source, @"\{\|#\d+:(.*?)\|\}", "$1");

    [Fact]
    public Task Transaction_scoped_state_is_not_reported()
        => VerifyPgb109.AnalyzerAsync("""
            class Worker
            {
                async Task RunAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                {
                    await using var conn = await dataSource.OpenConnectionAsync(ct);
                    await using var tx = await conn.BeginTransactionAsync(ct);
                    await using (var cmd = new NpgsqlCommand("SET LOCAL search_path = tenant_a; SELECT set_config('app.tenant', 'a', true)", conn, tx))
                        await cmd.ExecuteNonQueryAsync(ct);
                    await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_xact_lock(42); SELECT pg_try_advisory_xact_lock_shared(7)", conn, tx))
                        await cmd.ExecuteNonQueryAsync(ct);
                    await using (var cmd = new NpgsqlCommand("CREATE TEMP TABLE staging (id bigint) ON COMMIT DROP", conn, tx))
                        await cmd.ExecuteNonQueryAsync(ct);
                    await using (var cmd = new NpgsqlCommand("SELECT pg_export_snapshot()", conn, tx))
                        await cmd.ExecuteScalarAsync(ct);
                    await using (var cmd = new NpgsqlCommand("SELECT 'LISTEN x; SET a = 1'; UPDATE t SET a = 1", conn, tx))
                        await cmd.ExecuteNonQueryAsync(ct);
                    await using (var cmd = new NpgsqlCommand("SELECT pg_advisory_unlock(42)", conn, tx))
                        await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }

                Task ScopeAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                    => dataSource.InTransactionAsync(async (tx, token) => await tx.AdvisoryXactLockAsync(42, token), ct);
            }
            """, TransactionPooling);

    [Fact]
    public Task Sql_through_dapper_the_runtime_a_const_field_and_multi_statement_text_is_read()
        => VerifyPgb109.AnalyzerAsync("""
            static class Sql
            {
                public const string Hold = "BEGIN; DECLARE c CURSOR WITH HOLD FOR SELECT 1; COMMIT";
            }

            class Worker
            {
                Task<int> DapperAsync(IDbConnection conn)
                    => Dapper.SqlMapper.ExecuteAsync(conn, {|#0:"SELECT pg_try_advisory_lock_shared(@key)"|}, new { key = 42L });

                Task<int> RuntimeAsync(NpgsqlConnection conn, CancellationToken ct)
                    => conn.ExecuteAsync({|#1:"SET statement_timeout = '5s'"|}, ct);

                async Task MultiAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var cmd = conn.CreateCommand();
                    cmd.CommandText = {|#2:Sql.Hold|};
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                // Inside a transaction a plain SET still outlives the commit: reported.
                Task ScopeAsync(NpgsqlDataSource dataSource, CancellationToken ct)
                    => dataSource.InTransactionAsync(async (tx, token) => await tx.ExecuteAsync({|#3:"SET work_mem = '64MB'"|}, token), ct);

                Task ZoneAsync(NpgsqlConnection conn, CancellationToken ct)
                    => conn.ExecuteAsync({|#5:"SET TIME ZONE 'UTC'"|}, ct);

                Task RoleAsync(NpgsqlConnection conn, CancellationToken ct)
                    => conn.ExecuteAsync({|#6:"SET SESSION AUTHORIZATION reporting"|}, ct);

                // BEGIN in the same text: the snapshot is exported inside that transaction.
                async Task SnapshotAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT pg_export_snapshot()", conn);
                    await cmd.ExecuteScalarAsync(ct);
                }
            }
            """, TransactionPooling,
            Pgb109(0, "'pg_try_advisory_lock_shared' takes a session advisory lock", "use pg_try_advisory_xact_lock_shared inside a transaction"),
            Pgb109(1, "'SET statement_timeout' without LOCAL changes the setting for the rest of the session", "use SET LOCAL (or set_config(..., true)) inside a transaction"),
            Pgb109(2, "'DECLARE c ... WITH HOLD' keeps the cursor open in the session after the transaction", "declare the cursor without HOLD and read it inside its transaction"),
            Pgb109(3, "'SET work_mem' without LOCAL changes the setting for the rest of the session", "use SET LOCAL (or set_config(..., true)) inside a transaction"),
            Pgb109(5, "'SET TIME ZONE' without LOCAL changes the setting for the rest of the session", "use SET LOCAL (or set_config(..., true)) inside a transaction"),
            Pgb109(6, "'SET SESSION AUTHORIZATION' without LOCAL changes the setting for the rest of the session", "use SET LOCAL (or set_config(..., true)) inside a transaction"));

    const string AutoPrepare = """
        class Setup
        {
            NpgsqlDataSource FromString() => NpgsqlDataSource.Create({|#0:"Host=pgbouncer;Database=app;Max Auto Prepare=20"|});

            NpgsqlConnection Connection() => new NpgsqlConnection({|#1:"Host=pgbouncer;maxautoprepare = 5"|});

            NpgsqlDataSource FromBuilder()
            {
                var builder = new NpgsqlConnectionStringBuilder("Host=pgbouncer") { {|#2:MaxAutoPrepare = 10|} };
                return NpgsqlDataSource.Create(builder);
            }

            NpgsqlDataSource Off() => NpgsqlDataSource.Create("Host=pgbouncer;Max Auto Prepare=0");

            void Prepare(NpgsqlCommand cmd) => {|#3:cmd.Prepare()|};

            Task<int> Runtime(NpgsqlConnection conn, CancellationToken ct)
                => conn.ExecuteAsync("UPDATE orders SET seen = true", {|#4:PgQueryOptions.Prepared|}, ct);

            PgQueryOptions Options() => new() { {|#5:Prepare = true|} };

            PgQueryOptions Unprepared() => new() { Prepare = false };
        }
        """;

    [Fact]
    public Task Automatic_preparation_in_constant_connection_strings_is_reported()
    {
        const string remedy = "leave automatic preparation off, or on PgBouncer 1.21+ with max_prepared_statements set pgborrow.pgbouncer_prepared_statements = true";
        return VerifyPgb109.AnalyzerAsync(AutoPrepare, TransactionPooling,
            Pgb109(0, "'Max Auto Prepare=20' in the connection string makes Npgsql prepare statements in the session automatically", remedy),
            Pgb109(1, "'maxautoprepare = 5' in the connection string makes Npgsql prepare statements in the session automatically", remedy),
            Pgb109(2, "'MaxAutoPrepare = 10' makes Npgsql prepare statements in the session automatically", remedy),
            Pgb109(3, "'Prepare' creates a server-side prepared statement in the session", "run the command unprepared, or on PgBouncer 1.21+ with max_prepared_statements set pgborrow.pgbouncer_prepared_statements = true"),
            Pgb109(4, "'PgQueryOptions.Prepared' makes the query method prepare the statement in the session", "run the query unprepared, or on PgBouncer 1.21+ with max_prepared_statements set pgborrow.pgbouncer_prepared_statements = true"),
            Pgb109(5, "'Prepare = true' makes the query method prepare the statement in the session", "run the query unprepared, or on PgBouncer 1.21+ with max_prepared_statements set pgborrow.pgbouncer_prepared_statements = true"));
    }

    [Fact]
    public Task Preparation_is_allowed_when_the_pooler_keeps_prepared_statements()
        => VerifyPgb109.AnalyzerAsync(StripMarkup(AutoPrepare) + """

            class Sessions
            {
                // SQL-level PREPARE is still session state: PgBouncer tracks protocol-level preparation only.
                Task<int> Named(NpgsqlConnection conn) => Dapper.SqlMapper.ExecuteAsync(conn, {|#0:"PREPARE q AS SELECT 1"|});
            }
            """, TransactionPooling + "\npgborrow.pgbouncer_prepared_statements = true",
            Pgb109(0, "'PREPARE q' creates a named prepared statement in the session", "run the statement itself with parameters"));
}
