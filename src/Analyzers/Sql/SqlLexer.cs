using System.Collections.Generic;

namespace PgBorrow.Analyzers.Sql;

/// <summary>
/// Splits PostgreSQL text into tokens, skipping whitespace and comments. Follows the lexical rules of
/// the PostgreSQL manual ("SQL Syntax", section 4.1): <c>--</c> comments and nested <c>/* */</c>
/// comments, "quoted identifiers" with doubled quotes, string constants with doubled quotes, escape
/// strings <c>E'..'</c> with backslash escapes, bit and Unicode strings, dollar-quoted strings
/// <c>$tag$..$tag$</c>, positional parameters <c>$n</c>, and Npgsql's named parameters <c>@name</c> (not
/// after <c>@</c> or <c>&lt;</c>, where the <c>@</c> belongs to the operators <c>@@</c> and <c>&lt;@</c>).
/// Unterminated constructs run to the end of the text; the lexer never throws.
/// </summary>
internal static class SqlLexer
{
    public static List<SqlToken> Lex(string text)
    {
        var tokens = new List<SqlToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }

            var start = i;
            if (c == '-' && Peek(text, i + 1) == '-')
            {
                while (i < text.Length && text[i] != '\n')
                    i++;
                continue;
            }
            if (c == '/' && Peek(text, i + 1) == '*')
            {
                i = SkipBlockComment(text, i);
                continue;
            }
            if (c == '\'')
            {
                i = SkipQuoted(text, i, '\'', backslashEscapes: false);
                tokens.Add(new SqlToken(SqlTokenKind.String, start, i - start, text.Substring(start, i - start)));
                continue;
            }
            if ((c is 'E' or 'e') && Peek(text, i + 1) == '\'')
            {
                i = SkipQuoted(text, i + 1, '\'', backslashEscapes: true);
                tokens.Add(new SqlToken(SqlTokenKind.String, start, i - start, text.Substring(start, i - start)));
                continue;
            }
            if ((c is 'B' or 'b' or 'X' or 'x' or 'N' or 'n') && Peek(text, i + 1) == '\'')
            {
                i = SkipQuoted(text, i + 1, '\'', backslashEscapes: false);
                tokens.Add(new SqlToken(SqlTokenKind.String, start, i - start, text.Substring(start, i - start)));
                continue;
            }
            if ((c is 'U' or 'u') && Peek(text, i + 1) == '&' && Peek(text, i + 2) is '\'' or '"')
            {
                var quote = text[i + 2];
                i = SkipQuoted(text, i + 2, quote, backslashEscapes: false);
                var kind = quote == '\'' ? SqlTokenKind.String : SqlTokenKind.QuotedIdentifier;
                tokens.Add(new SqlToken(kind, start, i - start, kind == SqlTokenKind.String ? text.Substring(start, i - start) : Unquote(text, start + 2, i)));
                continue;
            }
            if (c == '"')
            {
                i = SkipQuoted(text, i, '"', backslashEscapes: false);
                tokens.Add(new SqlToken(SqlTokenKind.QuotedIdentifier, start, i - start, Unquote(text, start, i)));
                continue;
            }
            if (c == '$')
            {
                if (IsDigit(Peek(text, i + 1)))
                {
                    i++;
                    while (i < text.Length && IsDigit(text[i]))
                        i++;
                    tokens.Add(new SqlToken(SqlTokenKind.PositionalParameter, start, i - start, text.Substring(start + 1, i - start - 1)));
                    continue;
                }
                if (TryDollarQuote(text, i, out var end))
                {
                    i = end;
                    tokens.Add(new SqlToken(SqlTokenKind.String, start, i - start, text.Substring(start, i - start)));
                    continue;
                }
            }
            // After '@' or '<' an '@' ends an operator (@@ text search, <@ contained by), not a placeholder.
            if (c == '@' && IsIdentifierStart(Peek(text, i + 1)) && !(i > 0 && text[i - 1] is '@' or '<'))
            {
                i++;
                while (i < text.Length && IsIdentifierPart(text[i]))
                    i++;
                tokens.Add(new SqlToken(SqlTokenKind.NamedParameter, start, i - start, text.Substring(start + 1, i - start - 1)));
                continue;
            }
            if (IsIdentifierStart(c))
            {
                while (i < text.Length && IsIdentifierPart(text[i]))
                    i++;
                tokens.Add(new SqlToken(SqlTokenKind.Word, start, i - start, text.Substring(start, i - start)));
                continue;
            }
            if (IsDigit(c) || (c == '.' && IsDigit(Peek(text, i + 1))))
            {
                i = SkipNumber(text, i);
                tokens.Add(new SqlToken(SqlTokenKind.Number, start, i - start, text.Substring(start, i - start)));
                continue;
            }
            if (c == ':' && Peek(text, i + 1) == ':')
            {
                i += 2;
                tokens.Add(new SqlToken(SqlTokenKind.Cast, start, 2, "::"));
                continue;
            }
            if (c == ':' && IsIdentifierStart(Peek(text, i + 1)))
            {
                // Npgsql's legacy named placeholder (`:name`), which it rewrites like `@name`.
                i++;
                while (i < text.Length && IsIdentifierPart(text[i]))
                    i++;
                tokens.Add(new SqlToken(SqlTokenKind.ColonParameter, start, i - start, text.Substring(start + 1, i - start - 1)));
                continue;
            }

