using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Showcase.Right;

// PGB111, fixed: the key is a stable hash of the job's name (64-bit FNV-1a over its UTF-8 bytes), the same
// in every process and on every machine, so every instance of the service contends for the same lock.
// (XxHash64 from System.IO.Hashing, or hashtext() in the SQL, serve as well.)
//
// The bug: Wrong/Pgb111_LockKeyDiffersBetweenProcesses.cs
public sealed class ReportScheduler
{
    /// <summary>Runs the job unless another instance is running it. The caller owns the connection.</summary>
    public async Task<bool> TryRunAsync(NpgsqlConnection connection, string jobName, CancellationToken cancellationToken)
    {
        await using var guard = await connection.TryAdvisoryLockAsync(StableKey(jobName), cancellationToken);
        if (guard is null)
            return false;
        await Task.Delay(10, cancellationToken); // the job itself
        return true;
    }

    /// <summary>64-bit FNV-1a of the UTF-8 bytes: a key every process computes alike.</summary>
    public static long StableKey(string name)
    {
        var hash = 14695981039346656037UL;
        foreach (var b in Encoding.UTF8.GetBytes(name))
            hash = (hash ^ b) * 1099511628211UL;
        return unchecked((long)hash);
    }
}
