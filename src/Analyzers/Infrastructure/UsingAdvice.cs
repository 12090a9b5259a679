using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>
/// Which using statement a message should recommend for a value created at a location: 'await using' in an
/// async method, lambda or local function, 'using' in synchronous code (where 'await using' does not compile).
/// </summary>
internal static class UsingAdvice
{
    public const string EitherForm = "'using' ('await using' in async code)";

    /// <summary>'await using' or 'using' (quoted) for code at <paramref name="location"/>; both forms when it cannot tell.</summary>
    public static string For(Location location)
        => IsAsyncCode(location) is bool async ? Quote(async) : EitherForm;

    /// <summary>
    /// The advice for a value of <paramref name="type"/>: a type with only <c>DisposeAsync</c> (a replication connection)
    /// cannot be declared with 'using', so synchronous code is told to become async.
    /// </summary>
    public static string For(Location location, ITypeSymbol? type)
        => IsAsyncCode(location) == false && IsOnlyAsyncDisposable(type)
            ? "'await using' (it has only DisposeAsync: make the method async)"
            : For(location);

    /// <summary>Whether the method, lambda or local function around <paramref name="location"/> is async; null when it cannot tell.</summary>
    static bool? IsAsyncCode(Location location)
    {
        if (location.SourceTree is not SyntaxTree tree || !location.IsInSource)
            return null;
        var node = tree.GetRoot().FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    return lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword);
                case LocalFunctionStatementSyntax local:
                    return local.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case BaseMethodDeclarationSyntax method:
                    return method.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case AccessorDeclarationSyntax:
                    return false;
                case TypeDeclarationSyntax:
                    return null;
            }
        }
        return null;
    }

    /// <summary>Implements IAsyncDisposable but not IDisposable (or, for a type parameter, none of its constraints does).</summary>
    public static bool IsOnlyAsyncDisposable(ITypeSymbol? type)
    {
        if (type is null)
            return false;
        var interfaces = type is ITypeParameterSymbol parameter
            ? parameter.ConstraintTypes.SelectMany(c => c.AllInterfaces.Concat(c is INamedTypeSymbol { TypeKind: TypeKind.Interface } i ? new[] { i } : System.Array.Empty<INamedTypeSymbol>()))
            : type.AllInterfaces;
        bool disposable = false, asyncDisposable = false;
        foreach (var candidate in interfaces)
        {
            if (candidate is { Name: "IDisposable", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })
                disposable = true;
            else if (candidate is { Name: "IAsyncDisposable", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } })
                asyncDisposable = true;
        }
        return asyncDisposable && !disposable;
    }

    static string Quote(bool async) => async ? "'await using'" : "'using'";
}
