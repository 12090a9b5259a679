namespace PgBorrow.Analyzers.Sql;

/// <summary>The kinds of token the PostgreSQL lexer tells apart.</summary>
internal enum SqlTokenKind
{
    /// <summary>A keyword or an unquoted identifier (compare case-insensitively).</summary>
    Word,

    /// <summary>A "quoted identifier"; its <see cref="SqlToken.Value"/> is the unquoted name.</summary>
    QuotedIdentifier,

    /// <summary>A string constant: '...', E'...', B'...', X'...', U&amp;'...' or $tag$...$tag$.</summary>
    String,

    Number,

    /// <summary>A positional parameter: $1, $2...</summary>
    PositionalParameter,

    /// <summary>A named parameter as Npgsql and Dapper write them: @name.</summary>
    NamedParameter,

    /// <summary>Npgsql's legacy named parameter, :name (after anything but another ':').</summary>
    ColonParameter,

    /// <summary>The <c>::</c> cast operator.</summary>
    Cast,

    OpenParen,
    CloseParen,
    Comma,
    Semicolon,
    Dot,

    /// <summary>Any other operator or punctuation.</summary>
    Operator,
}

/// <summary>One token of SQL text, with its position in the text.</summary>
internal readonly struct SqlToken
{
    public SqlToken(SqlTokenKind kind, int start, int length, string value)
    {
        Kind = kind;
        Start = start;
        Length = length;
        Value = value;
    }

    public SqlTokenKind Kind { get; }

    public int Start { get; }

    public int Length { get; }

    /// <summary>
    /// Words: the text as written; quoted identifiers: the name without quotes; strings: the raw
    /// literal; parameters: the number or name without its sigil.
    /// </summary>
    public string Value { get; }

    public bool IsWord(string keyword)
        => Kind == SqlTokenKind.Word && string.Equals(Value, keyword, System.StringComparison.OrdinalIgnoreCase);

    public override string ToString() => Kind + ":" + Value;
}
