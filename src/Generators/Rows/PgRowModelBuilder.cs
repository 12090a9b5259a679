using System;
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
/// Turns a [PgRow] type into a <see cref="PgRowModel"/>, or null when it cannot be mapped (the
/// generator then emits nothing for it; attribute-misuse diagnostics belong to an analyzer). Symbols
/// are used here and nowhere after: the model holds strings only.
/// </summary>
internal static class PgRowModelBuilder
{
    public const string PgRowAttributeName = "PgBorrow.PgRowAttribute";
    private const string PgColumnAttributeName = "PgBorrow.PgColumnAttribute";
    private const string PgIgnoreAttributeName = "PgBorrow.PgIgnoreAttribute";
    private const string PgJsonAttributeName = "PgBorrow.PgJsonAttribute";
    private const string RowInterfaceName = "PgBorrow.IPgRow`1";
    private const string SetsRequiredMembersAttributeName = "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute";

    public static PgRowModel? Build(GeneratorAttributeSyntaxContext context, CancellationToken cancellationToken)
    {
        if (context.TargetNode is not TypeDeclarationSyntax declaration || context.TargetSymbol is not INamedTypeSymbol type)
            return null;
        if (!CanBePartialRow(declaration, type))
            return null;
        // Static abstract interface members need C# 11, and the runtime's interface must be referenced.
        if (declaration.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp11 })
            return null;
        if (context.SemanticModel.Compilation.GetTypeByMetadataName(RowInterfaceName) is null)
            return null;

        var containingTypes = ContainingTypes(declaration, type);
        if (containingTypes is null)
            return null;

        cancellationToken.ThrowIfCancellationRequested();
        var naming = Naming(context.Attributes);
        var members = Members(type, naming, cancellationToken);
        if (members is null)
            return null;

