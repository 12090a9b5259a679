using System;
using System.Collections.Generic;

namespace PgBorrow.Analyzers.Sql;

/// <summary>
/// Reads the tokens of a command text and says, per statement, what it writes, which locks it takes
/// and which isolation level it sets. It is a classifier over tokens, not a parser: it recognises
/// the clauses that matter to the rules and ignores the rest, and it never throws.
/// </summary>
internal static class SqlClassifier
{
    public static SqlText Classify(string text)
    {
        var result = new SqlText();
        var tokens = SqlLexer.Lex(text);
        foreach (var token in tokens)
        {
            if (token.Kind == SqlTokenKind.PositionalParameter && int.TryParse(token.Value, out var number))
                result.PositionalParameters.Add(number);
            else if (token.Kind == SqlTokenKind.NamedParameter)
                result.NamedParameters.Add(token.Value);
            else if (token.Kind == SqlTokenKind.ColonParameter)
                result.ColonParameters.Add(token.Value);
        }

        var start = 0;
        var depth = 0;
        for (var i = 0; i <= tokens.Count; i++)
        {
            if (i < tokens.Count)
            {
                var kind = tokens[i].Kind;
                if (kind == SqlTokenKind.OpenParen)
                    depth++;
                else if (kind == SqlTokenKind.CloseParen && depth > 0)
                    depth--;
                if (kind != SqlTokenKind.Semicolon || depth != 0)
                    continue;
            }
            if (i > start)
                result.Statements.Add(ClassifyStatement(tokens, start, i));
            start = i + 1;
        }
        return result;
    }

    static SqlStatement ClassifyStatement(List<SqlToken> tokens, int start, int end)
    {
        var statement = new SqlStatement();
        for (var i = start; i < end; i++)
        {
            var token = tokens[i];
            if (token.Kind != SqlTokenKind.Word)
                continue;
            var previous = i > start ? tokens[i - 1] : default;
            var atStatementStart = i == start || previous.Kind is SqlTokenKind.OpenParen or SqlTokenKind.CloseParen;

            switch (token.Value.ToUpperInvariant())
            {
                case "WITH" when i == start:
                    continue;
                case "INSERT" or "UPDATE" or "DELETE" or "MERGE" when atStatementStart:
                    statement.Writes = true;
                    if (statement.Verb.Length == 0 || i == start)
                        statement.Verb = token.Value.ToUpperInvariant();
                    AddTable(statement.WrittenTables, tokens, TableAfter(tokens, i + 1, end, token.Value.ToUpperInvariant() is "INSERT" or "MERGE" ? "INTO" : token.Value.ToUpperInvariant() == "DELETE" ? "FROM" : null));
                    break;
                case "SELECT" or "VALUES" or "TABLE" when atStatementStart && statement.Verb.Length == 0:
                    statement.Verb = token.Value.ToUpperInvariant();
                    break;
                case "LOCK" when i == start:
                    statement.Verb = "LOCK";
                    statement.LocksTable = true;
                    AddTable(statement.WrittenTables, tokens, TableAfter(tokens, i + 1, end, "TABLE"));
                    break;
                case "FOR":
                    ReadLockingClause(tokens, i + 1, end, statement);
                    break;
                case "DO" when Next(tokens, i, end).IsWord("UPDATE"):
                    statement.Upserts = true;
                    statement.Writes = true;
                    i++; // not a new UPDATE statement
                    break;
                case "ISOLATION" when Next(tokens, i, end).IsWord("LEVEL"):
                    statement.IsolationLevel = ReadIsolationLevel(tokens, i + 2, end);
                    if (statement.Verb.Length == 0)
                        statement.Verb = tokens[start].Value.ToUpperInvariant();
                    break;
                case "SET" when statement.Verb == "UPDATE" && SetUsesParameters(tokens, i + 1, end):
                    statement.SetUsesParameters = true;
                    if (IsRelative(tokens, i, end))
                        statement.RelativeUpdate = true;
                    break;
                case "SET" when statement.Verb == "UPDATE" && i + 3 < end
                    && tokens[i + 1].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier
                    && tokens[i + 2].Kind == SqlTokenKind.Operator && tokens[i + 2].Value == "="
                    && tokens[i + 3].Kind == tokens[i + 1].Kind
                    && string.Equals(tokens[i + 3].Value, tokens[i + 1].Value, StringComparison.OrdinalIgnoreCase):
                    statement.RelativeUpdate = true; // SET stock = stock - $1
                    break;
                case "ONLY" when previous.IsWord("READ") && (tokens[start].IsWord("SET") || tokens[start].IsWord("BEGIN") || tokens[start].IsWord("START")):
                    statement.ReadOnly = true;
                    break;
                case "DEFERRABLE" when !previous.IsWord("NOT") && (tokens[start].IsWord("SET") || tokens[start].IsWord("BEGIN") || tokens[start].IsWord("START")):
                    statement.Deferrable = true;
                    break;
                case "FROM" or "JOIN":
                    if (!(previous.IsWord("DELETE")))
                        AddTable(statement.ReadTables, tokens, i + 1 < end ? i + 1 : -1);
                    break;
                default:
                    if (i + 1 < end && tokens[i + 1].Kind == SqlTokenKind.OpenParen)
                    {
                        if (AdvisoryLock(token.Value) is AdvisoryLockCall call)
                            statement.AdvisoryLocks.Add(call);
                        else if (token.IsWord("pg_export_snapshot"))
                            statement.SessionState.Add(new SessionStateUse(SessionStateKind.ExportSnapshot, "pg_export_snapshot"));
                        else if (token.IsWord("set_config") && IsSessionSetConfig(tokens, i + 1, end, out var setting))
                            statement.SessionState.Add(new SessionStateUse(SessionStateKind.SetConfig, setting));
                    }
                    break;
            }
        }
        if (statement.Verb.Length == 0 && end > start && tokens[start].Kind == SqlTokenKind.Word)
            statement.Verb = tokens[start].Value.ToUpperInvariant();
        if (end > start)
            ReadSessionCommand(tokens, start, end, statement);
        return statement;
    }

