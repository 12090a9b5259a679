using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Methods;

namespace PgBorrow.Generators.Transactions;

/// <summary>Why the generator cannot implement a [PgTransaction] method; one analyzer rule each.</summary>
internal enum PgTransactionProblemKind
{
    /// <summary>PGB321: not a partial declaration without a body, a containing type is not partial, or another shape the generator cannot implement.</summary>
    CannotImplement,

    /// <summary>PGB322: the first parameter is not an NpgsqlDataSource or NpgsqlConnection.</summary>
    Source,

    /// <summary>PGB323: the return type is not Task or Task&lt;T&gt;.</summary>
    ReturnType,

    /// <summary>PGB324: the body method is missing or its signature does not match.</summary>
    Body,

    /// <summary>PGB325: the attribute's options cannot work together.</summary>
    Options,
}

/// <summary>One reason the generator gives up: the rule, where to report it and a sentence for the message.</summary>
internal sealed record PgTransactionProblem(PgTransactionProblemKind Kind, Location Location, string Detail);

/// <summary>
/// The decisions shared by the [PgTransaction] generator and the PGB321-PGB325 analyzers (this file is
/// compiled into both assemblies): the generator implements a method exactly when <see cref="Problems"/> is
/// empty, and each problem is one analyzer diagnostic. Holds symbols and locations, so it lives only inside
/// the generator's transform, never in the pipeline.
/// </summary>
internal sealed class PgTransactionMethodCheck
{
    public const string AttributeName = "PgBorrow.PgTransactionAttribute";
    private const string Suffix = "Async";

    private static readonly SymbolDisplayFormat MessageFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    private readonly List<PgTransactionProblem> _problems = new();

    private PgTransactionMethodCheck(IMethodSymbol method) => Method = method;

    public IMethodSymbol Method { get; }

    public IReadOnlyList<PgTransactionProblem> Problems => _problems;

    /// <summary>The body method, when one matches.</summary>
    public IMethodSymbol? Body { get; private set; }

    /// <summary>For <c>Task&lt;T&gt;</c>, <c>T</c>; null for <c>Task</c>.</summary>
    public ITypeSymbol? ResultType { get; private set; }

    /// <summary>The index of the parameter whose token the scope uses, or -1.</summary>
    public int CancellationTokenIndex { get; private set; } = -1;

    /// <summary>The isolation level's member name and the other options, when they are valid.</summary>
    public (string IsolationLevel, bool ReadOnly, bool Deferrable, int MaxAttempts, int BaseDelay, int MaxDelay)? Options { get; private set; }

