// Chloe Data/AdoExtension.cs:30, :52, :73, :139 and Data/DbCommandDecorator.cs:112, :131, :141, :156;
// Insight.Database Extensions/AsyncExtensions.cs:1012: code written against IDbCommand / IDataReader tries
// 'as DbCommand' and awaits the async form; only an IDbCommand that is not a DbCommand (which has no async form
// at all) reaches the sync call after it. PGB005 reports that fallback, with the advice to do what the code already
// did ("declare 'cmd' as 'DbCommand' ... and await 'ExecuteReaderAsync'").
using System.Data;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;

public static class AsyncCastFallback
{
    public static async Task<IDataReader> GetReaderAsync(this IDbCommand command, CommandBehavior behavior, CancellationToken ct)
    {
        if (command is DbCommand dbCommand)
            return await dbCommand.ExecuteReaderAsync(behavior, ct).ConfigureAwait(false);

        return command.ExecuteReader(behavior);  // PGB005: "'IDbCommand' has no async form: declare 'command' as 'DbCommand'"
    }
}
