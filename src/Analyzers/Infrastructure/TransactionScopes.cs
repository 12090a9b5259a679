using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>
/// The runtime's transaction scopes, resolved once per compilation: <c>PgTx</c> (the borrowed handle),
/// <c>PgTransactionExtensions.InTransactionAsync</c> (the scope that lends it and retries its body) and,
/// when the compilation has it, <c>[PgTransaction]</c> (the generated scope). Shared by PGB008 and PGB108.
/// </summary>
internal sealed class TransactionScopes
{
    TransactionScopes(INamedTypeSymbol pgTx, Compilation compilation)
    {
        PgTx = pgTx;
        Extensions = compilation.GetTypeByMetadataName("PgBorrow.PgTransactionExtensions");
        TransactionAttribute = compilation.GetTypeByMetadataName("PgBorrow.PgTransactionAttribute");
    }

    public INamedTypeSymbol PgTx { get; }
    public INamedTypeSymbol? Extensions { get; }
    public INamedTypeSymbol? TransactionAttribute { get; }

    /// <summary>Null when the runtime is not referenced: then there is no borrowed handle and no scope.</summary>
    public static TransactionScopes? TryCreate(Compilation compilation)
        => compilation.GetTypeByMetadataName("PgBorrow.PgTx") is INamedTypeSymbol pgTx ? new TransactionScopes(pgTx, compilation) : null;

    public bool IsPgTx(ITypeSymbol? type)
        => type is not null && SymbolEqualityComparer.Default.Equals(type.OriginalDefinition, PgTx);

    public bool HasPgTxParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (IsPgTx(parameter.Type))
                return true;
        }
        return false;
    }

    /// <summary>Whether the call is one of the <c>InTransactionAsync</c> overloads.</summary>
    public bool IsScope(IInvocationOperation invocation)
        => Extensions is not null
        && invocation.TargetMethod.Name == "InTransactionAsync"
        && SymbolEqualityComparer.Default.Equals(invocation.TargetMethod.ContainingType?.OriginalDefinition, Extensions);

    /// <summary>
    /// Whether the method is the body of a <c>[PgTransaction]</c> scope: it takes a PgTx, and it (or the
    /// method it is declared in, for a local function) carries the attribute. False when the attribute is
    /// not in the compilation.
    /// </summary>
    public bool IsGeneratedScopeBody(IMethodSymbol method)
    {
        if (TransactionAttribute is null || !HasPgTxParameter(method))
            return false;
        return HasTransactionAttribute(method)
            || method.MethodKind == MethodKind.LocalFunction && method.ContainingSymbol is IMethodSymbol container && HasTransactionAttribute(container);
    }

    bool HasTransactionAttribute(IMethodSymbol method)
        => HasAttribute(method, TransactionAttribute)
        || method.PartialDefinitionPart is IMethodSymbol definition && HasAttribute(definition, TransactionAttribute)
        || method.PartialImplementationPart is IMethodSymbol implementation && HasAttribute(implementation, TransactionAttribute);

    static bool HasAttribute(IMethodSymbol method, INamedTypeSymbol? attribute)
    {
        foreach (var data in method.GetAttributes())
        {
            if (SymbolEqualityComparer.Default.Equals(data.AttributeClass, attribute))
                return true;
        }
        return false;
    }

    /// <summary>The <c>body</c> argument of an <c>InTransactionAsync</c> call.</summary>
    public static IArgumentOperation? BodyArgument(IInvocationOperation scope)
    {
        foreach (var argument in scope.Arguments)
        {
            if (argument.Parameter?.Name == "body")
                return argument;
        }
        return null;
    }

    /// <summary>
    /// The operation that runs as the scope's body: the lambda or anonymous method itself, a local
    /// function of the same member, or a method declared in the same file (method groups from other
    /// files are not followed: that would need another file's semantic model). Null when unknown.
    /// </summary>
    public static IOperation? BodyOperation(IInvocationOperation scope, CancellationToken cancellationToken)
    {
        var value = BodyArgument(scope)?.Value;
        while (value is IConversionOperation conversion)
            value = conversion.Operand;
        if (value is IDelegateCreationOperation creation)
            value = creation.Target;
        switch (value)
        {
            case IAnonymousFunctionOperation lambda:
                return lambda;
            case IMethodReferenceOperation { Method: IMethodSymbol method }:
                if (method.MethodKind == MethodKind.LocalFunction)
                    return FindLocalFunction(scope, method);
                foreach (var reference in method.OriginalDefinition.DeclaringSyntaxReferences)
                {
                    if (reference.SyntaxTree != scope.Syntax.SyntaxTree || scope.SemanticModel is null)
                        continue;
                    return scope.SemanticModel.GetOperation(reference.GetSyntax(cancellationToken), cancellationToken);
                }
                return null;
            default:
                return null;
        }
    }

    static IOperation? FindLocalFunction(IOperation from, IMethodSymbol function)
    {
        var root = from;
        while (root.Parent is not null)
            root = root.Parent;
        foreach (var operation in root.DescendantsAndSelf())
        {
            if (operation is ILocalFunctionOperation local && SymbolEqualityComparer.Default.Equals(local.Symbol, function.OriginalDefinition))
                return local;
        }
        return null;
    }
}
