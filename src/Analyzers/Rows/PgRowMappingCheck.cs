using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Analyzers.Rules;
using PgBorrow.Generators.Rows;

namespace PgBorrow.Analyzers.Rows;

/// <summary>
/// Walks a [PgRow] type through the same decisions as the generator's <c>PgRowModelBuilder</c>, in the
/// same order, and reports each one that makes the builder give up (an Error) or that has no effect (a
/// Warning). The builder stops at its first problem; this check goes on, so one build lists them all.
/// Keep it in step with the builder: PgRowConsistencyTests fails when the two disagree.
/// </summary>
internal sealed class PgRowMappingCheck
{
    const string PgColumnAttributeName = "PgBorrow.PgColumnAttribute";
    const string PgIgnoreAttributeName = "PgBorrow.PgIgnoreAttribute";
    const string PgJsonAttributeName = "PgBorrow.PgJsonAttribute";
    const string PgEnumAttributeName = "PgBorrow.PgEnumAttribute";
    const string SetsRequiredMembersAttributeName = "System.Diagnostics.CodeAnalysis.SetsRequiredMembersAttribute";

    readonly INamedTypeSymbol _type;
    readonly TypeDeclarationSyntax _declaration;
    readonly Action<Diagnostic> _report;
    readonly CancellationToken _cancellationToken;

    /// <summary>Column name to the member that reads it, compared as the builder compares them.</summary>
    readonly Dictionary<string, string> _columns = new(StringComparer.OrdinalIgnoreCase);

    PgRowMappingCheck(INamedTypeSymbol type, TypeDeclarationSyntax declaration, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        _type = type;
        _declaration = declaration;
        _report = report;
        _cancellationToken = cancellationToken;
    }

    public static void Run(INamedTypeSymbol type, AttributeData rowAttribute, bool rowInterfaceFound, Action<Diagnostic> report, CancellationToken cancellationToken)
    {
        // The generator looks at the declaration that carries [PgRow]; so does this check.
        if (rowAttribute.ApplicationSyntaxReference?.GetSyntax(cancellationToken).FirstAncestorOrSelf<TypeDeclarationSyntax>() is not { } declaration)
            return;
        new PgRowMappingCheck(type, declaration, report, cancellationToken).Check(rowAttribute, rowInterfaceFound);
    }

    Location TypeLocation => _declaration.Identifier.GetLocation();

    void Report(DiagnosticDescriptor descriptor, Location location, params object[] arguments)
        => _report(Diagnostic.Create(descriptor, location, arguments));

    void Check(AttributeData rowAttribute, bool rowInterfaceFound)
    {
        // A type of the wrong kind makes the member checks meaningless (a static class has no
        // constructor to call), so its report is the only one.
        var kindProblems = KindProblems().ToList();
        foreach (var problem in kindProblems)
            Report(PgRowMisuseAnalyzer.TypeCannotBeGenerated, TypeLocation, _type.Name, problem);
        if (kindProblems.Count > 0)
            return;

        if (!_declaration.Modifiers.Any(SyntaxKind.PartialKeyword))
            Report(PgRowMisuseAnalyzer.TypeNotPartial, TypeLocation, _type.Name, "the [PgRow] generator adds the row mapping in a second part of the type");
        CheckContainingTypesArePartial();

        if (_declaration.SyntaxTree.Options is CSharpParseOptions { LanguageVersion: < LanguageVersion.CSharp11 } options)
        {
            Report(PgRowMisuseAnalyzer.TypeCannotBeGenerated, TypeLocation, _type.Name,
                $"the project compiles as C# {options.LanguageVersion.ToDisplayString()}, and the row interface's static abstract members need C# 11 or later; set <LangVersion> to 11 or later");
        }
        if (!rowInterfaceFound)
        {
            Report(PgRowMisuseAnalyzer.TypeCannotBeGenerated, TypeLocation, _type.Name,
                "the PgBorrow runtime's IPgRow<T> interface cannot be found; reference the PgBorrow package (once)");
        }

        var constructor = ChooseConstructor(out var constructorProblem);
        if (constructor is null)
        {
            Report(PgRowMisuseAnalyzer.NoUsableConstructor, TypeLocation, _type.Name, constructorProblem);
            return;
        }

        _cancellationToken.ThrowIfCancellationRequested();
        CheckMembers(constructor, Naming(rowAttribute));
    }

