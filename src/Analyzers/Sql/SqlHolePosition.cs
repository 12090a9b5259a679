using System;
using System.Collections.Generic;

namespace PgBorrow.Analyzers.Sql;

/// <summary>Where a non-constant piece lands in the SQL text built around it.</summary>
internal enum SqlHolePosition
{
    /// <summary>Where PostgreSQL reads a value: inside a string literal, after a comparison, in a VALUES or IN list.</summary>
    Value,

    /// <summary>Where PostgreSQL reads a name: inside a "quoted identifier", after FROM/JOIN/INTO/UPDATE/TABLE..., next to a '.' of a qualified name, in a column list.</summary>
    Identifier,

    /// <summary>Anywhere else: a clause, a list, a whole statement. What the piece is depends on its text.</summary>
    Fragment,
}

/// <summary>
/// Reads the constant SQL before and after a hole to tell a value position from an identifier
/// position. Only the lexical shape is read (quotes, the keyword or operator next to the hole, the
/// innermost open parenthesis); when nothing decides, the hole is a fragment. Holes elsewhere in the
/// text appear as the placeholder <see cref="Placeholder"/>.
/// </summary>
internal static class SqlHolePositions
{
    public const string Placeholder = " __hole__ ";

    /// <summary>An integer piece (it cannot carry SQL): written apart so that <c>{prefix}{index}</c> reads as a placeholder.</summary>
    public const string IntegerPlaceholder = " __int__ ";

