// Dotmim.Sync NpgsqlManagementUtils.DropTableIfExistsAsync (NpgsqlManagementUtils.cs:120): the (already quoted)
// table name lands after 'DROP TABLE IF EXISTS', an identifier position; an identifier cannot be a parameter.
// At most PGB203 (Info) applies here, since the name is a parameter of the method.
using System.Globalization;
using System.Threading.Tasks;
using Npgsql;

public static class DropTableIfExistsIdentifier
{
    public static async Task DropTableIfExistsAsync(NpgsqlConnection connection, string quotedTableName)
    {
        await using var cmd = new NpgsqlCommand(
            string.Format(CultureInfo.InvariantCulture, "DROP TABLE IF EXISTS {0}", quotedTableName), connection);  // PGB201
        await cmd.ExecuteNonQueryAsync();
    }
}
