using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Xunit;
using VerifyPgb111 = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.LockKeyDiffersBetweenProcessesAnalyzer>;

namespace PgBorrow.Tests.Rules;

public class LockKeyDiffersBetweenProcessesTests
{
    static DiagnosticResult Pgb111(int location, string origin)
        => new DiagnosticResult("PGB111", DiagnosticSeverity.Warning).WithLocation(location).WithArguments(origin);

    [Fact]
    public Task Keys_from_per_process_hashes_are_reported_at_the_lock()
        => VerifyPgb111.AnalyzerAsync("""
            record JobKey(string Tenant, string Name);

            class Locks
            {
                // The runtime's lock, keyed by the resource's name.
                async Task RunAsync(NpgsqlConnection conn, string resource, CancellationToken ct)
                {
                    await using var guard = await conn.AdvisoryLockAsync({|#0:resource.GetHashCode()|}, ct);
                }

                // SQL with a command parameter, through a local and a widening conversion.
                async Task LockAsync(NpgsqlConnection conn, string resource, CancellationToken ct)
                {
                    long key = resource.GetHashCode();
                    await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock($1)", conn);
                    cmd.Parameters.AddWithValue({|#1:key|});
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                // Dapper, with HashCode.Combine (seeded per process whatever it combines).
                Task<int> XactLockAsync(System.Data.IDbConnection conn, string tenant, int id)
                    => Dapper.SqlMapper.ExecuteAsync(conn, "SELECT pg_advisory_xact_lock(@key)", new { key = {|#2:HashCode.Combine(tenant, id)|} });

                // Interpolated into the SQL, through a helper that hashes a record holding strings.
                async Task LockJobAsync(NpgsqlConnection conn, JobKey job, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({{|#3:KeyOf(job)|}})", conn);
                    await cmd.ExecuteScalarAsync(ct);
                }

                static long KeyOf(JobKey job) => job.GetHashCode();

                // StringComparer's hash is randomised too.
                async Task LockIgnoringCaseAsync(NpgsqlConnection conn, string resource, CancellationToken ct)
                {
                    await using var guard = await conn.TryAdvisoryLockAsync({|#4:StringComparer.OrdinalIgnoreCase.GetHashCode(resource)|}, ct);
                }
            }
            """,
            Pgb111(0, "resource.GetHashCode()"),
            Pgb111(1, "resource.GetHashCode()"),
            Pgb111(2, "HashCode.Combine(tenant, id)"),
            Pgb111(3, "KeyOf(job)"),
            Pgb111(4, "StringComparer.OrdinalIgnoreCase.GetHashCode(resource)"));

    [Fact]
    public Task Stable_keys_and_hashes_outside_locks_are_fine()
        => VerifyPgb111.AnalyzerAsync("""
            class Locks
            {
                const long MigrationLock = 7_341_002;

                // A constant, an integer id's own hash (stable), a stable hash computed here, hashtext() in the SQL.
                async Task LockAsync(NpgsqlConnection conn, int orderId, string resource, CancellationToken ct)
                {
                    await using var first = await conn.AdvisoryLockAsync(MigrationLock, ct);
                    await using var second = await conn.AdvisoryLockAsync(orderId.GetHashCode(), ct);
                    await using var third = await conn.AdvisoryLockAsync(Fnv1a(resource), ct);
                    await using var cmd = new NpgsqlCommand("SELECT pg_advisory_lock(hashtext($1))", conn);
                    cmd.Parameters.AddWithValue(resource);
                    await cmd.ExecuteNonQueryAsync(ct);
                }

                static long Fnv1a(string text)
                {
                    var hash = 14695981039346656037UL;
                    foreach (var b in System.Text.Encoding.UTF8.GetBytes(text))
                        hash = (hash ^ b) * 1099511628211UL;
                    return unchecked((long)hash);
                }

                // A per-process hash where no lock is taken: an in-memory cache bucket.
                async Task<long> CountAsync(NpgsqlConnection conn, string name, CancellationToken ct)
                {
                    var bucket = name.GetHashCode() % 16;
                    await using var cmd = new NpgsqlCommand("SELECT count(*) FROM jobs WHERE bucket = $1", conn);
                    cmd.Parameters.AddWithValue(bucket);
                    return (long)(await cmd.ExecuteScalarAsync(ct))!;
                }
            }
            """);

    [Fact]
    public Task Key_held_by_an_options_member_filled_with_a_per_process_hash_is_reported()
        => VerifyPgb111.AnalyzerAsync("""
            sealed class LockOptions
            {
                public int AdvisoryLockKey { get; private set; }
                public long StableKey { get; private set; } = 7001;
                public int SetByCaller { get; set; }

                public void Configure(string schema, string table)
                {
                    var name = $"{schema}.{table}";
                    AdvisoryLockKey = Math.Abs(name.GetHashCode());
                    StableKey = 7002;
                }
            }

            class Election
            {
                readonly LockOptions _options = new();

                async Task<bool> TryLeadAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", conn);
                    cmd.Parameters.AddWithValue("@key", {|#0:_options.AdvisoryLockKey|});
                    return (bool)(await cmd.ExecuteScalarAsync(ct))!;
                }

                async Task<bool> TryStableAsync(NpgsqlConnection conn, CancellationToken ct)
                {
                    await using var cmd = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key, @other)", conn);
                    cmd.Parameters.AddWithValue("@key", _options.StableKey);
                    cmd.Parameters.AddWithValue("@other", _options.SetByCaller);
                    return (bool)(await cmd.ExecuteScalarAsync(ct))!;
                }
            }
            """,
            Pgb111(0, "_options.AdvisoryLockKey"));
}