    /// <summary>
    /// The utility commands whose effect outlives the transaction: SET without LOCAL, LISTEN, PREPARE,
    /// CREATE TEMP TABLE without ON COMMIT DROP, DECLARE ... WITH HOLD. Read from the statement's first words.
    /// </summary>
    static void ReadSessionCommand(List<SqlToken> tokens, int start, int end, SqlStatement statement)
    {
        var first = tokens[start];
        var second = Next(tokens, start, end);
        if (first.IsWord("SET"))
        {
            // SET LOCAL, SET TRANSACTION and SET CONSTRAINTS end with the transaction; SET [SESSION] anything else does not.
            if (second.IsWord("LOCAL") || second.IsWord("TRANSACTION") || second.IsWord("CONSTRAINTS"))
                return;
            var nameAt = second.IsWord("SESSION") ? start + 1 : start;
            var name = Next(tokens, nameAt, end);
            if (name.Kind is not (SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier))
                return;
            // The settings SET spells in two words: TIME ZONE, SESSION AUTHORIZATION, SESSION CHARACTERISTICS.
            var spelled = name.IsWord("TIME") && Next(tokens, nameAt + 1, end).IsWord("ZONE") ? "TIME ZONE"
                : second.IsWord("SESSION") && (name.IsWord("AUTHORIZATION") || name.IsWord("CHARACTERISTICS")) ? "SESSION " + name.Value.ToUpperInvariant()
                : name.Value;
            statement.SessionState.Add(new SessionStateUse(SessionStateKind.SetParameter, spelled));
        }
        else if (first.IsWord("LISTEN") && second.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            statement.SessionState.Add(new SessionStateUse(SessionStateKind.Listen, second.Value));
        }
        else if (first.IsWord("PREPARE") && second.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier && !second.IsWord("TRANSACTION"))
        {
            statement.SessionState.Add(new SessionStateUse(SessionStateKind.Prepare, second.Value));
        }
        else if (first.IsWord("CREATE"))
        {
            ReadTempTable(tokens, start + 1, end, statement);
        }
        else if (first.IsWord("DECLARE") && second.Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier)
        {
            for (var i = start + 2; i + 1 < end && !tokens[i].IsWord("FOR"); i++)
            {
                if (tokens[i].IsWord("WITH") && tokens[i + 1].IsWord("HOLD"))
                {
                    statement.SessionState.Add(new SessionStateUse(SessionStateKind.HoldCursor, second.Value));
                    return;
                }
            }
        }
    }

