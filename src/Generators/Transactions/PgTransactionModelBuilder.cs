using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Transactions;

/// <summary>
/// Turns a [PgTransaction] method into a <see cref="PgTransactionModel"/>, or null when
/// <see cref="PgTransactionMethodCheck"/> finds a problem (the analyzers report it). Symbols are used
/// here and nowhere after: the model holds strings only.
/// </summary>
internal static class PgTransactionModelBuilder
{
    private static readonly SymbolDisplayFormat CodeFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static PgTransactionModel? Build(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not MethodDeclarationSyntax declaration || context.TargetSymbol is not IMethodSymbol method || context.Attributes.Length != 1)
            return null;

        var check = PgTransactionMethodCheck.Run(declaration, method, context.Attributes[0], cancellationToken);
        if (check.Problems.Count > 0 || check.Body is null || check.Options is not { } options || method.ContainingType is not { } type)
            return null;

        var containingTypes = new List<PgContainingType>();
        var syntax = declaration.Parent as TypeDeclarationSyntax;
        for (var symbol = type; symbol is not null && syntax is not null; symbol = symbol.ContainingType)
        {
            containingTypes.Add(new PgContainingType(Keyword(syntax), NameWithTypeParameters(symbol)));
            syntax = syntax.Parent as TypeDeclarationSyntax;
        }
        containingTypes.Reverse();

        var parameters = method.Parameters.Skip(1).Select((p, i) => new PgTransactionParameter(
            Identifier(p.Name),
            p.Type.ToDisplayString(CodeFormat),
            i + 1 == check.CancellationTokenIndex ? PgTransactionParameterRole.CancellationToken : PgTransactionParameterRole.State,
            p.IsParams));
        var first = method.Parameters[0];
        var overloaded = type.GetMembers(method.Name).OfType<IMethodSymbol>().Count(m => m.MethodKind == MethodKind.Ordinary) > 1;
        var uniqueName = overloaded ? method.Name + "_" + string.Join("_", method.Parameters.Select(p => p.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat))) : method.Name;
        var typeName = type.ToDisplayString();

        return new PgTransactionModel(
            HintName: Sanitize(typeName + "." + uniqueName) + PgTransactionMethodCheck.HintSuffix,
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString(),
            ContainingTypes: containingTypes.ToEquatableArray(),
            DisplayName: typeName + "." + method.Name,
            Modifiers: string.Join(" ", declaration.Modifiers.Where(m => !m.IsKind(SyntaxKind.PartialKeyword)).Select(m => m.Text)),
            Name: Identifier(method.Name),
            ReturnType: method.ReturnType.ToDisplayString(CodeFormat),
            ResultType: check.ResultType?.ToDisplayString(CodeFormat) ?? string.Empty,
            IsStatic: method.IsStatic,
            IsExtension: method.IsExtensionMethod,
            ContainingTypeName: type.ToDisplayString(CodeFormat),
            Source: new PgTransactionParameter(Identifier(first.Name), first.Type.ToDisplayString(CodeFormat), PgTransactionParameterRole.Source),
            Parameters: parameters.ToEquatableArray(),
            Body: Identifier(check.Body.Name),
            OptionsField: "__pgTransactionOptions_" + Sanitize(uniqueName).Replace('.', '_'),
            Options: new PgTransactionOptionsModel(options.IsolationLevel, options.ReadOnly, options.Deferrable, options.MaxAttempts, options.BaseDelay, options.MaxDelay));
    }

    private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
    {
        RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
        RecordDeclarationSyntax => "record",
        StructDeclarationSyntax => "struct",
        _ => "class",
    };

    private static string NameWithTypeParameters(INamedTypeSymbol type)
        => type.TypeParameters.Length == 0 ? type.Name : type.Name + "<" + string.Join(", ", type.TypeParameters.Select(p => p.Name)) + ">";

    /// <summary>A name as code must write it: <c>@event</c> for a keyword.</summary>
    private static string Identifier(string name)
        => SyntaxFacts.GetKeywordKind(name) == SyntaxKind.None ? name : "@" + name;

    /// <summary>Letters, digits, dots and underscores only: a valid hint name and, without dots, a valid identifier.</summary>
    private static string Sanitize(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
            builder.Append(char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        return builder.ToString();
    }
}
