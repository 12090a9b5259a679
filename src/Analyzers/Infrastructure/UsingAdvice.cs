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
    {
        if (location.SourceTree is not SyntaxTree tree || !location.IsInSource)
            return EitherForm;
        var node = tree.GetRoot().FindNode(location.SourceSpan, getInnermostNodeForTie: true);
        foreach (var ancestor in node.AncestorsAndSelf())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    return Quote(lambda.AsyncKeyword.IsKind(SyntaxKind.AsyncKeyword));
                case LocalFunctionStatementSyntax local:
                    return Quote(local.Modifiers.Any(SyntaxKind.AsyncKeyword));
                case BaseMethodDeclarationSyntax method:
                    return Quote(method.Modifiers.Any(SyntaxKind.AsyncKeyword));
                case AccessorDeclarationSyntax:
                    return Quote(async: false);
                case TypeDeclarationSyntax:
                    return EitherForm;
            }
        }
        return EitherForm;
    }

    static string Quote(bool async) => async ? "'await using'" : "'using'";
}
