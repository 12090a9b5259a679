using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Rows;

/// <summary>
/// The decisions shared by the [PgRow] generator and the PGB301-PGB309 analyzer (this file is compiled
/// into both assemblies): which types can be partial rows, the constructor, the mapped members and their
/// columns, [PgIgnore], required members. The generator maps a type exactly when no problem
/// <see cref="PgRowProblem.StopsGenerator"/>, from <see cref="Members"/>; the analyzer reports each
/// problem. The walk goes on after a problem, so one build lists them all. Holds symbols and locations,
/// so it lives only inside the generator's transform, never in the pipeline.
/// </summary>
internal sealed class PgRowShapeCheck
{
    public const string AttributeName = "PgBorrow.PgRowAttribute";
    public const string RowInterfaceName = "PgBorrow.IPgRow`1";
    private const string PgColumnAttributeName = "PgBorrow.PgColumnAttribute";
    private const string PgIgnoreAttributeName = "PgBorrow.PgIgnoreAttribute";
    private const string PgJsonAttributeName = "PgBorrow.PgJsonAttribute";
    private const string SetsRequiredMembersAttributeName = "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute";

    private readonly INamedTypeSymbol _type;
    private readonly TypeDeclarationSyntax _declaration;
    private readonly CancellationToken _cancellationToken;
    private readonly List<PgRowProblem> _problems = new();
    private readonly List<PgRowMappedMember> _members = new();

    /// <summary>Column name to the member that reads it; PostgreSQL folds unquoted names, so case is ignored.</summary>
    private readonly Dictionary<string, string> _columns = new(StringComparer.OrdinalIgnoreCase);

