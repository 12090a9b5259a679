// Chloe Data/AdoExtension.cs:12, :37, :58, :124: a helper with a 'bool async' flag whose sync form is
// 'if (!async) { return X(); }' followed by the awaited async form. The sync call runs only when the caller
// asked for sync; PGB005 leaves 'async ? await XAsync() : X()' and 'if (async) ... else X()' alone, but not the
// negated flag with an early return.
using System.Data.Common;
using System.Threading.Tasks;

public static class NegatedAsyncFlagEarlyReturn
{
    public static async Task<DbDataReader> ExecuteReader(this DbCommand cmd, bool @async)
    {
        if (!@async)
        {
            return cmd.ExecuteReader();  // PGB005: "'ExecuteReader' blocks a thread in async code"
        }

        return await cmd.ExecuteReaderAsync();
    }
}
