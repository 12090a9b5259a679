// Dapper SqlMapper.Async.cs:465 (QueryAsync, unbuffered): the async method hands the open reader to an iterator
// method and returns the lazy sequence. Calling an iterator runs none of its body; its sync Read() runs when the
// caller enumerates, after the async method has completed. PGB005 reports the call as blocking.
using System.Collections.Generic;
using System.Data.Common;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

public static class IteratorHelperCalledInAsync
{
    public static async Task<IEnumerable<long>> QueryUnbufferedAsync(NpgsqlCommand command, CancellationToken ct)
    {
        DbDataReader? reader = null;
        try
        {
            reader = await command.ExecuteReaderAsync(ct).ConfigureAwait(false);
            var deferred = ReadLazily(reader);  // PGB005: "'ReadLazily' blocks a thread in async code: it calls 'Read' synchronously"
            reader = null; // the iterator owns it now
            return deferred;
        }
        finally
        {
            reader?.Dispose();
        }
    }

    static IEnumerable<long> ReadLazily(DbDataReader reader)
    {
        using (reader)
        {
            while (reader.Read())
                yield return reader.GetInt64(0);
        }
    }
}