    private PgRowShapeCheck(INamedTypeSymbol type, TypeDeclarationSyntax declaration, CancellationToken cancellationToken)
    {
        _type = type;
        _declaration = declaration;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Every problem found, in the order the walk met them.</summary>
    public IReadOnlyList<PgRowProblem> Problems => _problems;

    /// <summary>True when the generator must emit nothing for the type.</summary>
    public bool HasErrors => _problems.Any(p => p.StopsGenerator);

    /// <summary>The mapped members, constructor arguments first in parameter order, then initialized properties; complete only without errors.</summary>
    public IReadOnlyList<PgRowMappedMember> Members => _members;

    /// <summary>
    /// Checks <paramref name="type"/> as <paramref name="declaration"/> (the part that carries
    /// <paramref name="rowAttribute"/>) declares it.
    /// </summary>
    public static PgRowShapeCheck Run(TypeDeclarationSyntax declaration, INamedTypeSymbol type, AttributeData rowAttribute, bool rowInterfaceFound, CancellationToken cancellationToken)
    {
        var check = new PgRowShapeCheck(type, declaration, cancellationToken);
        check.Check(rowAttribute, rowInterfaceFound);
        return check;
    }

    private Location TypeLocation => _declaration.Identifier.GetLocation();

    private void Report(PgRowProblemKind kind, Location location, params string[] arguments)
        => _problems.Add(new PgRowProblem(kind, location, arguments));

    private void Check(AttributeData rowAttribute, bool rowInterfaceFound)
    {
        // A type of the wrong kind makes the member checks meaningless (a static class has no
        // constructor to call), so its problems are the only ones.
        var kindProblems = KindProblems().ToList();
        foreach (var problem in kindProblems)
            Report(PgRowProblemKind.TypeCannotBeGenerated, TypeLocation, _type.Name, problem);
        if (kindProblems.Count > 0)
            return;

        if (!_declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            Report(PgRowProblemKind.TypeNotPartial, TypeLocation, _type.Name, "the [PgRow] generator adds the row mapping in a second part of the type");
        CheckContainingTypesArePartial();

        // Static abstract interface members need C# 11, and the runtime's interface must be referenced.
        if (_declaration.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp11 } options)
        {
            Report(PgRowProblemKind.TypeCannotBeGenerated, TypeLocation, _type.Name,
                $"the project compiles as C# {options.LanguageVersion.ToDisplayString()}, and the row interface's static abstract members need C# 11 or later; set <LangVersion> to 11 or later");
        }
        if (!rowInterfaceFound)
        {
            Report(PgRowProblemKind.TypeCannotBeGenerated, TypeLocation, _type.Name,
                "the PgBorrow runtime's IPgRow<T> interface cannot be found; reference the PgBorrow package (once)");
        }

        var constructor = ChooseConstructor(out var constructorProblem);
        if (constructor is null)
        {
            Report(PgRowProblemKind.NoUsableConstructor, TypeLocation, _type.Name, constructorProblem);
            return;
        }

        _cancellationToken.ThrowIfCancellationRequested();
        CheckMembers(constructor, Naming(rowAttribute));
    }

    private IEnumerable<string> KindProblems()
    {
        if (_type.TypeKind is not (TypeKind.Class or TypeKind.Struct))
        {
            yield return _type.TypeKind == TypeKind.Interface
                ? "it is an interface; put [PgRow] on a class, record, struct or record struct"
                : "put [PgRow] on a class, record, struct or record struct";
            yield break;
        }
        if (_type.Arity > 0)
            yield return "it is generic, and a row type must be one concrete type; declare a non-generic row type for each shape of row";
        if (_type.IsStatic)
            yield return "it is static, and the generated code must create rows of it; remove 'static'";
        else if (_type.IsAbstract)
            yield return "it is abstract, and the generated code must create rows of it; put [PgRow] on a concrete type";
        if (_type.IsRefLikeType)
            yield return "it is a ref struct, and rows are returned in lists and async streams, where a ref struct cannot go; make it a struct or a class";
        if (_type.IsFileLocal)
            yield return "it is a file-local type, which the generated code in another file cannot name; remove its 'file' modifier";
    }

    /// <summary>Every enclosing type must be partial too, since the generated code repeats each one around the row type.</summary>
    private void CheckContainingTypesArePartial()
    {
        var syntax = _declaration.Parent as TypeDeclarationSyntax;
        for (var symbol = _type.ContainingType; symbol is not null; symbol = symbol.ContainingType)
        {
            if (syntax is null || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(PgRowProblemKind.TypeNotPartial, syntax?.Identifier.GetLocation() ?? TypeLocation, symbol.Name,
                    $"it contains the [PgRow] type '{_type.Name}', and the generated mapping is declared inside a second part of it");
            }
            syntax = syntax?.Parent as TypeDeclarationSyntax;
        }
    }

    private static int Naming(AttributeData rowAttribute)
    {
        foreach (var argument in rowAttribute.NamedArguments)
        {
            if (argument.Key == "Naming" && argument.Value.Value is int naming)
                return naming;
        }
        return PgRowNaming.SnakeCase;
    }

    /// <summary>
    /// The primary constructor if there is one; else the parameterless one (with an object
    /// initializer) unless it is private; else the only constructor. Null, and why, when there is none.
    /// </summary>
    private IMethodSymbol? ChooseConstructor(out string problem)
    {
        problem = string.Empty;
        IMethodSymbol? parameterless = null;
        var withParameters = new List<IMethodSymbol>();
        foreach (var constructor in _type.InstanceConstructors)
        {
            if (constructor.IsImplicitlyDeclared && constructor.Parameters.Length == 1
                && SymbolEqualityComparer.Default.Equals(constructor.Parameters[0].Type, _type))
            {
                continue; // a record's copy constructor
            }

            if (IsPrimary(constructor))
                return constructor;
            if (constructor.Parameters.Length == 0)
                parameterless = constructor;
            else
                withParameters.Add(constructor);
        }

        if (parameterless is not null && parameterless.DeclaredAccessibility != Accessibility.Private)
            return parameterless;
        if (withParameters.Count == 1)
            return withParameters[0];

        problem = (parameterless, withParameters.Count) switch
        {
            (not null, 0) => "its only constructor is private; make the parameterless constructor internal or public",
            (not null, _) => $"its parameterless constructor is private and it has {withParameters.Count} constructors with parameters, so the generator cannot choose; make the parameterless constructor internal or public, or keep one constructor",
            (null, 0) => "it has no instance constructor; add a parameterless one or a primary constructor",
            (null, _) => $"it has {withParameters.Count} constructors with parameters and no parameterless one, so the generator cannot choose; use a primary constructor, keep one constructor, or add a parameterless one",
        };
        return null;
    }

    private bool IsPrimary(IMethodSymbol constructor)
        => constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax(_cancellationToken) is TypeDeclarationSyntax);

