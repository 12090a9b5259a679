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

    /// <summary>
    /// A command for the query methods, which own it and dispose it before they return:
    /// <see cref="NpgsqlConnection.CreateCommand"/> hands out the connection's cached command when it is
    /// free, and disposing it gives it back (Npgsql clears its text, parameters and timeout), so a statement
    /// on a connection or in a transaction allocates no NpgsqlCommand, parameter collection or batch command
    /// after the first. Not for commands handed to the caller (<see cref="PgSql.CreateCommand"/>): one used
    /// after its disposal would be the next query's command.
    /// </summary>
    public NpgsqlCommand CreateOwnedCommand(NpgsqlConnection connection, NpgsqlTransaction? transaction)
    {
        var command = connection.CreateCommand();
        command.CommandText = Text;
        command.Transaction = transaction;
        AddParameters(command);
        return command;
    }

    public NpgsqlCommand CreateCommand(NpgsqlDataSource dataSource)
    {
        var command = dataSource.CreateCommand(Text);
        AddParameters(command);
        return command;
    }

    /// <summary>A statement of a batch (<see cref="PgBatch"/>), with its own <c>$n</c> parameters.</summary>
    public NpgsqlBatchCommand CreateBatchCommand()
    {
        var command = new NpgsqlBatchCommand(Text);
        AddParameters(command.Parameters);
        return command;
    }

    private void AddParameters(NpgsqlCommand command) => AddParameters(command.Parameters);

    private void AddParameters(NpgsqlParameterCollection parameters)
    {
        foreach (var parameter in Parameters)
            parameters.Add(parameter);
    }
}
