// Dotmim.Sync NpgsqlBuilderTable.GetCreateTableCommandAsync (Builders/NpgsqlBuilderTable.cs:419): the schema and
// table of a foreign key's parent table, from the sync setup, written as quoted identifiers after REFERENCES;
// the same pieces in 'ALTER TABLE "{schema}"."{table}"' a few lines up are (rightly) not reported. The only
// difference is the chained '.Append(" (")' after the piece.
using System.Text;
using Npgsql;

public static class QuotedIdentifierInChainedAppend
{
    public static NpgsqlCommand AddForeignKey(NpgsqlConnection conn, string schemaName, string tableName,
        string parentSchemaName, string parentTableName)
    {
        var sb = new StringBuilder();
        sb.Append($"ALTER TABLE \"{schemaName}\".\"{tableName}\" ");
        sb.Append("ADD CONSTRAINT \"FK_1\" FOREIGN KEY (\"parent_id\") ");
        sb.Append("REFERENCES ");
        sb.Append($"\"{parentSchemaName}\".\"{parentTableName}\"").Append(" (");  // PGB201 on this piece
        sb.Append("\"id\" );");
        return new NpgsqlCommand(sb.ToString(), conn);
    }
}
