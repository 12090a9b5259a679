using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Methods;
using PgBorrow.Generators.Model;
using PgBorrow.Generators.Rows;

namespace PgBorrow.Generators.Queries;

/// <summary>Why the generator cannot implement a [PgQuery] method, or what it warns about; one analyzer rule each.</summary>
internal enum PgQueryProblemKind
{
    /// <summary>PGB311: not a partial declaration without a body, no (or more than one) connection-like parameter, or another shape the generator cannot implement.</summary>
    CannotImplement,

    /// <summary>PGB312: a placeholder names no parameter.</summary>
    UnknownPlaceholder,

    /// <summary>PGB313: a parameter no placeholder names (a warning: the method is still implemented).</summary>
    UnusedParameter,

    /// <summary>PGB314: the return type is not one the generator reads into.</summary>
    ReturnType,

    /// <summary>PGB315: a parameter cannot be sent as a statement parameter.</summary>
    ParameterType,

    /// <summary>PGB316: the SQL is not one constant statement the generator can rewrite.</summary>
    Sql,
}

/// <summary>One problem: the rule, where to report it and a sentence for the message.</summary>
internal sealed record PgQueryProblem(PgQueryProblemKind Kind, Location Location, string Detail);

/// <summary>
/// The decisions shared by the [PgQuery] generator and the PGB311-PGB316 analyzers (this file is compiled into
/// both assemblies): the generator implements a method exactly when <see cref="Blocks"/> is false, and each
/// problem is one analyzer diagnostic. Holds symbols and locations, so it lives only inside the generator's
/// transform, never in the pipeline.
/// </summary>
internal sealed class PgQueryMethodCheck
{
    public const string AttributeName = "PgBorrow.PgQueryAttribute";
    private const string PgRowAttributeName = "PgBorrow.PgRowAttribute";

    private static readonly SymbolDisplayFormat MessageFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private readonly List<PgQueryProblem> _problems = new();

    private PgQueryMethodCheck(IMethodSymbol method) => Method = method;

    public IMethodSymbol Method { get; }

    public IReadOnlyList<PgQueryProblem> Problems => _problems;

    /// <summary>A problem stops the generator (every kind but an unused parameter does).</summary>
    public bool Blocks => _problems.Any(p => p.Kind != PgQueryProblemKind.UnusedParameter);

    /// <summary>The SQL as written, and what the generator reads from it; null when the attribute gives no SQL.</summary>
    public string? Sql { get; private set; }

    public PgQuerySqlText? SqlText { get; private set; }

    /// <summary>Per parameter: its role and, for a bound value, its <c>$n</c>.</summary>
    public (PgQueryParameterRole Role, int Position)[] Roles { get; private set; } = Array.Empty<(PgQueryParameterRole, int)>();

    /// <summary>What the method reads and returns, when its return type is supported.</summary>
    public (PgQueryResultShape Shape, PgQueryReturnKind ReturnKind, ITypeSymbol? Element, bool IsRow, bool AllowsNull)? Result { get; private set; }

    public bool Prepare { get; private set; }

    public int CommandTimeoutSeconds { get; private set; }

