using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Wrong;

// PGB111 — Advisory lock key differs between processes.
//
// The bug: the nightly report job takes a session advisory lock so that only one instance of the service
// runs it, and keys the lock with the job's name's GetHashCode().
//
// What happens at run time: .NET randomises string hash codes per process. Each instance of the service
// computes a different key for "nightly-report", so each one gets "its" lock at once and all of them run
// the job together. Nothing fails; the lock just never excludes anyone outside its own process.
//
// Fixed version: Right/Pgb111_LockKeyDiffersBetweenProcesses.cs
public sealed class ReportScheduler
{
    /// <summary>Runs the job unless another instance is running it. The caller owns the connection.</summary>
    public async Task<bool> TryRunAsync(NpgsqlConnection connection, string jobName, CancellationToken cancellationToken)
    {
        await using var guard = await connection.TryAdvisoryLockAsync(jobName.GetHashCode(), cancellationToken); // BUG (PGB111)
        if (guard is null)
            return false;
        await Task.Delay(10, cancellationToken); // the job itself
        return true;
    }
}
