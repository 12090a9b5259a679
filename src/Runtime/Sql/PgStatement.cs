using System;
using Npgsql;

namespace PgBorrow;

/// <summary>SQL text with <c>$n</c> placeholders and its parameters, taken out of a <see cref="PgSql"/>.</summary>
internal readonly struct PgStatement
{
    private readonly NpgsqlParameter[]? _parameters;
    private readonly int _parameterCount;

    public PgStatement(string text, NpgsqlParameter[]? parameters, int parameterCount)
    {
        Text = text;
        _parameters = parameters;
        _parameterCount = parameterCount;
    }

    public string Text { get; }

    public ReadOnlySpan<NpgsqlParameter> Parameters => _parameters.AsSpan(0, _parameterCount);

    public NpgsqlCommand CreateCommand(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        var command = new NpgsqlCommand(Text, connection, transaction);
        AddParameters(command);
        return command;
    }

    public NpgsqlCommand CreateCommand(NpgsqlDataSource dataSource)
    {
        var command = dataSource.CreateCommand(Text);
        AddParameters(command);
        return command;
    }

    private void AddParameters(NpgsqlCommand command)
    {
        var parameters = command.Parameters;
        foreach (var parameter in Parameters)
            parameters.Add(parameter);
    }
}