    /// <summary>Keywords after which PostgreSQL expects a relation, schema or other object name.</summary>
    static readonly HashSet<string> s_identifierKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "FROM", "JOIN", "INTO", "UPDATE", "TABLE", "ONLY", "SCHEMA", "INDEX", "SEQUENCE", "VIEW", "TRIGGER",
        "FUNCTION", "PROCEDURE", "TYPE", "DATABASE", "REFERENCES", "TRUNCATE", "CONSTRAINT", "COLUMN",
        "EXTENSION", "LISTEN", "UNLISTEN", "NOTIFY", "AS", "DOMAIN", "ROLE", "OWNED", "TABLESPACE", "CURSOR",
        "COPY", "ANALYZE", "VACUUM", "CLUSTER", "REINDEX", "RENAME", "ALTER", "DROP", "BY", "OF",
    };

    /// <summary>Keywords and operators after which PostgreSQL expects a value.</summary>
    static readonly HashSet<string> s_valueKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "=", "<>", "!=", "<", ">", "<=", ">=", "LIKE", "ILIKE", "IN", "BETWEEN", "LIMIT", "OFFSET", "+", "-", "*", "/", "%", "||",
        "ANY", "ALL", "VALUES", "THEN", "ELSE", "WHEN", "IS", "SIMILAR", "~", "~*", "@>", "<@", "&&", "FETCH", "::",
    };

    public static SqlHolePosition Classify(string before, string after)
    {
        switch (OpenQuote(before, out var bodyStart))
        {
            case '\'':
                return SqlHolePosition.Value;
            case '"':
                return SqlHolePosition.Identifier;
            case '$':
                // A dollar-quoted body after DO or AS (`DO $$ ... $$`, a function's `AS $BODY$ ... $BODY$`)
                // is SQL code: read the hole's position inside it. Anywhere else it is a string constant.
                var opener = before.LastIndexOf('$', bodyStart - 2);
                var head = opener > 0 ? LastWord(before.Substring(0, opener).TrimEnd()) : string.Empty;
                return head.Equals("DO", StringComparison.OrdinalIgnoreCase) || head.Equals("AS", StringComparison.OrdinalIgnoreCase)
                    ? Classify(before.Substring(bodyStart), after)
                    : SqlHolePosition.Value;
        }

        var trimmed = before.TrimEnd();
        var following = after.TrimStart();
        if (trimmed.EndsWith(".", StringComparison.Ordinal) || following.StartsWith(".", StringComparison.Ordinal) && !following.StartsWith("..", StringComparison.Ordinal))
            return SqlHolePosition.Identifier;

        var last = LastWord(trimmed);
        if (last.Length == 0)
            return SqlHolePosition.Fragment;
        if (last.Equals("EXISTS", StringComparison.OrdinalIgnoreCase) && PreviousWord(trimmed, last) is var ifOrNot
            && (ifOrNot.Equals("NOT", StringComparison.OrdinalIgnoreCase) || ifOrNot.Equals("IF", StringComparison.OrdinalIgnoreCase)))
            return SqlHolePosition.Identifier; // IF [NOT] EXISTS name
        if (last.Equals("ON", StringComparison.OrdinalIgnoreCase))
        {
            // CREATE INDEX ... ON table (cols) / ON table USING gin (...), CREATE POLICY p ON table FOR ...,
            // CREATE TRIGGER ... ON table FOR EACH ROW, GRANT ... ON table TO ...; a join's ON is a condition.
            var next = FirstWord(following);
            return following.StartsWith("(", StringComparison.Ordinal) || next.Equals("USING", StringComparison.OrdinalIgnoreCase)
                || next.Equals("FOR", StringComparison.OrdinalIgnoreCase) || next.Equals("TO", StringComparison.OrdinalIgnoreCase)
                ? SqlHolePosition.Identifier
                : SqlHolePosition.Fragment;
        }
        if (last.Equals("TO", StringComparison.OrdinalIgnoreCase))
            return SqlHolePosition.Identifier; // RENAME TO, OWNER TO, SET search_path TO
        if (s_identifierKeywords.Contains(last))
            return SqlHolePosition.Identifier;
        if (s_valueKeywords.Contains(last))
            return SqlHolePosition.Value;

        if (last is "(" or ",")
            return InsideParentheses(trimmed);
        return SqlHolePosition.Fragment;
    }

    /// <summary>A hole right after '(' or ',': a column list of INSERT INTO t (..), a VALUES list, a function's arguments, or a select list.</summary>
    static SqlHolePosition InsideParentheses(string before)
    {
        var depth = 0;
        for (var i = before.Length - 1; i >= 0; i--)
        {
            var c = before[i];
            if (c == ')')
                depth++;
            else if (c == '(')
            {
                if (depth == 0)
                {
                    var head = before.Substring(0, i).TrimEnd();
                    var word = LastWord(head);
                    if (word.Equals("VALUES", StringComparison.OrdinalIgnoreCase) || word.Equals("IN", StringComparison.OrdinalIgnoreCase) || word == ",")
                        return SqlHolePosition.Value;
                    var previous = PreviousWord(head, word);
                    if (previous.Equals("INTO", StringComparison.OrdinalIgnoreCase) || previous.Equals("TABLE", StringComparison.OrdinalIgnoreCase)
                        || previous == "." || previous.Equals("ON", StringComparison.OrdinalIgnoreCase) || word.Equals("CONFLICT", StringComparison.OrdinalIgnoreCase)
                        || word.Equals("KEY", StringComparison.OrdinalIgnoreCase) || word.Equals("BY", StringComparison.OrdinalIgnoreCase))
                        return SqlHolePosition.Identifier; // INSERT INTO t (a, b), CREATE TABLE t (, ON t (col), PRIMARY KEY (col)
                    // A function's argument (`max({column})`, `lower({x})`) may be a column or a value:
                    // which one depends on the text, so it is a fragment.
                    return SqlHolePosition.Fragment;
                }
                depth--;
            }
        }
        return SqlHolePosition.Fragment; // a top-level list (SELECT a, b): columns or expressions
    }

    /// <summary>Whether <paramref name="before"/> ends inside a string constant ('...').</summary>
    public static bool InsideStringLiteral(string before) => OpenQuote(before, out _) == '\'';

    /// <summary>Whether the text before a hole leaves it inside a "quoted identifier".</summary>
    public static bool InsideQuotedIdentifier(string before) => OpenQuote(before, out _) == '"';

    /// <summary>The quote open at the end of the text: ', ", $ for a dollar-quoted body (whose text starts at <paramref name="bodyStart"/>), or '\0'.</summary>
    static char OpenQuote(string text, out int bodyStart)
    {
        bodyStart = 0;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '-' && i + 1 < text.Length && text[i + 1] == '-')
            {
                var end = text.IndexOf('\n', i);
                if (end < 0)
                    return '\0';
                i = end + 1;
                continue;
            }
            if (c == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                    return '\0';
                i = end + 2;
                continue;
            }
            if (c is '\'' or '"')
            {
                var end = ClosingQuote(text, i + 1, c, backslashEscapes: c == '\'' && i > 0 && text[i - 1] is 'E' or 'e');
                if (end < 0)
                    return c;
                i = end + 1;
                continue;
            }
            if (c == '$' && (i == 0 || !IsWordChar(text[i - 1])))
            {
                var tagEnd = text.IndexOf('$', i + 1);
                if (tagEnd > i && IsTag(text, i + 1, tagEnd))
                {
                    var tag = text.Substring(i, tagEnd - i + 1);
                    var end = text.IndexOf(tag, tagEnd + 1, StringComparison.Ordinal);
                    if (end < 0)
                    {
                        bodyStart = tagEnd + 1;
                        return '$';
                    }
                    i = end + tag.Length;
                    continue;
                }
            }
            i++;
        }
        return '\0';
    }

    static int ClosingQuote(string text, int from, char quote, bool backslashEscapes)
    {
        for (var i = from; i < text.Length; i++)
        {
            if (backslashEscapes && text[i] == '\\')
            {
                i++;
                continue;
            }
            if (text[i] == quote)
            {
                if (i + 1 < text.Length && text[i + 1] == quote)
                {
                    i++;
                    continue;
                }
                return i;
            }
        }
        return -1;
    }

    static bool IsTag(string text, int start, int end)
    {
        for (var i = start; i < end; i++)
        {
            if (!(char.IsLetter(text[i]) || text[i] == '_' || (i > start && char.IsDigit(text[i]))))
                return false;
        }
        return true;
    }

    static bool IsWordChar(char c) => char.IsLetterOrDigit(c) || c == '_';

    /// <summary>The last word, or the last operator or punctuation run, of the text.</summary>
    static string FirstWord(string text)
    {
        var end = 0;
        while (end < text.Length && IsWordChar(text[end]))
            end++;
        return text.Substring(0, end);
    }

    static string LastWord(string text)
    {
        var end = text.Length;
        if (end == 0)
            return string.Empty;
        var start = end - 1;
        if (IsWordChar(text[start]))
        {
            while (start > 0 && IsWordChar(text[start - 1]))
                start--;
            return text.Substring(start, end - start);
        }
        if (text[start] is '(' or ')' or ',' or '.' or ';')
            return text.Substring(start, 1);
        while (start > 0 && !IsWordChar(text[start - 1]) && !char.IsWhiteSpace(text[start - 1]) && text[start - 1] is not ('(' or ')' or ',' or '\'' or '"'))
            start--;
        return text.Substring(start, end - start);
    }

    static string PreviousWord(string text, string last)
        => LastWord(text.Substring(0, Math.Max(0, text.Length - last.Length)).TrimEnd());
}
