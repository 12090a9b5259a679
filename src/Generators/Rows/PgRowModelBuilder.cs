using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Rows;

/// <summary>
/// Turns a [PgRow] type into a <see cref="PgRowModel"/>, or null when <see cref="PgRowShapeCheck"/>
/// finds a problem that stops the generator (the PGB30x analyzer reports it). Symbols are used here
/// and nowhere after: the model holds strings only.
/// </summary>
internal static class PgRowModelBuilder
{
    public static PgRowModel? Build(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not TypeDeclarationSyntax declaration || context.TargetSymbol is not INamedTypeSymbol type || context.Attributes.IsEmpty)
            return null;

        var rowInterfaceFound = context.SemanticModel.Compilation.GetTypeByMetadataName(PgRowShapeCheck.RowInterfaceName) is not null;
        var check = PgRowShapeCheck.Run(declaration, type, context.Attributes[0], rowInterfaceFound, cancellationToken);
        if (check.HasErrors)
            return null;

        var displayName = type.ToDisplayString();
        return new PgRowModel(
            HintName: HintName(displayName),
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString(),
            ContainingTypes: ContainingTypes(declaration, type).ToEquatableArray(),
            Declaration: new PgRowTypeDeclaration(Keyword(declaration), type.Name),
            FullyQualifiedName: type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            DisplayName: displayName,
            Members: check.Members.Select(Member).ToEquatableArray());
    }

    /// <summary>The enclosing type declarations, outermost first (the check has made sure each is partial).</summary>
    private static List<PgRowTypeDeclaration> ContainingTypes(TypeDeclarationSyntax declaration, INamedTypeSymbol type)
    {
        var result = new List<PgRowTypeDeclaration>();
        var syntax = declaration.Parent as TypeDeclarationSyntax;
        for (var symbol = type.ContainingType; symbol is not null && syntax is not null; symbol = symbol.ContainingType)
        {
            result.Add(new PgRowTypeDeclaration(Keyword(syntax), NameWithTypeParameters(symbol)));
            syntax = syntax.Parent as TypeDeclarationSyntax;
        }

        result.Reverse();
        return result;
    }

    private static string Keyword(TypeDeclarationSyntax declaration) => declaration switch
    {
        RecordDeclarationSyntax record when record.ClassOrStructKeyword.IsKind(SyntaxKind.StructKeyword) => "record struct",
        RecordDeclarationSyntax => "record",
        StructDeclarationSyntax => "struct",
        InterfaceDeclarationSyntax => "interface",
        _ => "class",
    };

    private static string NameWithTypeParameters(INamedTypeSymbol type)
    {
        if (type.TypeParameters.Length == 0)
            return type.Name;
        var parameters = type.TypeParameters.Select(p => p.Variance switch
        {
            VarianceKind.In => "in " + p.Name,
            VarianceKind.Out => "out " + p.Name,
            _ => p.Name,
        });
        return type.Name + "<" + string.Join(", ", parameters) + ">";
    }

    private static PgRowMemberModel Member(PgRowMappedMember member)
    {
        var type = member.Type;
        var written = type.IsReferenceType
            ? type.WithNullableAnnotation(member.IsNullable ? NullableAnnotation.Annotated : NullableAnnotation.NotAnnotated)
            : type;
        return new PgRowMemberModel(
            member.Name,
            member.Column,
            member.Role,
            PgRowTypeClassifier.FullyQualified(written),
            written.ToDisplayString(PgRowTypeClassifier.MessageFormat),
            member.IsNullable,
            member.Read,
            member.Accessor);
    }

    private static string HintName(string displayName)
    {
        var builder = new StringBuilder(displayName.Length + 12);
        foreach (var c in displayName)
            builder.Append(char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        return builder.Append(".PgRow.g.cs").ToString();
    }
}