    /// <summary>Checks the method <paramref name="declaration"/> declares, with its [PgQuery] attribute.</summary>
    public static PgQueryMethodCheck Run(MethodDeclarationSyntax declaration, IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
    {
        var check = new PgQueryMethodCheck(method);
        PartialMethodShape.Check(declaration, method, HintSuffix, "partial methods with a return value",
            (location, detail) => check.Report(PgQueryProblemKind.CannotImplement, location, detail));
        cancellationToken.ThrowIfCancellationRequested();
        check.CheckAttribute(declaration, attribute);
        check.CheckParameters(declaration);
        check.CheckReturnType(declaration);
        check.BindPlaceholders(attribute, cancellationToken);
        return check;
    }

    /// <summary>The generated file of a method: also how an analyzer tells the generator's implementation from one the user wrote.</summary>
    public static string HintSuffix => ".PgQuery.g.cs";

    private void Report(PgQueryProblemKind kind, Location location, string detail)
        => _problems.Add(new PgQueryProblem(kind, location, detail));

    private void CheckAttribute(MethodDeclarationSyntax declaration, AttributeData attribute)
    {
        var location = AttributeLocation(declaration, attribute);
        if (attribute.AttributeConstructor is null || attribute.ConstructorArguments.Length != 1)
        {
            Report(PgQueryProblemKind.Sql, location, "its arguments do not bind to the attribute's constructor; pass the SQL as a constant string");
            return;
        }
        if (attribute.ConstructorArguments[0].Value is not string sql || sql.Trim().Length == 0)
        {
            Report(PgQueryProblemKind.Sql, location, "its SQL is null or empty; pass the statement as a constant string");
            return;
        }

        Sql = sql;
        SqlText = PgQuerySqlText.Parse(sql);
        if (SqlText.StatementCount == 0)
            Report(PgQueryProblemKind.Sql, location, "its SQL holds no statement (only comments or semicolons)");
        else if (SqlText.StatementCount > 1)
            Report(PgQueryProblemKind.Sql, location, $"its SQL holds {SqlText.StatementCount} statements; a [PgQuery] runs one (use a PgBatch for several)");
        if (SqlText.HasPositionalParameters)
            Report(PgQueryProblemKind.Sql, location, "its SQL has $n parameters; write @name placeholders, which bind the method's parameters of those names");

        foreach (var argument in attribute.NamedArguments)
        {
            switch (argument.Key, argument.Value.Value)
            {
                case ("Prepare", bool prepare):
                    Prepare = prepare;
                    break;
                case ("CommandTimeoutSeconds", int seconds) when seconds >= -1:
                    CommandTimeoutSeconds = seconds;
                    break;
                case ("CommandTimeoutSeconds", int seconds):
                    Report(PgQueryProblemKind.CannotImplement, location, $"CommandTimeoutSeconds is {seconds}; give a number of seconds, 0 for the connection string's Command Timeout, or -1 for no limit");
                    break;
            }
        }
    }

    private void CheckParameters(MethodDeclarationSyntax declaration)
    {
        Roles = new (PgQueryParameterRole, int)[Method.Parameters.Length];
        var targets = new List<IParameterSymbol>();
        var tokens = 0;
        var name = declaration.Identifier.GetLocation();
        for (var i = 0; i < Method.Parameters.Length; i++)
        {
            var parameter = Method.Parameters[i];
            var location = Where(parameter, name);
            if (IsTarget(parameter.Type))
            {
                Roles[i] = (PgQueryParameterRole.Target, 0);
                targets.Add(parameter);
            }
            else if (IsCancellationToken(parameter.Type))
            {
                Roles[i] = (PgQueryParameterRole.CancellationToken, 0);
                if (++tokens == 2)
                    Report(PgQueryProblemKind.CannotImplement, location, $"'{parameter.Name}' is a second CancellationToken; take one, which cancels the command");
            }
            else
            {
                Roles[i] = (PgQueryParameterRole.Unused, 0);
                if (ParameterTypeProblem(parameter) is { } problem)
                    Report(PgQueryProblemKind.ParameterType, location, problem);
            }
        }

        if (targets.Count == 0)
            Report(PgQueryProblemKind.CannotImplement, declaration.ParameterList.GetLocation(), "it has nothing to run on; take an NpgsqlConnection, NpgsqlTransaction, NpgsqlDataSource or PgTx parameter");
        else if (targets.Count > 1)
            Report(PgQueryProblemKind.CannotImplement, Where(targets[1], name), $"it takes both '{targets[0].Name}' and '{targets[1].Name}' to run on; take one NpgsqlConnection, NpgsqlTransaction, NpgsqlDataSource or PgTx");
    }

    /// <summary>Why a value parameter cannot be sent, or null when it can.</summary>
    private static string? ParameterTypeProblem(IParameterSymbol parameter)
    {
        var type = parameter.Type.ToDisplayString(MessageFormat);
        if (parameter.RefKind is RefKind.Ref or RefKind.Out)
            return $"the parameter '{parameter.Name}' is passed by reference; a statement parameter is a value, so pass it by value";
        var plan = PgRowTypeClassifier.Classify(parameter.Type, out var nullable);
        var sendable = plan?.Kind switch
        {
            PgRowReadKind.Direct or PgRowReadKind.EnumLabel => true,
            PgRowReadKind.EnumCast => !nullable,
            _ => false,
        };
        return sendable
            ? null
            : $"the parameter '{parameter.Name}' is a '{type}', which is not sent as a PostgreSQL value; pass a scalar (number, string, bool, Guid, date and time, decimal, byte[], IPAddress, JsonDocument, NpgsqlRange), an array or List of scalars, or an enum";
    }

    private void CheckReturnType(MethodDeclarationSyntax declaration)
    {
        var location = declaration.ReturnType.GetLocation();
        var returned = Method.ReturnType.ToDisplayString(MessageFormat);
        const string Supported = "return Task<List<T>>, Task<T>, Task<T?>, IAsyncEnumerable<T>, Task<int> or Task (or the ValueTask forms), where T is a [PgRow] type or a scalar";
        if (Method.ReturnType is not INamedTypeSymbol named)
        {
            Report(PgQueryProblemKind.ReturnType, location, $"it returns '{returned}'; {Supported}");
            return;
        }

        PgQueryReturnKind kind;
        if (IsIn(named, "System.Threading.Tasks", "Task"))
            kind = PgQueryReturnKind.Task;
        else if (IsIn(named, "System.Threading.Tasks", "ValueTask"))
            kind = PgQueryReturnKind.ValueTask;
        else if (IsIn(named, "System.Collections.Generic", "IAsyncEnumerable") && named.Arity == 1)
            kind = PgQueryReturnKind.AsyncEnumerable;
        else
        {
            Report(PgQueryProblemKind.ReturnType, location, $"it returns '{returned}'; {Supported}");
            return;
        }

        if (named.Arity == 0)
        {
            Result = (PgQueryResultShape.None, kind, null, false, false);
            return;
        }

        var argument = named.TypeArguments[0];
        if (kind == PgQueryReturnKind.AsyncEnumerable)
        {
            ReadElement(PgQueryResultShape.Stream, kind, argument, location);
            return;
        }
        if (argument is INamedTypeSymbol { Arity: 1 } list && IsIn(list, "System.Collections.Generic", "List") && argument.NullableAnnotation != NullableAnnotation.Annotated)
        {
            ReadElement(PgQueryResultShape.List, kind, list.TypeArguments[0], location);
            return;
        }
        if (argument.SpecialType == SpecialType.System_Int32 && SqlText is { ReturnsRows: false })
        {
            Result = (PgQueryResultShape.AffectedRows, kind, argument, false, false);
            return;
        }
        var optional = argument.NullableAnnotation == NullableAnnotation.Annotated
            || argument.OriginalDefinition.SpecialType == SpecialType.System_Nullable_T;
        ReadElement(optional ? PgQueryResultShape.SingleOrDefault : PgQueryResultShape.Single, kind, argument, location);
    }

    /// <summary>Decides how one value of the result is read: a [PgRow] type by column names, a scalar from the first column.</summary>
    private void ReadElement(PgQueryResultShape shape, PgQueryReturnKind kind, ITypeSymbol element, Location location)
    {
        var display = element.ToDisplayString(MessageFormat);
        if (element is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable && IsRow(nullable.TypeArguments[0]))
        {
            Report(PgQueryProblemKind.ReturnType, location, $"'{display}' is an optional [PgRow] struct, which is not read in this version; return a [PgRow] class or record for zero or one row, or Task<List<{nullable.TypeArguments[0].Name}>>");
            return;
        }
        if (IsRow(element))
        {
            Result = (shape, kind, element, true, false);
            return;
        }
        var plan = PgRowTypeClassifier.Classify(element, out var allowsNull);
        if (plan is { Kind: PgRowReadKind.Direct })
        {
            Result = (shape, kind, element, false, allowsNull);
            return;
        }
        Report(PgQueryProblemKind.ReturnType, location,
            $"'{display}' is neither a [PgRow] type nor a scalar Npgsql reads from a column; mark it [PgRow] to read rows by column name, or read a scalar (number, string, bool, Guid, date and time, decimal, byte[], array) and convert it yourself");
    }

    /// <summary>Binds each placeholder to the parameter of its name (exactly, else ignoring case), and reports what is left on either side.</summary>
    private void BindPlaceholders(AttributeData attribute, CancellationToken cancellationToken)
    {
        if (SqlText is null)
            return;
        var argument = attribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken) is AttributeSyntax { ArgumentList.Arguments: { Count: > 0 } arguments }
            ? arguments[0].Expression
            : null;
        var fallback = argument?.GetLocation() ?? Method.Locations.FirstOrDefault() ?? Location.None;

        var values = Enumerable.Range(0, Method.Parameters.Length).Where(i => Roles[i].Role == PgQueryParameterRole.Unused).ToList();
        var reported = new HashSet<string>(StringComparer.Ordinal);
        for (var n = 0; n < SqlText.Names.Count; n++)
        {
            var placeholder = SqlText.Names[n];
            var index = values.FindIndex(i => Method.Parameters[i].Name == placeholder);
            if (index < 0)
                index = values.FindIndex(i => string.Equals(Method.Parameters[i].Name, placeholder, StringComparison.OrdinalIgnoreCase));
            index = index < 0 ? -1 : values[index];
            if (index >= 0 && Roles[index].Role == PgQueryParameterRole.Unused)
            {
                Roles[index] = (PgQueryParameterRole.Value, n + 1);
                continue;
            }
            if (!reported.Add(placeholder))
                continue;
            var occurrence = SqlText.Placeholders.First(p => p.Name == placeholder);
            var names = values.Count == 0 ? "it has no value parameters" : "its value parameters are " + string.Join(", ", values.Select(i => "'" + Method.Parameters[i].Name + "'"));
            Report(PgQueryProblemKind.UnknownPlaceholder, PlaceholderLocation(argument, occurrence) ?? fallback,
                $"the placeholder '@{placeholder}' names no parameter of the method ({names}); add a parameter '{placeholder}' or fix the name");
        }

        foreach (var i in values.Where(i => Roles[i].Role == PgQueryParameterRole.Unused))
        {
            var parameter = Method.Parameters[i];
            Report(PgQueryProblemKind.UnusedParameter, Where(parameter, fallback),
                $"the parameter '{parameter.Name}' is named by no placeholder '@{parameter.Name}', so it is not sent");
        }
    }