            i++;
            var single = c switch
            {
                '(' => SqlTokenKind.OpenParen,
                ')' => SqlTokenKind.CloseParen,
                ',' => SqlTokenKind.Comma,
                ';' => SqlTokenKind.Semicolon,
                '.' => SqlTokenKind.Dot,
                _ => SqlTokenKind.Operator,
            };
            tokens.Add(new SqlToken(single, start, 1, c.ToString()));
        }
        return tokens;
    }

    static char Peek(string text, int index) => index < text.Length ? text[index] : '\0';

    static bool IsDigit(char c) => c is >= '0' and <= '9';

    static bool IsIdentifierStart(char c) => c == '_' || char.IsLetter(c);

    static bool IsIdentifierPart(char c) => c == '_' || c == '$' || char.IsLetterOrDigit(c);

    /// <summary>Block comments nest in PostgreSQL, unlike in the SQL standard.</summary>
    static int SkipBlockComment(string text, int i)
    {
        var depth = 0;
        while (i < text.Length)
        {
            if (text[i] == '/' && Peek(text, i + 1) == '*')
            {
                depth++;
                i += 2;
            }
            else if (text[i] == '*' && Peek(text, i + 1) == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                    return i;
            }
            else
            {
                i++;
            }
        }
        return i;
    }

    /// <summary>Skips from an opening quote to just past its closing quote; a doubled quote is an escaped one.</summary>
    static int SkipQuoted(string text, int openQuote, char quote, bool backslashEscapes)
    {
        var i = openQuote + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (backslashEscapes && c == '\\')
            {
                i += 2;
                continue;
            }
            if (c == quote)
            {
                if (Peek(text, i + 1) == quote)
                {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        return text.Length;
    }

    static string Unquote(string text, int start, int end)
    {
        var inner = end - start >= 2 && text[end - 1] == '"' ? text.Substring(start + 1, end - start - 2) : text.Substring(start + 1, System.Math.Max(0, end - start - 1));
        return inner.Replace("\"\"", "\"");
    }

    /// <summary>$$...$$ or $tag$...$tag$, where the tag is an identifier without dollars.</summary>
    static bool TryDollarQuote(string text, int start, out int end)
    {
        end = start;
        var i = start + 1;
        while (i < text.Length && text[i] != '$')
        {
            if (!(text[i] == '_' || char.IsLetterOrDigit(text[i])) || (i == start + 1 && IsDigit(text[i])))
                return false;
            i++;
        }
        if (i >= text.Length)
            return false;
        var delimiter = text.Substring(start, i - start + 1);
        var close = text.IndexOf(delimiter, i + 1, System.StringComparison.Ordinal);
        end = close < 0 ? text.Length : close + delimiter.Length;
        return true;
    }

    static int SkipNumber(string text, int i)
    {
        while (i < text.Length && (IsDigit(text[i]) || text[i] == '.' || text[i] == '_'))
            i++;
        if (i < text.Length && (text[i] is 'e' or 'E') && (IsDigit(Peek(text, i + 1)) || (Peek(text, i + 1) is '+' or '-' && IsDigit(Peek(text, i + 2)))))
        {
            i += 2;
            while (i < text.Length && IsDigit(text[i]))
                i++;
        }
        return i;
    }
}
