using System;
using System.Collections.Generic;
using System.Text;
using PgBorrow.Analyzers.Sql;

namespace PgBorrow.Generators.Queries;

/// <summary>One <c>@name</c> placeholder in a [PgQuery]'s SQL: the name without its <c>@</c>, and where it is.</summary>
internal readonly record struct PgQueryPlaceholder(string Name, int Start, int Length);

/// <summary>
/// What the [PgQuery] generator reads from a statement, with the PostgreSQL lexer the SQL rules use: its
/// <c>@name</c> placeholders (not inside string constants, quoted identifiers or comments, and not the
/// <c>@</c> of operators such as <c>@&gt;</c> and <c>@@</c>), the text with each placeholder rewritten to
/// <c>$n</c> (numbered by first appearance), how many statements it holds, and whether it returns rows.
/// </summary>
internal sealed class PgQuerySqlText
{
    private static readonly HashSet<string> RowStatements = new(StringComparer.OrdinalIgnoreCase) { "SELECT", "VALUES", "TABLE", "SHOW", "EXPLAIN", "FETCH" };
    private static readonly HashSet<string> MainStatements = new(StringComparer.OrdinalIgnoreCase) { "SELECT", "VALUES", "TABLE", "INSERT", "UPDATE", "DELETE", "MERGE" };

    private PgQuerySqlText(string commandText, List<PgQueryPlaceholder> placeholders, List<string> names, int statementCount, bool hasPositionalParameters, bool returnsRows)
    {
        CommandText = commandText;
        Placeholders = placeholders;
        Names = names;
        StatementCount = statementCount;
        HasPositionalParameters = hasPositionalParameters;
        ReturnsRows = returnsRows;
    }

    /// <summary>The text as sent: each <c>@name</c> replaced by <c>$n</c>, where <c>n</c> is the name's position in <see cref="Names"/>, from 1.</summary>
    public string CommandText { get; }

    /// <summary>Every placeholder, in text order (a name used twice appears twice).</summary>
    public IReadOnlyList<PgQueryPlaceholder> Placeholders { get; }

    /// <summary>The distinct placeholder names, in order of first appearance: <c>Names[0]</c> is <c>$1</c>.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>The number of non-empty statements (separated by top-level semicolons).</summary>
    public int StatementCount { get; }

    /// <summary>The text already has <c>$n</c> parameters, which would clash with the rewritten placeholders.</summary>
    public bool HasPositionalParameters { get; }

    /// <summary>
    /// The statement returns rows: it is a SELECT, VALUES, TABLE, SHOW, EXPLAIN or FETCH (after any WITH
    /// list), or it has a top-level RETURNING clause.
    /// </summary>
    public bool ReturnsRows { get; }

    public static PgQuerySqlText Parse(string sql)
    {
        var tokens = SqlLexer.Lex(sql);
        var placeholders = new List<PgQueryPlaceholder>();
        var names = new List<string>();
        var text = new StringBuilder(sql.Length);
        var copied = 0;
        var hasPositional = false;
        foreach (var token in tokens)
        {
            if (token.Kind == SqlTokenKind.PositionalParameter)
                hasPositional = true;
            if (token.Kind != SqlTokenKind.NamedParameter)
                continue;
            placeholders.Add(new PgQueryPlaceholder(token.Value, token.Start, token.Length));
            var number = names.IndexOf(token.Value) + 1;
            if (number == 0)
            {
                names.Add(token.Value);
                number = names.Count;
            }
            text.Append(sql, copied, token.Start - copied).Append('$').Append(number);
            copied = token.Start + token.Length;
        }
        text.Append(sql, copied, sql.Length - copied);

        var (statements, returnsRows) = ReadStatements(tokens);
        return new PgQuerySqlText(text.ToString(), placeholders, names, statements, hasPositional, returnsRows);
    }

    /// <summary>Counts the statements and says whether the first returns rows, reading top-level words only.</summary>
    private static (int Statements, bool ReturnsRows) ReadStatements(List<SqlToken> tokens)
    {
        var statements = 0;
        var returnsRows = false;
        var depth = 0;
        var inStatement = false;
        string? main = null;
        var afterWith = false;
        foreach (var token in tokens)
        {
            switch (token.Kind)
            {
                case SqlTokenKind.OpenParen:
                    depth++;
                    break;
                case SqlTokenKind.CloseParen when depth > 0:
                    depth--;
                    break;
                case SqlTokenKind.Semicolon when depth == 0:
                    inStatement = false;
                    continue;
            }
            if (!inStatement)
            {
                inStatement = true;
                statements++;
            }
            if (statements != 1 || depth != 0 || token.Kind != SqlTokenKind.Word)
                continue;
            // The first top-level word names the statement, except WITH, whose statement follows its list.
            if (main is null)
            {
                if (token.IsWord("WITH"))
                {
                    afterWith = true;
                }
                else if (!afterWith || MainStatements.Contains(token.Value) || RowStatements.Contains(token.Value))
                {
                    main = token.Value;
                    returnsRows |= RowStatements.Contains(main);
                }
            }
            if (token.IsWord("RETURNING"))
                returnsRows = true;
        }
        return (statements, returnsRows);
    }
}
