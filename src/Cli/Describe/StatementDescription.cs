using System.Collections.Generic;

namespace PgBorrow.Cli.Describe;

/// <summary>
/// One result column of a described statement.
/// <see cref="TableOid"/> and <see cref="AttributeNumber"/> are 0 for a column that is not a plain table column
/// (an expression, an aggregate, a literal). <see cref="Table"/> is the table's name as <c>regclass</c> prints it,
/// which, unlike its OID, is the same in every database built from the same schema.
/// </summary>
public sealed record DescribedColumn(string Name, string Type, uint TableOid, string? Table, short AttributeNumber, bool Nullable);

/// <summary>Why the server refused a statement: its message, SQLSTATE, and 1-based character position in the SQL (0 when none).</summary>
public sealed record DescribeError(string Message, string SqlState, int Position);

/// <summary>
/// What the server says about a statement without running it: the PostgreSQL types of its <c>$n</c> parameters, in
/// order, and its result columns (none for a statement that returns no rows). <see cref="Error"/> is set, and the
/// lists are empty, when the statement does not describe.
/// </summary>
public sealed record StatementDescription(string Sql, IReadOnlyList<string> ParameterTypes, IReadOnlyList<DescribedColumn> Columns, DescribeError? Error)
{
    public static StatementDescription Failed(string sql, DescribeError error) => new(sql, [], [], error);
}