    /// <summary>Checks the method <paramref name="declaration"/> declares, with its [PgTransaction] attribute.</summary>
    public static PgTransactionMethodCheck Run(MethodDeclarationSyntax declaration, IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
    {
        var check = new PgTransactionMethodCheck(method);
        check.CheckShape(declaration);
        cancellationToken.ThrowIfCancellationRequested();
        check.CheckSource(declaration);
        check.CheckReturnType(declaration);
        check.FindCancellationToken();
        check.CheckBody(declaration, attribute);
        check.CheckOptions(declaration, attribute);
        return check;
    }

    /// <summary>The generated file of a method: also how an analyzer tells the generator's implementation from one the user wrote.</summary>
    public static string HintSuffix => ".PgTransaction.g.cs";

    /// <summary>The body's name by convention: <c>TransferAsync</c> runs <c>TransferBody</c>.</summary>
    public static string ConventionalBodyName(string methodName)
        => (methodName.Length > Suffix.Length && methodName.EndsWith(Suffix, System.StringComparison.Ordinal)
            ? methodName.Substring(0, methodName.Length - Suffix.Length)
            : methodName) + "Body";

    private void Report(PgTransactionProblemKind kind, Location location, string detail)
        => _problems.Add(new PgTransactionProblem(kind, location, detail));

    private void CheckShape(MethodDeclarationSyntax declaration)
    {
        var name = declaration.Identifier.GetLocation();
        PartialMethodShape.Check(declaration, Method, HintSuffix, "partial methods with a return value and static lambdas",
            (location, detail) => Report(PgTransactionProblemKind.CannotImplement, location, detail));
        foreach (var parameter in Method.Parameters)
        {
            if (parameter.RefKind != RefKind.None)
                Report(PgTransactionProblemKind.CannotImplement, Where(parameter, name), $"the parameter '{parameter.Name}' is passed by reference; the body runs later and may run more than once, so only values can be passed to it");
        }
        if (Method.ContainingType is { TypeKind: TypeKind.Struct } type && !Method.IsStatic)
            Report(PgTransactionProblemKind.CannotImplement, name, $"it is an instance method of the struct '{type.Name}', whose body would run on a copy; make both methods static and pass the values as parameters");
    }

    private void CheckSource(MethodDeclarationSyntax declaration)
    {
        if (Method.Parameters.Length == 0)
        {
            Report(PgTransactionProblemKind.Source, declaration.ParameterList.GetLocation(), "it has no parameters; take an NpgsqlDataSource or an open NpgsqlConnection first");
            return;
        }

        var first = Method.Parameters[0];
        var location = Where(first, declaration.ParameterList.GetLocation());
        if (SourceKind(first.Type) is null)
            Report(PgTransactionProblemKind.Source, location, $"its first parameter '{first.Name}' is a '{first.Type.ToDisplayString(MessageFormat)}'; take an NpgsqlDataSource or an open NpgsqlConnection first");
        else if (first.NullableAnnotation == NullableAnnotation.Annotated)
            Report(PgTransactionProblemKind.Source, location, $"its first parameter '{first.Name}' is declared nullable; the scope needs a data source or connection, so remove the '?'");
    }

    /// <summary>"dataSource" or "connection" for the types a scope runs on (and types derived from them); null otherwise.</summary>
    public static string? SourceKind(ITypeSymbol type)
    {
        for (var current = type as INamedTypeSymbol; current is not null; current = current.BaseType)
        {
            if (IsNpgsql(current, "NpgsqlDataSource"))
                return "dataSource";
            if (IsNpgsql(current, "NpgsqlConnection"))
                return "connection";
        }
        return null;
    }

    private static bool IsNpgsql(INamedTypeSymbol type, string name)
        => type.Name == name && type.ContainingNamespace is { Name: "Npgsql", ContainingNamespace.IsGlobalNamespace: true };

    private void CheckReturnType(MethodDeclarationSyntax declaration)
    {
        if (Method.ReturnType is INamedTypeSymbol { Name: "Task", ContainingNamespace: { } ns } task && ns.ToDisplayString() == "System.Threading.Tasks")
        {
            if (task.TypeArguments.Length == 0)
                return;
            if (task.TypeArguments.Length == 1)
            {
                ResultType = task.TypeArguments[0];
                return;
            }
        }

        Report(PgTransactionProblemKind.ReturnType, declaration.ReturnType.GetLocation(),
            $"it returns '{Method.ReturnType.ToDisplayString(MessageFormat)}'; return Task, or Task<T> for the body's result (the scope completes when COMMIT has)");
    }

    private void FindCancellationToken()
    {
        for (var i = 1; i < Method.Parameters.Length; i++)
        {
            if (IsCancellationToken(Method.Parameters[i].Type))
            {
                CancellationTokenIndex = i;
                return;
            }
        }
    }

    private static bool IsCancellationToken(ITypeSymbol type)
        => type is INamedTypeSymbol { Name: "CancellationToken", ContainingNamespace: { } ns } && ns.ToDisplayString() == "System.Threading";

    private void CheckBody(MethodDeclarationSyntax declaration, AttributeData attribute)
    {
        var named = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Body").Value;
        var bodyName = named.Kind == TypedConstantKind.Primitive && named.Value is string given ? given : ConventionalBodyName(Method.Name);
        var location = declaration.Identifier.GetLocation();
        var candidates = Method.ContainingType is null
            ? new List<IMethodSymbol>()
            : Method.ContainingType.GetMembers(bodyName).OfType<IMethodSymbol>().Where(m => m.MethodKind == MethodKind.Ordinary).ToList();

        if (candidates.Count == 0)
        {
            Report(PgTransactionProblemKind.Body, location, $"there is no method '{bodyName}' in '{Method.ContainingType?.Name}'; write {ExpectedSignature(bodyName)}");
            return;
        }

        string? mismatch = null;
        foreach (var candidate in candidates)
        {
            var reason = Mismatch(candidate);
            if (reason is null)
            {
                Body = candidate;
                return;
            }
            mismatch ??= reason;
        }

        Report(PgTransactionProblemKind.Body, location, $"the body '{bodyName}' does not match: {mismatch}; expected {ExpectedSignature(bodyName)}");
    }

    /// <summary>Why <paramref name="body"/> cannot be called as the body, or null when it can.</summary>
    private string? Mismatch(IMethodSymbol body)
    {
        if (SymbolEqualityComparer.Default.Equals(body, Method) || SymbolEqualityComparer.Default.Equals(body.PartialDefinitionPart, Method))
            return "it is the [PgTransaction] method itself";
        if (body.IsStatic != Method.IsStatic)
            return Method.IsStatic ? "it is an instance method, and the [PgTransaction] method is static" : "it is static, and the [PgTransaction] method is an instance method";
        if (body.IsGenericMethod)
            return "it is generic";
        var expected = Method.Parameters.Length == 0 ? 1 : Method.Parameters.Length;
        if (body.Parameters.Length != expected)
            return $"it takes {body.Parameters.Length} parameter(s), not {expected}";
        if (!IsPgTx(body.Parameters[0].Type))
            return $"its first parameter is a '{body.Parameters[0].Type.ToDisplayString(MessageFormat)}', not a PgTx";
        for (var i = 0; i < body.Parameters.Length; i++)
        {
            var parameter = body.Parameters[i];
            if (parameter.RefKind != RefKind.None)
                return $"its parameter '{parameter.Name}' is passed by reference";
            if (i > 0 && !SymbolEqualityComparer.IncludeNullability.Equals(parameter.Type, Method.Parameters[i].Type))
                return $"its parameter '{parameter.Name}' is a '{parameter.Type.ToDisplayString(MessageFormat)}', but '{Method.Parameters[i].Name}' is a '{Method.Parameters[i].Type.ToDisplayString(MessageFormat)}'";
        }
        if (!SymbolEqualityComparer.IncludeNullability.Equals(body.ReturnType, Method.ReturnType))
            return $"it returns '{body.ReturnType.ToDisplayString(MessageFormat)}', not '{Method.ReturnType.ToDisplayString(MessageFormat)}'";
        return null;
    }

    private static bool IsPgTx(ITypeSymbol type)
        => type is INamedTypeSymbol { Name: "PgTx", ContainingNamespace: { Name: "PgBorrow", ContainingNamespace.IsGlobalNamespace: true } };

    private string ExpectedSignature(string bodyName)
    {
        var parameters = new List<string> { "PgTx tx" };
        parameters.AddRange(Method.Parameters.Skip(1).Select(p => p.Type.ToDisplayString(MessageFormat) + " " + p.Name));
        return $"'{(Method.IsStatic ? "static " : "")}{Method.ReturnType.ToDisplayString(MessageFormat)} {bodyName}({string.Join(", ", parameters)})'";
    }

    private void CheckOptions(MethodDeclarationSyntax declaration, AttributeData attribute)
    {
        var location = attribute.ApplicationSyntaxReference?.GetSyntax().GetLocation() ?? declaration.Identifier.GetLocation();
        if (attribute.AttributeConstructor is null)
        {
            Report(PgTransactionProblemKind.Options, location, "its arguments do not bind to the attribute's constructor and properties; pass the isolation level first, then named properties");
            return;
        }

        var isolation = 0x00100000; // IsolationLevel.Serializable
        if (attribute.ConstructorArguments.Length == 1)
        {
            if (attribute.ConstructorArguments[0].Value is not int value)
            {
                Report(PgTransactionProblemKind.Options, location, "its isolation level is not a constant; write the IsolationLevel member itself (IsolationLevel.Serializable)");
                return;
            }
            isolation = value;
        }

        bool readOnly = false, deferrable = false;
        int maxAttempts = 5, baseDelay = 10, maxDelay = 1000;
        foreach (var argument in attribute.NamedArguments)
        {
            switch (argument.Key, argument.Value.Value)
            {
                case ("ReadOnly", bool value): readOnly = value; break;
                case ("Deferrable", bool value): deferrable = value; break;
                case ("MaxAttempts", int value): maxAttempts = value; break;
                case ("BaseDelayMilliseconds", int value): baseDelay = value; break;
                case ("MaxDelayMilliseconds", int value): maxDelay = value; break;
                case ("Body", _): break;
                default:
                    Report(PgTransactionProblemKind.Options, location, $"its argument '{argument.Key}' is not a constant the generator can read; write a literal or a const");
                    return;
            }
        }

        var isolationName = IsolationLevelName(isolation);
        var before = _problems.Count;
        if (isolationName is null)
            Report(PgTransactionProblemKind.Options, location, $"the isolation level {isolation} is not one PostgreSQL has; use ReadCommitted, RepeatableRead or Serializable");
        if (maxAttempts < 1)
            Report(PgTransactionProblemKind.Options, location, $"MaxAttempts is {maxAttempts}; it counts the first attempt, so set it to 1 or more");
        if (baseDelay < 0)
            Report(PgTransactionProblemKind.Options, location, $"BaseDelayMilliseconds is {baseDelay}; a backoff cannot be negative, so set it to 0 or more");
        if (maxDelay < baseDelay)
            Report(PgTransactionProblemKind.Options, location, $"MaxDelayMilliseconds ({maxDelay}) is less than BaseDelayMilliseconds ({baseDelay}); make the maximum at least the base");
        if (deferrable && !(readOnly && isolationName == "Serializable"))
            Report(PgTransactionProblemKind.Options, location, "Deferrable needs ReadOnly = true and IsolationLevel.Serializable, which PostgreSQL ignores DEFERRABLE without; set both, or remove Deferrable");
        if (_problems.Count == before)
            Options = (isolationName!, readOnly, deferrable, maxAttempts, baseDelay, maxDelay);
    }

    /// <summary>The System.Data.IsolationLevel member for a value the runtime accepts (Chaos and undefined values are refused).</summary>
    private static string? IsolationLevelName(int value) => value switch
    {
        -1 => "Unspecified",
        0x00000100 => "ReadUncommitted",
        0x00001000 => "ReadCommitted",
        0x00010000 => "RepeatableRead",
        0x00100000 => "Serializable",
        0x01000000 => "Snapshot",
        _ => null,
    };

    private static Location Where(IParameterSymbol parameter, Location fallback)
        => parameter.Locations.FirstOrDefault(l => l.IsInSource) ?? fallback;
}