        var displayName = type.ToDisplayString();
        return new PgRowModel(
            HintName: HintName(displayName),
            Namespace: type.ContainingNamespace.IsGlobalNamespace ? string.Empty : type.ContainingNamespace.ToDisplayString(),
            ContainingTypes: containingTypes.ToEquatableArray(),
            Declaration: new PgRowTypeDeclaration(Keyword(declaration), type.Name),
            FullyQualifiedName: type.ToDisplayString(SymbolDisplayFormat.FullyQualifiedFormat),
            DisplayName: displayName,
            Members: members.ToEquatableArray());
    }

    private static bool CanBePartialRow(TypeDeclarationSyntax declaration, INamedTypeSymbol type)
        => declaration.Modifiers.Any(SyntaxKind.PartialKeyword)
            && type.TypeKind is TypeKind.Class or TypeKind.Struct
            && type.Arity == 0 && !type.IsAbstract && !type.IsStatic && !type.IsRefLikeType && !type.IsFileLocal;

    /// <summary>The enclosing type declarations, outermost first; null when one of them is not partial.</summary>
    private static List<PgRowTypeDeclaration>? ContainingTypes(TypeDeclarationSyntax declaration, INamedTypeSymbol type)
    {
        var result = new List<PgRowTypeDeclaration>();
        var syntax = declaration.Parent as TypeDeclarationSyntax;
        for (var symbol = type.ContainingType; symbol is not null; symbol = symbol.ContainingType)
        {
            if (syntax is null || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
                return null;
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

    private static int Naming(IEnumerable<AttributeData> attributes)
    {
        foreach (var attribute in attributes)
        {
            foreach (var argument in attribute.NamedArguments)
            {
                if (argument.Key == "Naming" && argument.Value.Value is int naming)
                    return naming;
            }
        }
        return PgRowNaming.SnakeCase;
    }

    /// <summary>The mapped members, or null when the type cannot be mapped.</summary>
    private static List<PgRowMemberModel>? Members(INamedTypeSymbol type, int naming, CancellationToken cancellationToken)
    {
        var constructor = ChooseConstructor(type, cancellationToken);
        if (constructor is null)
            return null;

        var members = new List<PgRowMemberModel>();
        var columns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var parameterNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var properties = type.GetMembers().OfType<IPropertySymbol>().ToList();

        foreach (var parameter in constructor.Parameters)
        {
            // A positional record parameter may carry its attributes on the property ([property: PgColumn]).
            var property = properties.FirstOrDefault(p => p.Name == parameter.Name);
            if (HasAttribute(parameter, PgIgnoreAttributeName) || (property is not null && HasAttribute(property, PgIgnoreAttributeName)))
                return null;
            var column = ColumnName(parameter) ?? (property is null ? null : ColumnName(property)) ?? PgRowNaming.ToColumnName(parameter.Name, naming);
            var json = Attribute(parameter, PgJsonAttributeName) ?? (property is null ? null : Attribute(property, PgJsonAttributeName));
            var member = Member(parameter.Name, column, PgRowMemberRole.ConstructorArgument, parameter.Type, json, ReadableProperty(properties, parameter.Name));
            if (member is null || column.Length == 0 || !columns.Add(column))
                return null;
            members.Add(member);
            parameterNames.Add(parameter.Name);
        }

        var initialized = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in properties)
        {
            if (!IsSettableInstanceProperty(property) || parameterNames.Contains(property.Name))
                continue;
            if (HasAttribute(property, PgIgnoreAttributeName))
            {
                if (property.IsRequired)
                    return null;
                continue;
            }

            var column = ColumnName(property) ?? PgRowNaming.ToColumnName(property.Name, naming);
            var accessor = IsReadable(property) ? property.Name : string.Empty;
            var member = Member(property.Name, column, PgRowMemberRole.Initializer, property.Type, Attribute(property, PgJsonAttributeName), accessor);
            if (member is null || column.Length == 0 || !columns.Add(column))
                return null;
            members.Add(member);
            initialized.Add(property.Name);
        }

        return RequiredMembersAreSet(type, constructor, initialized) ? members : null;
    }

    private static PgRowMemberModel? Member(string name, string column, PgRowMemberRole role, ITypeSymbol type, AttributeData? json, string accessor)
    {
        var read = json is null
            ? PgRowTypeClassifier.Classify(type, out var isNullable)
            : PgRowTypeClassifier.ClassifyJson(type, JsonContext(json), JsonDataTypeName(json), out isNullable);
        if (read is null)
            return null;
        var written = type.IsReferenceType
            ? type.WithNullableAnnotation(isNullable ? NullableAnnotation.Annotated : NullableAnnotation.NotAnnotated)
            : type;
        return new PgRowMemberModel(
            name,
            column,
            role,
            PgRowTypeClassifier.FullyQualified(written),
            written.ToDisplayString(PgRowTypeClassifier.MessageFormat),
            isNullable,
            read,
            accessor);
    }

    /// <summary>The context type of <c>[PgJson(typeof(AppJsonContext))]</c>, or null.</summary>
    private static ITypeSymbol? JsonContext(AttributeData json)
        => json.ConstructorArguments.Length == 1 ? json.ConstructorArguments[0].Value as ITypeSymbol : null;

    private static string JsonDataTypeName(AttributeData json)
    {
        foreach (var argument in json.NamedArguments)
        {
            if (argument.Key == "DataTypeName" && argument.Value.Value is string name)
                return name;
        }
        return "jsonb";
    }

    /// <summary>
    /// The property a writer reads a constructor parameter's value from: the one with the parameter's
    /// name (a positional record's property), else the one whose name differs only in case
    /// (<c>id</c> and <c>Id</c>); empty when there is none, and the row type cannot be written.
    /// </summary>
    private static string ReadableProperty(List<IPropertySymbol> properties, string parameterName)
    {
        var match = properties.FirstOrDefault(p => p.Name == parameterName && IsReadable(p))
            ?? properties.FirstOrDefault(p => string.Equals(p.Name, parameterName, StringComparison.OrdinalIgnoreCase) && IsReadable(p));
        return match?.Name ?? string.Empty;
    }

    private static bool IsReadable(IPropertySymbol property)
        => !property.IsStatic
            && !property.IsIndexer
            && property.GetMethod is not null // any accessibility: the generated code is part of the type
            && property.ExplicitInterfaceImplementations.IsEmpty;

    /// <summary>
    /// The primary constructor if there is one; else the parameterless one (with an object
    /// initializer); else the only constructor. Null when the choice is ambiguous.
    /// </summary>
    private static IMethodSymbol? ChooseConstructor(INamedTypeSymbol type, CancellationToken cancellationToken)
    {
        IMethodSymbol? parameterless = null;
        var withParameters = new List<IMethodSymbol>();
        foreach (var constructor in type.InstanceConstructors)
        {
            if (constructor.IsImplicitlyDeclared && constructor.Parameters.Length == 1
                && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, type))
            {
                continue; // a record's copy constructor
            }

            if (constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax(cancellationToken) is TypeDeclarationSyntax))
                return constructor; // primary constructor
            if (constructor.Parameters.Length == 0)
                parameterless = constructor;
            else
                withParameters.Add(constructor);
        }

        if (parameterless is not null && parameterless.DeclaredAccessibility != Accessibility.Private)
            return parameterless;
        return withParameters.Count == 1 ? withParameters[0] : null;
    }

    private static bool IsSettableInstanceProperty(IPropertySymbol property)
        => !property.IsStatic
            && !property.IsIndexer
            && property.SetMethod is not null
            && property.ExplicitInterfaceImplementations.IsEmpty
            && property.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

    /// <summary>Every required member of the type and its bases is set by the initializer (or the constructor says it sets them).</summary>
    private static bool RequiredMembersAreSet(INamedTypeSymbol type, IMethodSymbol constructor, HashSet<string> initialized)
    {
        if (HasAttribute(constructor, SetsRequiredMembersAttributeName))
            return true;
        for (var current = type; current is not null; current = current.BaseType)
        {
            foreach (var member in current.GetMembers())
            {
                var required = member is IPropertySymbol { IsRequired: true } || member is IFieldSymbol { IsRequired: true };
                if (required && (!SymbolEqualityComparer.Default.Equals(current, type) || !initialized.Contains(member.Name)))
                    return false;
            }
        }
        return true;
    }

    private static string? ColumnName(ISymbol symbol)
    {
        foreach (var attribute in symbol.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == PgColumnAttributeName)
                return attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name ? name : string.Empty;
        }
        return null;
    }

    private static bool HasAttribute(ISymbol symbol, string attributeName) => Attribute(symbol, attributeName) is not null;

    private static AttributeData? Attribute(ISymbol symbol, string attributeName)
        => symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == attributeName);

    private static string HintName(string displayName)
    {
        var builder = new StringBuilder(displayName.Length + 12);
        foreach (var c in displayName)
            builder.Append(char.IsLetterOrDigit(c) || c is '.' or '_' ? c : '_');
        return builder.Append(".PgRow.g.cs").ToString();
    }
}