    IEnumerable<string> KindProblems()
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
            yield return "it is static, and the generated code must create rows of it";
        else if (_type.IsAbstract)
            yield return "it is abstract, and the generated code must create rows of it; put [PgRow] on a concrete type";
        if (_type.IsRefLikeType)
            yield return "it is a ref struct, and rows are returned in lists and async streams, where a ref struct cannot go";
        if (_type.IsFileLocal)
            yield return "it is a file-local type, which the generated code in another file cannot name";
    }

    /// <summary>Every enclosing type must be partial too, since the generated code repeats each one around the row type.</summary>
    void CheckContainingTypesArePartial()
    {
        var syntax = _declaration.Parent as TypeDeclarationSyntax;
        for (var symbol = _type.ContainingType; symbol is not null; symbol = symbol.ContainingType)
        {
            if (syntax is null || !syntax.Modifiers.Any(SyntaxKind.PartialKeyword))
            {
                Report(PgRowMisuseAnalyzer.TypeNotPartial, syntax?.Identifier.GetLocation() ?? TypeLocation, symbol.Name,
                    $"it contains the [PgRow] type '{_type.Name}', and the generated mapping is declared inside a second part of it");
            }
            syntax = syntax?.Parent as TypeDeclarationSyntax;
        }
    }

    static int Naming(AttributeData rowAttribute)
    {
        foreach (var argument in rowAttribute.NamedArguments)
        {
            if (argument.Key == "Naming" && argument.Value.Value is int naming)
                return naming;
        }
        return PgRowNaming.SnakeCase;
    }

    /// <summary>The builder's constructor choice; when there is none, why.</summary>
    IMethodSymbol? ChooseConstructor(out string problem)
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
            (null, 0) => "it has no instance constructor",
            (null, _) => $"it has {withParameters.Count} constructors with parameters and no parameterless one, so the generator cannot choose; use a primary constructor, keep one constructor, or add a parameterless one",
        };
        return null;
    }

    bool IsPrimary(IMethodSymbol constructor)
        => constructor.DeclaringSyntaxReferences.Any(r => r.GetSyntax(_cancellationToken) is TypeDeclarationSyntax);

    void CheckMembers(IMethodSymbol constructor, int naming)
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
                Report(PgRowMisuseAnalyzer.MemberCannotBeIgnored, AttributeLocation(ignore, parameter), parameter.Name,
                    positional
                        ? "it is a positional record parameter, which the generated code must pass to the constructor; remove [PgIgnore], or move the member out of the parameter list into the record's body"
                        : "it is a constructor parameter, which the generated code must pass a value to; remove [PgIgnore], or remove the parameter");
                continue;
            }

            var column = Attribute(parameter, PgColumnAttributeName) ?? (property is null ? null : Attribute(property, PgColumnAttributeName));
            var json = Attribute(parameter, PgJsonAttributeName) ?? (property is null ? null : Attribute(property, PgJsonAttributeName));
            CheckMappedMember(parameter, parameter.Type, column, json, naming, isParameter: true);
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
                    Report(PgRowMisuseAnalyzer.MemberCannotBeIgnored, AttributeLocation(ignore, property), property.Name,
                        "it is a required member, which the generated object initializer must set; remove [PgIgnore], or remove 'required'");
                }
                else if (column is not null)
                {
                    Report(PgRowMisuseAnalyzer.ColumnOnIgnoredMember, AttributeLocation(column, property), property.Name);
                }
                continue;
            }

            CheckMappedMember(property, property.Type, column, Attribute(property, PgJsonAttributeName), naming, isParameter: false);
        }

        if (!HasAttribute(constructor, SetsRequiredMembersAttributeName))
            CheckRequiredMembers(judged, parameterNames);
    }

    void CheckMappedMember(ISymbol member, ITypeSymbol type, AttributeData? columnAttribute, AttributeData? json, int naming, bool isParameter)
    {
        var location = member.Locations.FirstOrDefault() ?? TypeLocation;
        var defaultColumn = PgRowNaming.ToColumnName(member.Name, naming);

        // An error type is the compiler's to report; a second error on it would only be noise.
        // The same decision the generator makes: [PgJson] takes any type, the rest must be a supported one.
        var plan = json is null ? PgRowTypeClassifier.Classify(type, out _) : PgRowTypeClassifier.ClassifyJson(type, json, out _);
        if (plan is null && !ContainsErrorType(type))
        {
            Report(PgRowMisuseAnalyzer.MemberTypeNotSupported, location, member.Name, type.ToDisplayString(PgRowTypeClassifier.MessageFormat),
                json is null ? UnsupportedTypeAdvice(type, isParameter) : JsonAdvice(type));
        }

        var column = columnAttribute is null ? defaultColumn : ColumnName(columnAttribute);
        if (column.Length == 0)
        {
            // Without [PgColumn], an empty name is a member still being typed; the compiler reports that.
            if (columnAttribute is not null)
                Report(PgRowMisuseAnalyzer.ColumnNameEmpty, AttributeLocation(columnAttribute, member), member.Name, defaultColumn);
        }
        else if (_columns.TryGetValue(column, out var first))
            Report(PgRowMisuseAnalyzer.ColumnReadTwice, location, first, member.Name, column);
        else
            _columns.Add(column, member.Name);
    }

    static string UnsupportedTypeAdvice(ITypeSymbol type, bool isParameter)
    {
        var alternatives = isParameter
            ? "use a supported type (see PGB302's page), or map it with [PgJson] for a jsonb column; a constructor parameter cannot be left out"
            : "use a supported type (see PGB302's page), map it with [PgJson] for a jsonb column, or leave it out with [PgIgnore]";
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            type = nullable.TypeArguments[0];
        if (ElementType(type) is INamedTypeSymbol { TypeKind: TypeKind.Enum } element && HasAttribute(element, PgEnumAttributeName))
            return $"arrays and lists of PostgreSQL enums ([PgEnum]) are not read in this version; read the labels as string[] (cast the column to text[] in the query), or {alternatives}";
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
            return $"an enum is read as its integer value, and only int, short, long and byte enums can be (this one is {underlying.ToDisplayString()}); change its underlying type, or {alternatives}";
        return alternatives;
    }

    /// <summary>Why a [PgJson] member cannot be mapped: its context is not a JsonSerializerContext, or its type cannot be serialized.</summary>
    static string JsonAdvice(ITypeSymbol type)
        => type.TypeKind is TypeKind.TypeParameter or TypeKind.Pointer or TypeKind.FunctionPointer || type.IsRefLikeType
            ? "[PgJson] needs a type System.Text.Json can serialize: not a type parameter, pointer or ref struct"
            : "[PgJson(typeof(X))] needs X to be a System.Text.Json source-generated context (a partial class deriving from JsonSerializerContext, with [JsonSerializable(typeof(...))] for the member's type)";

    static ITypeSymbol? ElementType(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => array.ElementType,
        INamedTypeSymbol { Name: "List", Arity: 1 } list => list.TypeArguments[0],
        _ => null,
    };

    /// <summary>Required members must be set by the object initializer the generated code writes, unless the constructor says it sets them.</summary>
    void CheckRequiredMembers(HashSet<string> judged, HashSet<string> parameterNames)
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
                Report(PgRowMisuseAnalyzer.RequiredMemberNotSet, location, own ? member.Name : current.Name + "." + member.Name, problem);
            }
        }
    }

    static bool IsSettableInstanceProperty(IPropertySymbol property)
        => !property.IsStatic
            && !property.IsIndexer
            && property.SetMethod is not null
            && property.ExplicitInterfaceImplementations.IsEmpty
            && property.DeclaredAccessibility is Accessibility.Public or Accessibility.Internal or Accessibility.ProtectedOrInternal;

    /// <summary>The builder reads the first constructor argument; anything but one string (a missing or null argument) counts as empty.</summary>
    static string ColumnName(AttributeData attribute)
        => attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string name ? name : string.Empty;

    static AttributeData? Attribute(ISymbol symbol, string attributeName)
        => symbol.GetAttributes().FirstOrDefault(a => a.AttributeClass?.ToDisplayString() == attributeName);

    static bool HasAttribute(ISymbol symbol, string attributeName) => Attribute(symbol, attributeName) is not null;

    Location AttributeLocation(AttributeData attribute, ISymbol member)
        => attribute.ApplicationSyntaxReference?.GetSyntax(_cancellationToken).GetLocation()
            ?? member.Locations.FirstOrDefault()
            ?? TypeLocation;

    static bool ContainsErrorType(ITypeSymbol type) => type switch
    {
        { TypeKind: TypeKind.Error } => true,
        IArrayTypeSymbol array => ContainsErrorType(array.ElementType),
        INamedTypeSymbol named => named.TypeArguments.Any(ContainsErrorType),
        _ => false,
    };
}