    /// <summary>
    /// Where a placeholder is inside the attribute's string literal, when the literal's source text holds the
    /// SQL as it is (a literal without escapes before it, or a one-line raw string); null otherwise.
    /// </summary>
    private static Location? PlaceholderLocation(ExpressionSyntax? argument, PgQueryPlaceholder placeholder)
    {
        if (argument is not LiteralExpressionSyntax { Token: var token } literal || !literal.IsKind(SyntaxKind.StringLiteralExpression))
            return null;
        var offset = token.Text.IndexOf(token.ValueText, StringComparison.Ordinal);
        if (offset < 0 || token.ValueText.Length == 0)
            return null;
        var start = token.SpanStart + offset + placeholder.Start;
        return Location.Create(literal.SyntaxTree, new Microsoft.CodeAnalysis.Text.TextSpan(start, placeholder.Length));
    }

    private static Location AttributeLocation(MethodDeclarationSyntax declaration, AttributeData attribute)
        => attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? declaration.Identifier.GetLocation();

    /// <summary>A [PgRow] type (the generator's output is not visible here, so the attribute says it), or one implementing IPgRow&lt;T&gt; itself.</summary>
    private static bool IsRow(ITypeSymbol type)
        => type.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == PgRowAttributeName)
            || type.AllInterfaces.Any(i => i.Name == "IPgRow" && i.ContainingNamespace is { Name: "PgBorrow", ContainingNamespace.IsGlobalNamespace: true });

    private static bool IsTarget(ITypeSymbol type)
    {
        if (type is INamedTypeSymbol { Name: "PgTx", ContainingNamespace: { Name: "PgBorrow", ContainingNamespace.IsGlobalNamespace: true } })
            return true;
        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (current is { Name: "NpgsqlConnection" or "NpgsqlTransaction" or "NpgsqlDataSource", ContainingNamespace: { Name: "Npgsql", ContainingNamespace.IsGlobalNamespace: true } })
                return true;
        }
        return false;
    }

    private static bool IsCancellationToken(ITypeSymbol type)
        => type is INamedTypeSymbol named && IsIn(named, "System.Threading", "CancellationToken");

    private static bool IsIn(INamedTypeSymbol type, string ns, string name)
        => type.Name == name && type.ContainingNamespace?.ToDisplayString() == ns;

    private static Location Where(IParameterSymbol parameter, Location fallback)
        => parameter.Locations.FirstOrDefault(l => l.IsInSource) ?? fallback;
}
