// Dotmim.Sync NpgsqlSyncAdapter.GetResetCommand (NpgsqlSyncAdapter.cs:203) and the generated PL/pgSQL functions of
// NpgsqlSyncAdapter.RowCommand.cs:117/244: identifiers from the sync setup inside a dollar-quoted body
// ('DO $$ ... $$', 'AS $BODY$ ... $BODY$'). A dollar-quoted body is SQL code, not a string value: the pieces are in
// identifier position (after ALTER TABLE / DELETE FROM / in a select list), where PGB201 does not report.
using System.Text;
using Npgsql;

public sealed class DollarQuotedBodyIdentifiers(string tableQuotedFullName, string trackingTableQuotedFullName)
{
    public NpgsqlCommand Reset(NpgsqlConnection conn)
    {
        var sb = new StringBuilder();
        sb.AppendLine("DO $$");
        sb.AppendLine("BEGIN");
        sb.AppendLine($"ALTER TABLE {tableQuotedFullName} DISABLE TRIGGER ALL;");  // PGB201 fires for the built text
        sb.AppendLine($"DELETE FROM {tableQuotedFullName};");
        sb.AppendLine($"DELETE FROM {trackingTableQuotedFullName};");
        sb.AppendLine($"ALTER TABLE {tableQuotedFullName} ENABLE TRIGGER ALL;");
        sb.AppendLine("END $$;");
        return new NpgsqlCommand(sb.ToString(), conn);
    }
}
