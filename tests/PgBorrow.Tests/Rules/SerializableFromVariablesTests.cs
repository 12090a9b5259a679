using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb106 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.SerializableWithoutRetryAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>PGB106 when the isolation level is not a constant at the Begin call.</summary>
public class SerializableFromVariablesTests
{
    static DiagnosticResult Pgb106(int location, string level, string source)
        => new DiagnosticResult("PGB106", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(level, "tx", $", isolation level from {source},");

    [Fact]
    public Task A_local_that_is_serializable_on_some_path_is_reported()
        => VerifyPgb106.AnalyzerAsync("""
            class Periods
            {
                void Close(NpgsqlConnection conn, bool strict)
                {
                    var level = strict ? IsolationLevel.Serializable : IsolationLevel.ReadCommitted;
                    using var tx = {|#0:conn.BeginTransaction(level)|};
                    using var cmd = new NpgsqlCommand("UPDATE periods SET closed = true", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """,
            Pgb106(0, "Serializable", "local 'level' (Serializable on some path)"));

    [Fact]
    public Task An_inline_conditional_and_a_reassigned_local_are_reported()
        => VerifyPgb106.AnalyzerAsync("""
            class Periods
            {
                async Task CloseAsync(NpgsqlConnection conn, bool strict, CancellationToken ct)
                {
                    await using var tx = await {|#0:conn.BeginTransactionAsync(strict ? IsolationLevel.Serializable : IsolationLevel.ReadCommitted, ct)|};
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM periods", conn, tx);
                    await cmd.ExecuteScalarAsync(ct);
                    await tx.CommitAsync(ct);
                }

                void Close(NpgsqlConnection conn, bool relaxed)
                {
                    var level = IsolationLevel.RepeatableRead;
                    if (relaxed)
                        level = IsolationLevel.ReadCommitted;
                    using var tx = {|#1:conn.BeginTransaction(level)|};
                    using var cmd = new NpgsqlCommand("UPDATE periods SET closed = true", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """,
            Pgb106(0, "Serializable", "the argument (Serializable on some path)"),
            Pgb106(1, "Repeatable-read", "local 'level' (RepeatableRead on some path)"));

    [Fact]
    public Task A_parameter_whose_default_is_serializable_is_reported()
        => VerifyPgb106.AnalyzerAsync("""
            class Periods
            {
                void Close(NpgsqlConnection conn, IsolationLevel isolation = IsolationLevel.Serializable)
                {
                    using var tx = {|#0:conn.BeginTransaction(isolation)|};
                    using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """,
            Pgb106(0, "Serializable", "parameter 'isolation' (default Serializable)"));

    [Fact]
    public Task A_parameter_without_default_or_with_a_read_committed_default_is_the_callers_choice()
        => VerifyPgb106.AnalyzerAsync("""
            class Periods
            {
                void Close(NpgsqlConnection conn, IsolationLevel isolation)
                {
                    using var tx = conn.BeginTransaction(isolation);
                    using var cmd = new NpgsqlCommand("UPDATE periods SET closed = true", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }

                void Open(NpgsqlConnection conn, IsolationLevel isolation = IsolationLevel.ReadCommitted)
                {
                    using var tx = conn.BeginTransaction(isolation);
                    using var cmd = new NpgsqlCommand("UPDATE periods SET closed = false", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }

                // The default is repeatable read, but the transaction only reads: it cannot fail this way.
                long Count(NpgsqlConnection conn, IsolationLevel isolation = IsolationLevel.RepeatableRead)
                {
                    using var tx = conn.BeginTransaction(isolation);
                    using var cmd = new NpgsqlCommand("SELECT count(*) FROM periods", conn, tx);
                    var count = (long)cmd.ExecuteScalar()!;
                    tx.Commit();
                    return count;
                }

                // Reassigned before the Begin: the body's value, not the default.
                void Reset(NpgsqlConnection conn, IsolationLevel isolation = IsolationLevel.Serializable)
                {
                    isolation = IsolationLevel.ReadCommitted;
                    using var tx = conn.BeginTransaction(isolation);
                    using var cmd = new NpgsqlCommand("UPDATE periods SET closed = false", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }

                // A local from a parameter without default: still the caller's choice.
                void Forward(NpgsqlConnection conn, IsolationLevel requested)
                {
                    var level = requested;
                    using var tx = conn.BeginTransaction(level);
                    using var cmd = new NpgsqlCommand("UPDATE periods SET closed = false", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """);

    [Fact]
    public Task A_readonly_field_or_get_only_property_given_only_constants_is_reported()
        => VerifyPgb106.AnalyzerAsync("""
            class Ledger
            {
                readonly IsolationLevel _level = IsolationLevel.Serializable;
                IsolationLevel Level { get; }

                public Ledger(bool strict) => Level = strict ? IsolationLevel.RepeatableRead : IsolationLevel.ReadCommitted;

                void Post(NpgsqlConnection conn)
                {
                    using var tx = {|#0:conn.BeginTransaction(_level)|};
                    using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }

                void Close(NpgsqlConnection conn)
                {
                    using var tx = {|#1:conn.BeginTransaction(Level)|};
                    using var cmd = new NpgsqlCommand("DELETE FROM entries WHERE draft", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
            }
            """,
            Pgb106(0, "Serializable", "field 'Ledger._level' (Serializable)"),
            Pgb106(1, "Repeatable-read", "property 'Ledger.Level' (RepeatableRead on some path)"));

    [Fact]
    public Task An_options_property_initialized_to_serializable_is_reported()
        => VerifyPgb106.AnalyzerAsync("""
            public sealed class LedgerOptions
            {
                public IsolationLevel Isolation { get; set; } = IsolationLevel.Serializable;
                public IsolationLevel ReportIsolation { get; set; } = IsolationLevel.ReadCommitted;
            }

            class Ledger
            {
                readonly LedgerOptions _options;
                public Ledger(LedgerOptions options) => _options = options;

                async Task PostAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await {|#0:conn.BeginTransactionAsync(_options.Isolation, ct)|};
                    await using var cmd = new NpgsqlCommand("SELECT 1", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }

                async Task ReportAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var tx = await conn.BeginTransactionAsync(_options.ReportIsolation, ct);
                    await using var cmd = new NpgsqlCommand("UPDATE reports SET done = true", conn, tx);
                    await cmd.ExecuteNonQueryAsync(ct);
                    await tx.CommitAsync(ct);
                }
            }
            """,
            Pgb106(0, "Serializable", "property 'LedgerOptions.Isolation' (initialized to Serializable)"));

    [Fact]
    public Task Fields_set_from_a_constructor_parameter_mutable_fields_and_retried_begins_are_not_reported()
        => VerifyPgb106.AnalyzerAsync("""
            public sealed class LedgerOptions
            {
                public IsolationLevel Isolation { get; set; }
            }

            class Ledger
            {
                readonly IsolationLevel _level = IsolationLevel.Serializable;
                readonly IsolationLevel _chosen;
                IsolationLevel _mutable = IsolationLevel.Serializable;
                readonly LedgerOptions _options = new();
                IsolationLevel Computed => Pick();

                public Ledger(IsolationLevel level)
                {
                    _level = level;
                    _chosen = level;
                }

                static IsolationLevel Pick() => IsolationLevel.Serializable;

                void Post(NpgsqlConnection conn)
                {
                    using (var tx = conn.BeginTransaction(_level)) { Run(conn, tx); }
                    using (var tx = conn.BeginTransaction(_chosen)) { Run(conn, tx); }
                    using (var tx = conn.BeginTransaction(_mutable)) { Run(conn, tx); }
                    using (var tx = conn.BeginTransaction(_options.Isolation)) { Run(conn, tx); }
                    using (var tx = conn.BeginTransaction(Computed)) { Run(conn, tx); }
                    using (var tx = conn.BeginTransaction(Pick())) { Run(conn, tx); }
                }

                static void Run(NpgsqlConnection conn, NpgsqlTransaction tx)
                {
                    using var cmd = new NpgsqlCommand("UPDATE entries SET posted = true", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }

                async Task RetriedAsync(NpgsqlDataSource dataSource, IsolationLevel isolation = IsolationLevel.Serializable, CancellationToken ct = default)
                {
                    for (var attempt = 1; ; attempt++)
                    {
                        try
                        {
                            await using var conn = await dataSource.OpenConnectionAsync(ct);
                            await using var tx = await conn.BeginTransactionAsync(isolation, ct);
                            await using var cmd = new NpgsqlCommand("UPDATE entries SET posted = true", conn, tx);
                            await cmd.ExecuteNonQueryAsync(ct);
                            await tx.CommitAsync(ct);
                            return;
                        }
                        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.SerializationFailure && attempt < 5)
                        {
                        }
                    }
                }
            }
            """);

    [Fact]
    public Task Sql_that_sets_the_level_overrides_the_variable()
        => VerifyPgb106.AnalyzerAsync("""
            class Periods
            {
                void Close(NpgsqlConnection conn, IsolationLevel isolation = IsolationLevel.Serializable)
                {
                    using var tx = conn.BeginTransaction(isolation);
                    using (var set = new NpgsqlCommand("SET TRANSACTION ISOLATION LEVEL READ COMMITTED", conn, tx))
                        set.ExecuteNonQuery();
                    using var cmd = new NpgsqlCommand("UPDATE periods SET closed = true", conn, tx);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }

                void Deferrable(NpgsqlConnection conn, IsolationLevel isolation = IsolationLevel.Serializable)
                {
                    using var tx = conn.BeginTransaction(isolation);
                    using (var set = new NpgsqlCommand("SET TRANSACTION READ ONLY DEFERRABLE", conn, tx))
                        set.ExecuteNonQuery();
                    using var cmd = new NpgsqlCommand("SELECT count(*) FROM periods", conn, tx);
                    cmd.ExecuteScalar();
                    tx.Commit();
                }
            }
            """);
}
