using System;
using System.Collections.Generic;
using System.Text;

namespace PgBorrow.Benchmarks.AnalyzerCost;

/// <summary>
/// What one scenario instance needs: the table, a unique number for member names, and a seeded
/// random source for the small choices (connection from a data source or <c>new</c>, isolation
/// level, how many statements, which statement, command style) that keep the methods varied.
/// </summary>
internal sealed class MethodContext(Entity entity, int number, Random random)
{
    public Entity E { get; } = entity;

    public int Number { get; } = number;

    public Random Rng { get; } = random;

    /// <summary>A member name such as <c>ConfirmOrder0042Async</c>.</summary>
    public string Name(string verb, bool isAsync = true, string suffix = "")
        => $"{verb}{E.Name}{suffix}{Number:D4}{(isAsync ? "Async" : "")}";

    public T Pick<T>(params T[] options) => options[Rng.Next(options.Length)];

    public bool Chance(double probability) => Rng.NextDouble() < probability;

    public string State => Pick(E.States);

    public string Verb => Pick("Confirm", "Update", "Adjust", "Apply", "Settle", "Close", "Reopen", "Sync", "Mark", "Record");

    // ---- connections and transactions -------------------------------------------------------

    /// <summary>Declares and opens <c>conn</c>, disposed by a using declaration.</summary>
    public string OpenAsync() => Chance(0.6)
        ? "await using var conn = await _dataSource.OpenConnectionAsync(ct);"
        : "await using var conn = new NpgsqlConnection(_connectionString);\nawait conn.OpenAsync(ct);";

    public string OpenSync() => Chance(0.6)
        ? "using var conn = _dataSource.OpenConnection();"
        : "using var conn = new NpgsqlConnection(_connectionString);\nconn.Open();";

    public string BeginAsync(string conn = "conn") => Rng.Next(6) switch
    {
        0 => $"await {conn}.BeginTransactionAsync(IsolationLevel.RepeatableRead, ct)",
        1 => $"await {conn}.BeginTransactionAsync(IsolationLevel.Serializable, ct)",
        2 => $"await {conn}.BeginTransactionAsync(IsolationLevel.ReadCommitted, ct)",
        _ => $"await {conn}.BeginTransactionAsync(ct)",
    };

    public string BeginSync(string conn = "conn") => Rng.Next(4) switch
    {
        0 => $"{conn}.BeginTransaction(IsolationLevel.RepeatableRead)",
        1 => $"{conn}.BeginTransaction(IsolationLevel.ReadCommitted)",
        _ => $"{conn}.BeginTransaction()",
    };

    // ---- statements -------------------------------------------------------------------------

    int commandCounter;

    /// <summary>
    /// <paramref name="count"/> write statements, each a command with its own using, run on
    /// <paramref name="conn"/> (and <paramref name="tx"/> when given).
    /// </summary>
    public string Statements(bool isAsync, string? tx, int count, string id = "id", string amount = "amount", string conn = "conn")
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
            text.Append(Statement(isAsync, tx, id, amount, conn)).Append('\n');
        return text.ToString();
    }

    public string Statement(bool isAsync, string? tx, string id = "id", string amount = "amount", string conn = "conn")
    {
        var (sql, values) = Rng.Next(6) switch
        {
            0 => ($"UPDATE {E.Table} SET {E.TextColumn} = $2 WHERE id = $1", new[] { id, Quote(State) }),
            1 => ($"UPDATE {E.Table} SET {E.NumColumn} = {E.NumColumn} + $2 WHERE id = $1", new[] { id, amount }),
            2 => ("INSERT INTO audit_log (entity, entity_id, action) VALUES ($1, $2, $3)", new[] { Quote(E.Table), id, Quote(Verb.ToLowerInvariant()) }),
            3 => ("INSERT INTO outbox (topic, payload) VALUES ($1, $2::jsonb)", new[] { Quote(E.Table + ".changed"), $"\"{{\\\"id\\\":\" + {id} + \"}}\"" }),
            4 => ($"DELETE FROM {E.Table}_drafts WHERE {E.FkColumn} = $1", new[] { id }),
            _ => ($"UPDATE {E.Table} SET {E.TextColumn} = $2, {E.NumColumn} = $3 WHERE id = $1", new[] { id, Quote(State), amount }),
        };
        return Command(isAsync, tx, sql, values, execute: isAsync ? "await {0}.ExecuteNonQueryAsync(ct);" : "{0}.ExecuteNonQuery();", conn);
    }

    /// <summary>One command in one of three styles: using declaration, using block, or CreateCommand.</summary>
    public string Command(bool isAsync, string? tx, string sql, IReadOnlyList<string> values, string execute, string conn = "conn")
    {
        var name = "cmd" + (++commandCounter);
        var awaitUsing = isAsync ? "await using" : "using";
        var text = new StringBuilder();
        // A using block would scope a variable the execute line declares ("var n = ...") away
        // from the code after it, so such commands use the other two styles.
        var style = execute.StartsWith("var ", StringComparison.Ordinal) ? 1 + Rng.Next(2) : Rng.Next(3);
        if (style == 0)
        {
            text.Append($"{awaitUsing} (var {name} = new NpgsqlCommand(\"{sql}\", {conn}{(tx is null ? "" : ", " + tx)}))\n{{\n");
        }
        else if (style == 1)
        {
            text.Append($"{awaitUsing} var {name} = new NpgsqlCommand(\"{sql}\", {conn}{(tx is null ? "" : ", " + tx)});\n");
        }
        else
        {
            text.Append($"{awaitUsing} var {name} = {conn}.CreateCommand();\n");
            if (tx is not null)
                text.Append($"{name}.Transaction = {tx};\n");
            text.Append($"{name}.CommandText = \"{sql}\";\n");
        }

        foreach (var value in values)
            text.Append($"{name}.Parameters.AddWithValue({value});\n");
        text.Append(string.Format(System.Globalization.CultureInfo.InvariantCulture, execute, name)).Append('\n');
        if (style == 0)
            text.Append("}\n");
        return text.ToString();
    }

    public static string Quote(string value) => "\"" + value + "\"";
}
