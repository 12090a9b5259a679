using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PgBorrow.Generators.Methods;

/// <summary>
/// Whether a generator can add the implementing part of a partial method: the checks the [PgTransaction] and
/// [PgQuery] generators share (compiled into the analyzer assembly too, whose rules report what they find).
/// </summary>
internal static class PartialMethodShape
{
    /// <summary>
    /// Calls <paramref name="report"/> with a location and a sentence for each reason the generated file cannot
    /// implement <paramref name="method"/>: not a partial declaration without a body (or already implemented by
    /// hand), a C# version below 9, a generic method, a containing type that is not a partial class or struct,
    /// or a file-local one.
    /// </summary>
    /// <param name="declaration">The method's declaration carrying the attribute.</param>
    /// <param name="method">Its symbol.</param>
    /// <param name="hintSuffix">How the generator's files end: an implementation in such a file is the generator's own.</param>
    /// <param name="languageNeeds">What needs C# 9, for the message (<c>partial methods with a return value</c>).</param>
    /// <param name="report">Receives each problem.</param>
    public static void Check(MethodDeclarationSyntax declaration, IMethodSymbol method, string hintSuffix, string languageNeeds, Action<Location, string> report)
    {
        var name = declaration.Identifier.GetLocation();
        if (!declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            report(name, "it is not declared partial; declare it 'partial' without a body and the generator writes the body");
        else if (declaration.Body is not null || declaration.ExpressionBody is not null)
            report(name, "this declaration has a body; declare the method without one (ending in ';') and the generator writes it");
        else if (method.PartialImplementationPart is { } implementation && !IsGenerated(implementation, hintSuffix))
            report(name, "it already has an implementing declaration; remove it, the generator writes one");

        if (declaration.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp9 })
            report(name, $"the project's C# version is below 9, which {languageNeeds} need; set LangVersion to 9 or later");
        if (method.IsGenericMethod)
            report(name, "it is generic; the generator implements non-generic methods only (a generic type around it is fine)");

        var type = method.ContainingType;
        if (type is null)
            return;
        if (type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
            report(name, $"it is declared in the {type.TypeKind.ToString().ToLowerInvariant()} '{type.Name}'; declare it in a class, record or struct");

        var syntax = declaration.Parent as TypeDeclarationSyntax;
        for (var containing = type; containing is not null; containing = containing.ContainingType)
        {
            if (containing.IsFileLocal)
                report(name, $"'{containing.Name}' is file-local, so the generated file cannot add to it; remove its 'file' modifier");
            if (syntax is null)
                break;
            if (!syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                var detail = SymbolEqualityComparer.Default.Equals(containing, type)
                    ? $"its type '{containing.Name}' is not declared partial; the generated implementation is declared in a second part of it"
                    : $"the type '{containing.Name}' around it is not declared partial; the generated implementation is declared inside a second part of it";
                report(syntax.Identifier.GetLocation(), detail);
            }
            syntax = syntax.Parent as TypeDeclarationSyntax;
        }
    }

    private static bool IsGenerated(IMethodSymbol implementation, string hintSuffix)
        => implementation.DeclaringSyntaxReferences.All(r => r.SyntaxTree.FilePath.EndsWith(hintSuffix, StringComparison.Ordinal));
}
