namespace PgBorrow.Generators.Model;

/// <summary>
/// Everything the emitter needs to implement one [PgTransaction] partial method, as plain equatable data
/// (no symbols, syntax nodes, locations or compilations; ModelShapeTests guard this), so an edit elsewhere
/// leaves the model equal and the output cached.
/// </summary>
/// <param name="HintName">The generated file's name.</param>
/// <param name="Namespace">The containing type's namespace, or empty for the global namespace.</param>
/// <param name="ContainingTypes">The partial type declarations to repeat, outermost first (the method's own type last).</param>
/// <param name="DisplayName">The method as comments name it (<c>Bank.TransferCommands.TransferAsync</c>).</param>
/// <param name="Modifiers">The declaration's modifiers before <c>partial</c> (<c>public static</c>).</param>
/// <param name="Name">The method's name as code writes it.</param>
/// <param name="ReturnType">The declared return type, fully qualified (<c>global::System.Threading.Tasks.Task&lt;bool&gt;</c>).</param>
/// <param name="ResultType">For <c>Task&lt;T&gt;</c>, <c>T</c> fully qualified; empty for <c>Task</c>.</param>
/// <param name="IsStatic">Static method (and body); otherwise the state carries <c>this</c>.</param>
/// <param name="IsExtension">The first parameter is declared with <c>this</c>.</param>
/// <param name="ContainingTypeName">The method's type, fully qualified: the state's type for <c>this</c>.</param>
/// <param name="Source">The first parameter: the data source or connection the scope runs on.</param>
/// <param name="Parameters">The parameters after the first, in order.</param>
/// <param name="Body">The body method's name as code writes it.</param>
/// <param name="OptionsField">The name of the generated static field that holds the options.</param>
/// <param name="Options">The attribute's options.</param>
internal sealed record PgTransactionModel(
    string HintName,
    string Namespace,
    EquatableArray<PgContainingType> ContainingTypes,
    string DisplayName,
    string Modifiers,
    string Name,
    string ReturnType,
    string ResultType,
    bool IsStatic,
    bool IsExtension,
    string ContainingTypeName,
    PgTransactionParameter Source,
    EquatableArray<PgTransactionParameter> Parameters,
    string Body,
    string OptionsField,
    PgTransactionOptionsModel Options);

/// <summary>A partial type declaration to repeat around generated members: <c>partial record struct Order</c>.</summary>
/// <param name="Keyword">class, struct, record or record struct.</param>
/// <param name="Name">The name with its type parameter list, if any (<c>Outer&lt;T&gt;</c>).</param>
internal sealed record PgContainingType(string Keyword, string Name);

/// <summary>How a parameter reaches the body.</summary>
internal enum PgTransactionParameterRole
{
    /// <summary>Carried to the body in the state passed to <c>InTransactionAsync</c>.</summary>
    State,

    /// <summary>The scope's cancellation token: given to <c>InTransactionAsync</c>, which hands it to the body.</summary>
    CancellationToken,

    /// <summary>The data source or connection (the first parameter).</summary>
    Source,
}

/// <summary>One parameter of the partial method.</summary>
/// <param name="Name">The name as code writes it (<c>@event</c> for a keyword).</param>
/// <param name="TypeName">The type, fully qualified with its nullable annotation (<c>string?</c>).</param>
/// <param name="Role">How it reaches the body.</param>
/// <param name="IsParams">Declared <c>params</c> (repeated in the implementation).</param>
internal sealed record PgTransactionParameter(string Name, string TypeName, PgTransactionParameterRole Role, bool IsParams = false);

/// <summary>The [PgTransaction] attribute's arguments, already checked (PGB325).</summary>
/// <param name="IsolationLevel">The <c>System.Data.IsolationLevel</c> member name (<c>Serializable</c>).</param>
/// <param name="ReadOnly">READ ONLY.</param>
/// <param name="Deferrable">DEFERRABLE.</param>
/// <param name="MaxAttempts">The most attempts.</param>
/// <param name="BaseDelayMilliseconds">The first backoff.</param>
/// <param name="MaxDelayMilliseconds">The longest backoff.</param>
internal sealed record PgTransactionOptionsModel(
    string IsolationLevel,
    bool ReadOnly,
    bool Deferrable,
    int MaxAttempts,
    int BaseDelayMilliseconds,
    int MaxDelayMilliseconds);