    /// <summary>CREATE [GLOBAL | LOCAL] {TEMP | TEMPORARY} [UNLOGGED] TABLE [IF NOT EXISTS] name ... without ON COMMIT DROP.</summary>
    static void ReadTempTable(List<SqlToken> tokens, int i, int end, SqlStatement statement)
    {
        if (i < end && (tokens[i].IsWord("GLOBAL") || tokens[i].IsWord("LOCAL")))
            i++;
        if (!(i < end && (tokens[i].IsWord("TEMP") || tokens[i].IsWord("TEMPORARY"))))
            return;
        i++;
        if (i < end && tokens[i].IsWord("UNLOGGED"))
            i++;
        if (!(i < end && tokens[i].IsWord("TABLE")))
            return;
        i++;
        if (i + 2 < end && tokens[i].IsWord("IF") && tokens[i + 1].IsWord("NOT") && tokens[i + 2].IsWord("EXISTS"))
            i += 3;
        for (var j = i; j + 2 < end; j++)
        {
            if (tokens[j].IsWord("ON") && tokens[j + 1].IsWord("COMMIT") && tokens[j + 2].IsWord("DROP"))
                return;
        }
        var name = new List<string>();
        AddTable(name, tokens, i < end ? i : -1);
        statement.SessionState.Add(new SessionStateUse(SessionStateKind.TempTable, name.Count > 0 ? name[0] : "?"));
    }

    /// <summary>set_config(setting, value, false): the third argument is the constant false (a session-wide setting).</summary>
    static bool IsSessionSetConfig(List<SqlToken> tokens, int open, int end, out string setting)
    {
        setting = "?";
        var depth = 0;
        var argument = 0;
        for (var i = open; i < end; i++)
        {
            var token = tokens[i];
            if (token.Kind == SqlTokenKind.OpenParen)
                depth++;
            else if (token.Kind == SqlTokenKind.CloseParen && --depth == 0)
                return false;
            else if (depth == 1 && token.Kind == SqlTokenKind.Comma)
                argument++;
            else if (depth == 1 && argument == 0 && token.Kind == SqlTokenKind.String && i == open + 1)
                setting = token.Value.Trim('\'');
            else if (depth == 1 && argument == 2 && tokens[i - 1].Kind == SqlTokenKind.Comma)
                return (token.IsWord("false") || token.IsWord("off"))
                    && i + 1 < end && tokens[i + 1].Kind == SqlTokenKind.CloseParen;
        }
        return false;
    }

    static SqlToken Next(List<SqlToken> tokens, int i, int end) => i + 1 < end ? tokens[i + 1] : default;

    /// <summary>Whether the SET list (up to WHERE, FROM or RETURNING at its own depth) uses a parameter.</summary>
    static bool SetUsesParameters(List<SqlToken> tokens, int i, int end)
    {
        var depth = 0;
        for (; i < end; i++)
        {
            var token = tokens[i];
            if (token.Kind == SqlTokenKind.OpenParen)
                depth++;
            else if (token.Kind == SqlTokenKind.CloseParen && --depth < 0)
                return false;
            else if (depth == 0 && (token.IsWord("WHERE") || token.IsWord("FROM") || token.IsWord("RETURNING")))
                return false;
            else if (token.Kind is SqlTokenKind.PositionalParameter or SqlTokenKind.NamedParameter or SqlTokenKind.ColonParameter)
                return true;
        }
        return false;
    }

    /// <summary>SET col = col ...: the first assignment computes from the current value.</summary>
    static bool IsRelative(List<SqlToken> tokens, int set, int end)
        => set + 3 < end
        && tokens[set + 1].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier
        && tokens[set + 2].Kind == SqlTokenKind.Operator && tokens[set + 2].Value == "="
        && tokens[set + 3].Kind == tokens[set + 1].Kind
        && string.Equals(tokens[set + 3].Value, tokens[set + 1].Value, StringComparison.OrdinalIgnoreCase);

