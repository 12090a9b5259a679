// Dapper.Contrib SqlMapperExtensions.cs:823, :879, :935, :991, :1066, :1119 and SqlMapperExtensions.Async.cs
// :379, :412, :446, :479, :531, :561: every ISqlAdapter.Insert receives the column list and the placeholder list
// ("@Id, @Name") that SqlMapperExtensions.Insert<T> builds from the entity's properties, and writes
// 'insert into {table} ({columnList}) values ({parameterList})'. The piece after 'VALUES (' is the list of
// placeholders, not a value: the values are bound as parameters. PGB201 reads it as a value position.
// (The same line also gets PGB203, info, for 'tableName': triaged as a judgement call, not part of this case.)
using System.Data;
using System.Text;

public interface ISqlAdapterLike
{
    int Insert(IDbConnection connection, string tableName, string columnList, string parameterList);
}

public sealed class PostgresAdapterLike : ISqlAdapterLike
{
    public int Insert(IDbConnection connection, string tableName, string columnList, string parameterList)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"insert into {tableName} ({columnList}) values ({parameterList}) RETURNING id";  // PGB201: "built from 'parameterList'"
        return (int)cmd.ExecuteScalar()!;
    }
}
