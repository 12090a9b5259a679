using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB103, fixed: the unlock runs in a 'finally', so the lock is released whether the job returns,
// throws or is cancelled. The unlock gets CancellationToken.None on purpose: when the job ended
// because the token was cancelled, an unlock sent with that token would be cancelled too, and the
// lock would stay with the pooled connection.
//
// When the job's own work fits in one transaction, pg_advisory_xact_lock inside that transaction is
// simpler still: PostgreSQL releases it at commit or rollback, and there is nothing to unlock.
//
// The bug: Wrong/Pgb103_SessionAdvisoryLockNotReleased.cs
public sealed class ExclusiveJobRunner
{
    private readonly NpgsqlDataSource _dataSource;

    public ExclusiveJobRunner(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>
    /// Runs <paramref name="job"/> while holding the session advisory lock <paramref name="jobKey"/>,
    /// so that no other instance runs the same job at the same time. Waits while another instance holds it.
    /// </summary>
    public async Task RunExclusiveAsync(long jobKey, Func<CancellationToken, Task> job, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using var acquire = new NpgsqlCommand("SELECT pg_advisory_lock($1)", connection);
        acquire.Parameters.AddWithValue(jobKey);
        await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock($1)", connection);
        release.Parameters.AddWithValue(jobKey);

        await acquire.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            await job(cancellationToken);
        }
        finally
        {
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Whether some session of this database holds the job's advisory lock right now (for monitoring).</summary>
    public async Task<bool> IsRunningAsync(long jobKey, CancellationToken cancellationToken)
    {
        // pg_locks shows a bigint advisory key split in two: the high 32 bits in classid, the low 32
        // bits in objid, with objsubid = 1 (objsubid = 2 is the two-int4-keys form).
        await using var command = _dataSource.CreateCommand("""
            SELECT EXISTS (
                SELECT 1 FROM pg_locks
                WHERE locktype = 'advisory' AND granted AND objsubid = 1
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                  AND (classid::bigint << 32) | objid::bigint = $1)
            """);
        command.Parameters.AddWithValue(jobKey);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }
}
