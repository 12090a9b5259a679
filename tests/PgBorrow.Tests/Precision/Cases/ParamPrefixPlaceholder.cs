// PetaPoco Database.cs:2507: 'WHERE pk = {_paramPrefix}{index}': the provider's parameter prefix ("@" or ":")
// followed by an int is a placeholder, and the value is added as a parameter on the next line. PGB201 reads the
// prefix field (not readonly: set from the provider in the constructor) as a value after '='.
using Npgsql;

public sealed class ParamPrefixPlaceholder
{
    string _paramPrefix;

    public ParamPrefixPlaceholder(bool colon) { _paramPrefix = colon ? ":" : "@"; }

    public void BuildUpdate(NpgsqlCommand cmd, object id)
    {
        var index = 0;
        cmd.CommandText = $"UPDATE \"t\" SET \"x\" = 1 WHERE \"id\" = {_paramPrefix}{index++}";  // PGB201: "built from '_paramPrefix'"
        cmd.Parameters.AddWithValue(id);
    }
}
