// Dotmim.Sync NpgsqlSyncAdapter.GetChangesCommand (NpgsqlSyncAdapter.GetChangesCommand.cs:82/160): a WHERE
// condition the program computes from the filter definition (a method result, not a parameter) is appended
// after 'WHERE ('. A fragment built by the program is its own SQL; PGB201 reports fragments only when they
// come from the caller. The '(' before it is a grouping parenthesis, not a function argument list.
using System.Text;
using Npgsql;

public sealed class ComputedWhereFragment
{
    string CreateFilterWhereSide(string column) => $"(side.\"{column}\" = @{column} OR @{column} IS NULL)";

    public void Build(NpgsqlCommand cmd, string? filterColumn)
    {
        var sb = new StringBuilder();
        sb.AppendLine("SELECT base.* FROM \"t\" base JOIN \"t_tracking\" side ON base.id = side.id");
        sb.AppendLine("WHERE (");
        if (filterColumn != null)
        {
            var where = CreateFilterWhereSide(filterColumn);
            sb.Append(where);  // PGB201: "built from 'where'"
            if (!string.IsNullOrEmpty(where)) sb.AppendLine(" AND ");
        }
        sb.AppendLine(" side.timestamp > @sync_min_timestamp)");
        cmd.CommandText = sb.ToString();
    }
}
