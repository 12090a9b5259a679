using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>
/// The runtime's transaction scopes, resolved once per compilation: <c>PgTx</c> (the borrowed handle),
/// <c>PgTransactionExtensions.InTransactionAsync</c> (the scope that lends it and retries its body) and,
/// when the compilation has it, <c>[PgTransaction]</c> (the generated scope). Shared by PGB008, PGB108
/// and the ownership engine (PGB101 and PGB102 in scope bodies).
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

    /// <summary>The first PgTx parameter of a method, or null.</summary>
    public IParameterSymbol? PgTxParameter(IMethodSymbol method)
    {
        foreach (var parameter in method.Parameters)
        {
            if (IsPgTx(parameter.Type))
                return parameter;
        }
        return null;
    }

    /// <summary>
    /// Whether <paramref name="function"/> (declared by <paramref name="declaration"/>) runs as the body of
    /// a transaction scope: a <c>[PgTransaction]</c> body, a lambda or anonymous method passed as the body
    /// of <c>InTransactionAsync</c>, or a local function or method of the same file passed there as a
    /// method group. It must take a PgTx.
    /// </summary>
    public bool IsScopeBody(IMethodSymbol function, SyntaxNode declaration, SemanticModel? model, CancellationToken cancellationToken)
    {
        if (!HasPgTxParameter(function))
            return false;
        if (IsGeneratedScopeBody(function))
            return true;
        if (model is null || Extensions is null || model.SyntaxTree != declaration.SyntaxTree)
            return false;

        if (declaration is AnonymousFunctionExpressionSyntax)
        {
            var parent = declaration.Parent;
            while (parent is ParenthesizedExpressionSyntax or CastExpressionSyntax)
                parent = parent.Parent;
            return parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } }
                && IsBodyOf(call, declaration, model, cancellationToken);
        }

        if (function.MethodKind is not (MethodKind.LocalFunction or MethodKind.Ordinary))
            return false;
        // A method group: look for InTransactionAsync calls of this file that name the function.
        var searchRoot = function.MethodKind == MethodKind.LocalFunction
            ? declaration.Parent ?? declaration
            : declaration.SyntaxTree.GetRoot(cancellationToken);
        foreach (var node in searchRoot.DescendantNodes())
        {
            if (node is not InvocationExpressionSyntax call || !NamesScope(call.Expression))
                continue;
            var named = false;
            foreach (var argument in call.ArgumentList.Arguments)
            {
                if (argument.Expression is IdentifierNameSyntax { Identifier.ValueText: var name } && name == function.Name
                    || argument.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: var member } && member == function.Name)
                    named = true;
            }
            if (named && IsBodyOf(call, declaration, model, cancellationToken))
                return true;
        }
        return false;
    }

    static bool NamesScope(ExpressionSyntax expression) => expression switch
    {
        MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText == "InTransactionAsync",
        SimpleNameSyntax name => name.Identifier.ValueText == "InTransactionAsync",
        _ => false,
    };

    bool IsBodyOf(InvocationExpressionSyntax call, SyntaxNode declaration, SemanticModel model, CancellationToken cancellationToken)
    {
        if (!NamesScope(call.Expression) || model.GetOperation(call, cancellationToken) is not IInvocationOperation invocation || !IsScope(invocation))
            return false;
        var body = BodyOperation(invocation, cancellationToken);
        return body is not null && body.Syntax.SyntaxTree == declaration.SyntaxTree && body.Syntax.Span == declaration.Span;
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
