using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB103 — Session advisory lock not released on every path.
//
// The bug: every instance of the service runs the same scheduler, and pg_advisory_lock makes sure
// only one of them runs a given job at a time. The unlock comes after the job, but not in a
// 'finally': when the job throws, the method leaves with the lock still taken.
//
// What PostgreSQL does at run time: a session-level advisory lock belongs to the session (the
// backend process), not to a transaction, and it is held "until explicitly released or the session
// ends". Disposing the connection does not end the session: Npgsql returns the physical connection
// to its pool, where it sits "idle" in pg_stat_activity and still holds the lock in pg_locks. Every
// other instance that runs the job now waits in pg_advisory_lock (pg_try_advisory_lock returns
// false), until this pooled connection happens to be handed out again and Npgsql's reset
// (DISCARD ALL, which includes pg_advisory_unlock_all()) goes out ahead of its next command, or
// until the pool closes the idle connection. In a quiet pool that can take minutes; with
// "No Reset On Close=true" it lasts as long as the physical connection.
//
// Fixed version: Right/Pgb103_SessionAdvisoryLockNotReleased.cs
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
        await job(cancellationToken); // BUG (PGB103): when the job throws, the unlock below never runs
        await release.ExecuteNonQueryAsync(cancellationToken);
    }
}