    /// <summary>FOR UPDATE | FOR NO KEY UPDATE | FOR SHARE | FOR KEY SHARE [OF t, ...] [NOWAIT | SKIP LOCKED].</summary>
    static void ReadLockingClause(List<SqlToken> tokens, int i, int end, SqlStatement statement)
    {
        RowLockStrength strength;
        if (i < end && tokens[i].IsWord("UPDATE"))
        {
            strength = RowLockStrength.Update;
            i++;
        }
        else if (i < end && tokens[i].IsWord("SHARE"))
        {
            strength = RowLockStrength.Share;
            i++;
        }
        else if (i + 2 < end && tokens[i].IsWord("NO") && tokens[i + 1].IsWord("KEY") && tokens[i + 2].IsWord("UPDATE"))
        {
            strength = RowLockStrength.NoKeyUpdate;
            i += 3;
        }
        else if (i + 1 < end && tokens[i].IsWord("KEY") && tokens[i + 1].IsWord("SHARE"))
        {
            strength = RowLockStrength.KeyShare;
            i += 2;
        }
        else
        {
            return; // FOR in another sense (FOR EACH ROW, ... FOR VALUES)
        }

        if (strength > statement.RowLock)
            statement.RowLock = strength;
        for (; i < end; i++)
        {
            if (tokens[i].IsWord("NOWAIT"))
                statement.NoWait = true;
            else if (tokens[i].IsWord("SKIP") && i + 1 < end && tokens[i + 1].IsWord("LOCKED"))
                statement.SkipLocked = true;
            else if (!(tokens[i].IsWord("OF") || tokens[i].Kind is SqlTokenKind.Word or SqlTokenKind.QuotedIdentifier or SqlTokenKind.Comma or SqlTokenKind.Dot))
                break;
            if (tokens[i].IsWord("FOR"))
                break;
        }
    }

    static string? ReadIsolationLevel(List<SqlToken> tokens, int i, int end)
    {
        if (i >= end)
            return null;
        if (tokens[i].IsWord("SERIALIZABLE"))
            return "SERIALIZABLE";
        if (i + 1 < end && tokens[i].IsWord("REPEATABLE") && tokens[i + 1].IsWord("READ"))
            return "REPEATABLE READ";
        if (i + 1 < end && tokens[i].IsWord("READ") && tokens[i + 1].IsWord("COMMITTED"))
            return "READ COMMITTED";
        if (i + 1 < end && tokens[i].IsWord("READ") && tokens[i + 1].IsWord("UNCOMMITTED"))
            return "READ UNCOMMITTED";
        return null;
    }

    /// <summary>The token index of the table name after an optional keyword (INTO, FROM, TABLE, ONLY).</summary>
    static int TableAfter(List<SqlToken> tokens, int i, int end, string? keyword)
    {
        if (keyword is not null && i < end && tokens[i].IsWord(keyword))
            i++;
        if (i < end && tokens[i].IsWord("ONLY"))
            i++;
        return i < end ? i : -1;
    }

    /// <summary>Adds the (possibly schema-qualified) name at <paramref name="i"/>: its last part.</summary>
    static void AddTable(List<string> tables, List<SqlToken> tokens, int i)
    {
        if (i < 0)
            return;
        string? name = null;
        while (i < tokens.Count)
        {
            var token = tokens[i];
            if (token.Kind == SqlTokenKind.Word && !IsReserved(token.Value))
                name = token.Value.ToLowerInvariant();
            else if (token.Kind == SqlTokenKind.QuotedIdentifier)
                name = token.Value;
            else
                break;
            if (i + 2 < tokens.Count && tokens[i + 1].Kind == SqlTokenKind.Dot)
            {
                i += 2;
                continue;
            }
            break;
        }
        if (name is not null && !tables.Contains(name))
            tables.Add(name);
    }

    static bool IsReserved(string word)
        => word.ToUpperInvariant() is "SELECT" or "LATERAL" or "ONLY" or "WHERE" or "SET" or "VALUES" or "DEFAULT" or "USING";

    static AdvisoryLockCall? AdvisoryLock(string function)
    {
        var name = function.ToLowerInvariant();
        return name switch
        {
            "pg_advisory_lock" => new AdvisoryLockCall(name, SessionLevel: true, Shared: false, Try: false, Unlock: false),
            "pg_advisory_lock_shared" => new AdvisoryLockCall(name, true, true, false, false),
            "pg_try_advisory_lock" => new AdvisoryLockCall(name, true, false, true, false),
            "pg_try_advisory_lock_shared" => new AdvisoryLockCall(name, true, true, true, false),
            "pg_advisory_xact_lock" => new AdvisoryLockCall(name, false, false, false, false),
            "pg_advisory_xact_lock_shared" => new AdvisoryLockCall(name, false, true, false, false),
            "pg_try_advisory_xact_lock" => new AdvisoryLockCall(name, false, false, true, false),
            "pg_try_advisory_xact_lock_shared" => new AdvisoryLockCall(name, false, true, true, false),
            "pg_advisory_unlock" => new AdvisoryLockCall(name, true, false, false, true),
            "pg_advisory_unlock_shared" => new AdvisoryLockCall(name, true, true, false, true),
            "pg_advisory_unlock_all" => new AdvisoryLockCall(name, true, false, false, true),
            _ => null,
        };
    }
}
