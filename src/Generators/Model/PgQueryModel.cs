namespace PgBorrow.Generators.Model;

/// <summary>
/// Everything known about one [PgQuery] method, as plain equatable data (no symbols, syntax nodes, locations or
/// compilations; ModelShapeTests guard this): what the emitter needs to implement it, and what a checker of the
/// SQL against a database needs to describe it (the statement as sent, each <c>$n</c>'s C# type, the result's
/// shape and type).
/// </summary>
/// <param name="HintName">The generated file's name.</param>
/// <param name="Namespace">The containing type's namespace, or empty for the global namespace.</param>
/// <param name="ContainingTypes">The partial type declarations to repeat, outermost first (the method's own type last).</param>
/// <param name="DisplayName">The method as comments and messages name it (<c>Shop.OrderQueries.LargeOrdersAsync</c>).</param>
/// <param name="Modifiers">The declaration's modifiers before <c>partial</c> (<c>public static</c>).</param>
/// <param name="Name">The method's name as code writes it.</param>
/// <param name="ReturnType">The declared return type, fully qualified.</param>
/// <param name="IsExtension">The first parameter is declared with <c>this</c>.</param>
/// <param name="Parameters">Every parameter, in order, with what it is for.</param>
/// <param name="Sql">The SQL as the attribute gives it, with <c>@name</c> placeholders.</param>
/// <param name="CommandText">The SQL as sent, each placeholder rewritten to <c>$n</c>.</param>
/// <param name="Result">What the method reads and returns.</param>
/// <param name="Prepare">Prepare the statement.</param>
/// <param name="CommandTimeoutSeconds">The command timeout in seconds; 0 keeps the connection string's, -1 is no limit.</param>
/// <param name="StatementField">The name of the generated static field holding the statement.</param>
internal sealed record PgQueryModel(
    string HintName,
    string Namespace,
    EquatableArray<PgContainingType> ContainingTypes,
    string DisplayName,
    string Modifiers,
    string Name,
    string ReturnType,
    bool IsExtension,
    EquatableArray<PgQueryParameter> Parameters,
    string Sql,
    string CommandText,
    PgQueryResult Result,
    bool Prepare,
    int CommandTimeoutSeconds,
    string StatementField);

/// <summary>What a [PgQuery] method's parameter is for.</summary>
internal enum PgQueryParameterRole
{
    /// <summary>The connection, transaction, data source or PgTx the statement runs on.</summary>
    Target,

    /// <summary>Cancels the command.</summary>
    CancellationToken,

    /// <summary>Bound to a placeholder: sent as <c>$n</c> (<see cref="PgQueryParameter.Position"/>).</summary>
    Value,

    /// <summary>Named by no placeholder, so not sent (PGB313 warns).</summary>
    Unused,
}

/// <summary>One parameter of a [PgQuery] method.</summary>
/// <param name="Name">The name as code writes it (<c>@event</c> for a keyword).</param>
/// <param name="TypeName">The type, fully qualified with its nullable annotation (<c>string?</c>).</param>
/// <param name="Role">What it is for.</param>
/// <param name="Position">For a value, its <c>n</c> in <c>$n</c> (from 1); otherwise 0.</param>
/// <param name="IsParams">Declared <c>params</c> (repeated in the implementation).</param>
internal sealed record PgQueryParameter(string Name, string TypeName, PgQueryParameterRole Role, int Position, bool IsParams);

/// <summary>How many rows a [PgQuery] method reads, and what it returns for them.</summary>
internal enum PgQueryResultShape
{
    /// <summary>Every row, in a <c>List&lt;T&gt;</c>.</summary>
    List,

    /// <summary>Exactly one row: none or a second throws.</summary>
    Single,

    /// <summary>Zero or one row: none gives null, a second throws.</summary>
    SingleOrDefault,

    /// <summary>The rows as they arrive, in an <c>IAsyncEnumerable&lt;T&gt;</c>.</summary>
    Stream,

    /// <summary>No rows read: the number of affected rows (<c>Task&lt;int&gt;</c>).</summary>
    AffectedRows,

    /// <summary>No rows read, nothing returned (<c>Task</c>).</summary>
    None,
}

/// <summary>The awaitable (or enumerable) a [PgQuery] method returns.</summary>
internal enum PgQueryReturnKind
{
    Task,
    ValueTask,
    AsyncEnumerable,
}

/// <summary>What a [PgQuery] method reads and returns.</summary>
/// <param name="Shape">How many rows, and what becomes of them.</param>
/// <param name="ReturnKind">Task, ValueTask or IAsyncEnumerable.</param>
/// <param name="ElementType">The type of one row's value, fully qualified with its nullable annotation; empty for <see cref="PgQueryResultShape.AffectedRows"/> and <see cref="PgQueryResultShape.None"/>.</param>
/// <param name="IsRow">The element is a [PgRow] type (read by column name); otherwise a scalar read from the first column.</param>
/// <param name="AllowsNull">A scalar element holds NULL (a nullable value type, or a reference type not declared non-nullable).</param>
internal sealed record PgQueryResult(PgQueryResultShape Shape, PgQueryReturnKind ReturnKind, string ElementType, bool IsRow, bool AllowsNull);