    private void CheckMembers(IMethodSymbol constructor, int naming)
    {
        var properties = _type.GetMembers().OfType<IPropertySymbol>().ToList();
        var parameterNames = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var positional = _type.IsRecord && IsPrimary(constructor);

        foreach (var parameter in constructor.Parameters)
        {
            parameterNames.Add(parameter.Name);
            // A positional record parameter may carry its attributes on the property ([property: PgColumn]).
            var property = properties.FirstOrDefault(p => p.Name == parameter.Name);
            var ignore = Attribute(parameter, PgIgnoreAttributeName) ?? (property is null ? null : Attribute(property, PgIgnoreAttributeName));
            if (ignore is not null)
            {
                Report(PgRowProblemKind.MemberCannotBeIgnored, AttributeLocation(ignore, parameter), parameter.Name,
                    positional
                        ? "it is a positional record parameter, which the generated code must pass to the constructor; remove [PgIgnore], or move the member out of the parameter list into the record's body"
                        : "it is a constructor parameter, which the generated code must pass a value to; remove [PgIgnore], or remove the parameter");
                continue;
            }

            var column = Attribute(parameter, PgColumnAttributeName) ?? (property is null ? null : Attribute(property, PgColumnAttributeName));
            var json = Attribute(parameter, PgJsonAttributeName) ?? (property is null ? null : Attribute(property, PgJsonAttributeName));
            Map(parameter, parameter.Type, PgRowMemberRole.ConstructorArgument, column, json, naming, ReadableProperty(properties, parameter.Name));
        }

        // Own properties the loop below judged: mapped, or already reported.
        var judged = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in properties)
        {
            if (!IsSettableInstanceProperty(property) || parameterNames.Contains(property.Name))
                continue;
            judged.Add(property.Name);
            var column = Attribute(property, PgColumnAttributeName);
            if (Attribute(property, PgIgnoreAttributeName) is { } ignore)
            {
                if (property.IsRequired)
                {
                    Report(PgRowProblemKind.MemberCannotBeIgnored, AttributeLocation(ignore, property), property.Name,
                        "it is a required member, which the generated object initializer must set; remove [PgIgnore], or remove 'required'");
                }
                else if (column is not null)
                {
                    Report(PgRowProblemKind.ColumnOnIgnoredMember, AttributeLocation(column, property), property.Name);
                }
                continue;
            }

            var accessor = IsReadable(property) ? property.Name : string.Empty;
            Map(property, property.Type, PgRowMemberRole.Initializer, column, Attribute(property, PgJsonAttributeName), naming, accessor);
        }

