// EFCore.BulkExtensions PostgreSqlAdapter.cs:562: one flag decides both whether the transaction is borrowed
// (the caller's) or begun here, and whether it is committed: 'tx = external ? borrowed : conn.BeginTransaction()'
// then 'if (!external) tx.Commit()'. PGB001 reports a normal return with the begun transaction open, a path on which
// the flag would have to be both true and false. (The real defect there is on the exception path: a throwing
// ExecuteScalar leaves the begun transaction open; PGB002 reports that since the flag is followed. This case has
// the rollback the real code lacks, so that it is right on every path.)
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

public static class CorrelatedFlagBorrowedOrBegun
{
    public static async Task<long> CountAsync(NpgsqlConnection connection, NpgsqlTransaction? current, CancellationToken ct)
    {
        bool external = false;
        if (current != null)
            external = true;
        var begun = external ? current : connection.BeginTransaction();
        var transaction = (NpgsqlTransaction?)begun;  // PGB001: "still open when the method returns"
        try
        {
            using var command = new NpgsqlCommand("SELECT count(*) FROM t", connection, transaction);
            var count = (long?)await command.ExecuteScalarAsync(ct) ?? 0;
            if (!external)
            {
                await transaction!.CommitAsync(ct);
            }
            return count;
        }
        catch
        {
            if (!external)
                await transaction!.RollbackAsync(ct);
            throw;
        }
    }
}
