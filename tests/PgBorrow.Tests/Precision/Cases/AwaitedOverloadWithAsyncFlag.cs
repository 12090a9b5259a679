// Npgsql's internal instance overloads Open(bool async, ...), ExecuteReader(bool async, ...), NextResult(bool async, ...),
// Rollback(bool async) (NpgsqlCommand.cs:1268/1314, NpgsqlDataAdapter.cs:155-157, NpgsqlDataSourceCommand.cs:27-31,
// NpgsqlDataReader.cs:995, NpgsqlTransaction.cs:385, Schema/DbColumnSchemaGenerator.cs:138-141): the call returns a
// task and is awaited; it is not the blocking ExecuteReader()/Open(). Reduced here to a command subclass.
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

public class FlagCommand : NpgsqlCommand
{
    public FlagCommand(string sql, NpgsqlConnection conn) : base(sql, conn) { }

    internal ValueTask<NpgsqlDataReader> ExecuteReader(bool async, CommandBehavior behavior, CancellationToken ct)
        => async ? new(ExecuteReaderAsync(behavior, ct)) : new(ExecuteReader(behavior));

    internal async Task<object?> ExecuteScalar(bool async, CancellationToken ct)
    {
        await using var reader = await ExecuteReader(async, CommandBehavior.Default, ct);  // PGB005 'ExecuteReader'
        return await reader.ReadAsync(ct) ? reader.GetValue(0) : null;
    }
}
