// kernel-memory PostgresDbClient.cs:178: 'CREATE INDEX IF NOT EXISTS idx_tags ON {tableName} USING GIN(...)':
// the piece after 'ON' of CREATE INDEX is the table's name (an identifier, here already quoted and checked by
// a helper), yet PGB201 reports it as a value ("pass the value as a parameter"); the same name after
// 'CREATE TABLE IF NOT EXISTS' in the same text is read as an identifier (PGB203 at most).
using Npgsql;

public sealed class IndexOnIdentifier
{
    public void CreateIndex(NpgsqlCommand cmd, string tableName)
    {
        cmd.CommandText = $@"
            CREATE INDEX IF NOT EXISTS idx_tags ON {tableName} USING GIN(tags);
        ";  // PGB201 (on the line of '{tableName}'): "built from 'tableName'"
    }
}