        if (!HasAttribute(constructor, SetsRequiredMembersAttributeName))
            CheckRequiredMembers(judged, parameterNames);
    }

    /// <summary>Decides how <paramref name="member"/> is read and from which column, and adds it to <see cref="Members"/> when it can be.</summary>
    private void Map(ISymbol member, ITypeSymbol type, PgRowMemberRole role, AttributeData? columnAttribute, AttributeData? json, int naming, string accessor)
    {
        var location = member.Locations.FirstOrDefault() ?? TypeLocation;
        var defaultColumn = PgRowNaming.ToColumnName(member.Name, naming);

        // [PgJson] takes any type System.Text.Json can serialize; the rest must be a supported type.
        var read = json is null ? PgRowTypeClassifier.Classify(type, out var isNullable) : PgRowTypeClassifier.ClassifyJson(type, json, out isNullable);
        if (read is null)
        {
            // An error type is the compiler's to report; a diagnostic on it would only be noise.
            if (ContainsErrorType(type))
                Report(PgRowProblemKind.CompilerReports, location);
            else
                Report(PgRowProblemKind.MemberTypeNotSupported, location, member.Name, type.ToDisplayString(PgRowTypeClassifier.MessageFormat),
                    json is null ? PgRowProblemAdvice.UnsupportedType(type, role == PgRowMemberRole.ConstructorArgument) : PgRowProblemAdvice.Json(type));
        }

        var column = columnAttribute is null ? defaultColumn : ColumnName(columnAttribute);
        if (column.Length == 0)
        {
            // Without [PgColumn], an empty name is a member still being typed; the compiler reports that.
            if (columnAttribute is null)
                Report(PgRowProblemKind.CompilerReports, location);
            else
                Report(PgRowProblemKind.ColumnNameEmpty, AttributeLocation(columnAttribute, member), member.Name, defaultColumn);
        }
        else if (_columns.TryGetValue(column, out var first))
        {
            Report(PgRowProblemKind.ColumnReadTwice, location, first, member.Name, column);
        }
        else
        {
            _columns.Add(column, member.Name);
            if (read is not null)
                _members.Add(new PgRowMappedMember(member.Name, column, role, type, read, isNullable, accessor));
        }
    }

    /// <summary>Required members must be set by the object initializer the generated code writes, unless the constructor says it sets them.</summary>
    private void CheckRequiredMembers(HashSet<string> judged, HashSet<string> parameterNames)
    {
        for (var current = _type; current is not null; current = current.BaseType)
        {
            var own = SymbolEqualityComparer.Default.Equals(current, _type);
            foreach (var member in current.GetMembers())
            {
                var required = member is IPropertySymbol { IsRequired: true } || member is IFieldSymbol { IsRequired: true };
                if (!required || (own && member is IPropertySymbol && judged.Contains(member.Name)))
                    continue;

                string problem;
                var location = member.Locations.FirstOrDefault(l => l.IsInSource) ?? TypeLocation;
                if (!own)
                {
                    location = TypeLocation;
                    problem = $"it is declared on the base type '{current.Name}', and the generated code sets only members declared on '{_type.Name}'; add a constructor marked [SetsRequiredMembers] that sets it";
                }
                else if (member is IFieldSymbol)
                {
                    problem = "it is a field, and the generated code sets properties only; make it a property, or set it in a constructor marked [SetsRequiredMembers]";
                }
                else if (parameterNames.Contains(member.Name))
                {
                    problem = "the generated code passes its value to the constructor parameter of the same name, but the compiler still wants it in an object initializer; mark that constructor [SetsRequiredMembers]";
                }
                else
                {
                    problem = "the generated code sets only public or internal instance properties with a setter; make it one, or set it in a constructor marked [SetsRequiredMembers]";
                }
                Report(PgRowProblemKind.RequiredMemberNotSet, location, own ? member.Name : current.Name + "." + member.Name, problem);
            }
        }
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

    private static bool IsSettableInstanceProperty(IPropertySymbol property)
        => !property.IsStatic
            && !property.IsIndexer
            && property.SetMethod is not null
            && property.ExplicitInterfaceImplementations.IsEmpty
            && property.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

    /// <summary>The first constructor argument; anything but one string (a missing or null argument) counts as empty.</summary>
    private static string ColumnName(AttributeData attribute)
        => attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name ? name : string.Empty;

    private static AttributeData? Attribute(ISymbol symbol, string attributeName)
        => symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == attributeName);

    private static bool HasAttribute(ISymbol symbol, string attributeName) => Attribute(symbol, attributeName) is not null;

    private Location AttributeLocation(AttributeData attribute, ISymbol member)
        => attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation()
            ?? member.Locations.FirstOrDefault()
            ?? TypeLocation;

    private static bool ContainsErrorType(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsErrorType),
        _ => false,
    };
}
