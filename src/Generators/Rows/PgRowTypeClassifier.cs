using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Rows;

/// <summary>
/// Decides how a member type is read, or that it cannot be (null): the scalar types Npgsql reads
/// directly (including <c>IPAddress</c>, <c>NpgsqlRange&lt;T&gt;</c>, <c>JsonDocument</c> and
/// <c>JsonElement</c>), C# enums as their integer value, [PgEnum] enums by label, one-dimensional
/// arrays and <c>List&lt;T&gt;</c> of scalars and integer enums, [PgJson] members of any type, and
/// nullable forms.
/// </summary>
internal static class PgRowTypeClassifier
{
    internal const string PgEnumAttributeName = "PgBorrow.PgEnumAttribute";
    private const string NpgsqlPgNameAttributeName = "NpgsqlTypes.PgNameAttribute";

    /// <summary>The read plan for <paramref name="type"/>, and whether a NULL reads as null; null when the type is not supported.</summary>
    public static PgRowReadPlan? Classify(ITypeSymbol type, out bool isNullable)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableValue)
        {
            isNullable = true;
            var inner = nullableValue.TypeArguments[0];
            return Scalar(inner) ?? EnumLabel(inner) ?? EnumCast(inner);
        }

        isNullable = type.IsReferenceType && type.NullableAnnotation != NullableAnnotation.NotAnnotated;
        if (type.IsReferenceType)
            return Collection(type);
        return Scalar(type) ?? EnumLabel(type) ?? EnumCast(type);
    }

    /// <summary>The read plan for a member marked <paramref name="json"/> (<c>[PgJson]</c>, <c>[PgJson(typeof(Context), DataTypeName = "json")]</c>).</summary>
    public static PgRowReadPlan? ClassifyJson(ITypeSymbol type, AttributeData json, out bool isNullable)
    {
        var context = json.ConstructorArguments.Length == 1 ? json.ConstructorArguments[0].Value as ITypeSymbol : null;
        var dataTypeName = "jsonb";
        foreach (var argument in json.NamedArguments)
        {
            if (argument.Key == "DataTypeName" && argument.Value.Value is string name)
                dataTypeName = name;
        }
        return ClassifyJson(type, context, dataTypeName, out isNullable);
    }

    /// <summary>
    /// The read plan for a [PgJson] member: any type, deserialized from the column's text with
    /// System.Text.Json, through <paramref name="context"/>'s type information when one is given.
    /// Null when <paramref name="type"/> is an error type or a pointer, or the context is not a JsonSerializerContext.
    /// </summary>
    public static PgRowReadPlan? ClassifyJson(ITypeSymbol type, ITypeSymbol? context, string dataTypeName, out bool isNullable)
    {
        isNullable = false;
        if (type.TypeKind is TypeKind.Error or TypeKind.Pointer or TypeKind.FunctionPointer or TypeKind.TypeParameter || type.IsRefLikeType)
            return null;
        if (context is not null && !IsJsonSerializerContext(context))
            return null;

        var value = type;
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableValue)
        {
            isNullable = true;
            value = nullableValue.TypeArguments[0];
        }
        else if (type.IsReferenceType)
        {
            isNullable = type.NullableAnnotation != NullableAnnotation.NotAnnotated;
            value = type.WithNullableAnnotation(NullableAnnotation.NotAnnotated);
        }

        return new PgRowReadPlan(
            PgRowReadKind.Json,
            "GetString",
            FullyQualified(value),
            string.Empty,
            DataTypeName: dataTypeName is "json" ? "json" : "jsonb",
            JsonContext: context is null ? string.Empty : FullyQualified(context));
    }

    /// <summary>True for a type deriving from System.Text.Json.Serialization.JsonSerializerContext.</summary>
    public static bool IsJsonSerializerContext(ITypeSymbol type)
    {
        for (var current = type.BaseType; current is not null; current = current.BaseType)
        {
            if (current is { Name: "JsonSerializerContext", ContainingNamespace: { Name: "Serialization", ContainingNamespace: { Name: "Json", ContainingNamespace: { Name: "Text", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } } })
                return true;
        }
        return false;
    }

    private static PgRowReadPlan? Scalar(ITypeSymbol type)
    {
        var getter = ScalarGetter(type);
        return getter is null ? null : new PgRowReadPlan(PgRowReadKind.Direct, getter, string.Empty, string.Empty);
    }

    /// <summary>The NpgsqlDataReader call for a scalar type, or null.</summary>
    private static string? ScalarGetter(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return "GetBoolean";
            case SpecialType.System_Byte: return "GetByte";
            case SpecialType.System_SByte: return "GetFieldValue<sbyte>";
            case SpecialType.System_Int16: return "GetInt16";
            case SpecialType.System_Int32: return "GetInt32";
            case SpecialType.System_Int64: return "GetInt64";
            case SpecialType.System_Single: return "GetFloat";
            case SpecialType.System_Double: return "GetDouble";
            case SpecialType.System_Decimal: return "GetDecimal";
            case SpecialType.System_String: return "GetString";
            case SpecialType.System_Char: return "GetChar";
            case SpecialType.System_DateTime: return "GetDateTime";
        }

        if (type is not INamedTypeSymbol named)
            return null;
        switch (Namespace(named))
        {
            case "System" when named.Arity == 0:
                switch (named.Name)
                {
                    case "Guid": return "GetGuid";
                    case "TimeSpan": return "GetTimeSpan";
                    case "DateTimeOffset":
                    case "DateOnly":
                    case "TimeOnly":
                        return $"GetFieldValue<global::System.{named.Name}>";
                }
                return null;
            case "System.Net" when named is { Name: "IPAddress", Arity: 0 }:
            case "System.Text.Json" when named is { Name: "JsonDocument" or "JsonElement", Arity: 0 }:
                return $"GetFieldValue<{FullyQualified(named.WithNullableAnnotation(NullableAnnotation.NotAnnotated))}>";
            case "NpgsqlTypes" when named is { Name: "NpgsqlRange", Arity: 1 } && IsRangeBound(named.TypeArguments[0]):
                return $"GetFieldValue<{FullyQualified(named)}>";
            default:
                return null;
        }
    }

    /// <summary>The bound types of PostgreSQL's built-in ranges: int4range, int8range, numrange, tsrange/tstzrange, daterange.</summary>
    private static bool IsRangeBound(ITypeSymbol bound)
        => bound.SpecialType is SpecialType.System_Int32 or SpecialType.System_Int64 or SpecialType.System_Decimal or SpecialType.System_DateTime
            || bound is INamedTypeSymbol { Name: "DateOnly" or "DateTimeOffset", Arity: 0, ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } };

    private static string Namespace(INamedTypeSymbol type) => type.ContainingNamespace?.ToDisplayString() ?? string.Empty;

    /// <summary>A [PgEnum] enum: read as its label, converted by a switch over the labels.</summary>
    private static PgRowReadPlan? EnumLabel(ITypeSymbol type)
    {
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Enum } enumType || !IsPgEnum(enumType, out var attribute))
            return null;

        // One label per value and one value per label: an alias (Default = Low) or a repeated label
        // would make the generated switches ambiguous, so the first declared one wins.
        var labels = new List<PgEnumLabel>();
        var values = new HashSet<object>();
        var seenLabels = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in enumType.GetMembers())
        {
            if (member is not IFieldSymbol { IsConst: true, ConstantValue: { } value } field)
                continue;
            var label = PgName(field) ?? PgRowNaming.ToSnakeCase(field.Name);
            if (values.Add(value) && seenLabels.Add(label))
                labels.Add(new PgEnumLabel(field.Name, label));
        }

        var name = attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string given && given.Length > 0
            ? given
            : PgRowNaming.ToSnakeCase(enumType.Name);
        return new PgRowReadPlan(PgRowReadKind.EnumLabel, "GetString", FullyQualified(enumType), string.Empty, DataTypeName: name, Labels: labels.ToEquatableArray());
    }

    private static bool IsPgEnum(INamedTypeSymbol enumType, out AttributeData attribute)
    {
        foreach (var candidate in enumType.GetAttributes())
        {
            if (candidate.AttributeClass?.ToDisplayString() == PgEnumAttributeName)
            {
                attribute = candidate;
                return true;
            }
        }
        attribute = null!;
        return false;
    }

    /// <summary>The label Npgsql's [PgName("...")] gives an enum member, if any.</summary>
    private static string? PgName(IFieldSymbol field)
    {
        foreach (var attribute in field.GetAttributes())
        {
            if (attribute.AttributeClass?.ToDisplayString() == NpgsqlPgNameAttributeName
                && attribute.ConstructorArguments.Length == 1 && attribute.ConstructorArguments[0].Value is string label)
                return label;
        }
        return null;
    }

    private static PgRowReadPlan? EnumCast(ITypeSymbol type)
    {
        var underlying = EnumUnderlyingGetter(type, out var keyword);
        return underlying is null
            ? null
            : new PgRowReadPlan(PgRowReadKind.EnumCast, underlying, FullyQualified(type), keyword);
    }

    private static string? EnumUnderlyingGetter(ITypeSymbol type, out string underlyingKeyword)
    {
        underlyingKeyword = string.Empty;
        if (type is not INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
            return null;
        switch (underlying.SpecialType)
        {
            case SpecialType.System_Int32: underlyingKeyword = "int"; return "GetInt32";
            case SpecialType.System_Int16: underlyingKeyword = "short"; return "GetInt16";
            case SpecialType.System_Int64: underlyingKeyword = "long"; return "GetInt64";
            case SpecialType.System_Byte: underlyingKeyword = "byte"; return "GetByte";
            default: return null;
        }
    }

    /// <summary>byte[] (bytea), and arrays or lists of scalars or enums (PostgreSQL arrays).</summary>
    private static PgRowReadPlan? Collection(ITypeSymbol type)
    {
        ITypeSymbol element;
        bool isList;
        if (type is IArrayTypeSymbol { Rank: 1 } array)
        {
            element = array.ElementType;
            isList = false;
            if (element.SpecialType == SpecialType.System_Byte)
                return new PgRowReadPlan(PgRowReadKind.Direct, "GetFieldValue<byte[]>", string.Empty, string.Empty);
        }
        else if (type is INamedTypeSymbol { Arity: 1, Name: "List" } list
            && list.ContainingNamespace.ToDisplayString() == "System.Collections.Generic")
        {
            element = list.TypeArguments[0];
            isList = true;
        }
        else
        {
            return Scalar(type); // string
        }

        if (IsElement(element))
            return new PgRowReadPlan(PgRowReadKind.Direct, $"GetFieldValue<{FullyQualified(type.WithNullableAnnotation(NullableAnnotation.NotAnnotated))}>", string.Empty, string.Empty);

        // Arrays of PostgreSQL enums (by label) are not read in this version.
        if (element is INamedTypeSymbol named && IsPgEnum(named, out _))
            return null;
        var underlyingGetter = EnumUnderlyingGetter(element, out var underlying);
        if (underlyingGetter is null)
            return null;
        var underlyingCollection = isList ? $"global::System.Collections.Generic.List<{underlying}>" : underlying + "[]";
        return new PgRowReadPlan(
            isList ? PgRowReadKind.EnumList : PgRowReadKind.EnumArray,
            $"GetFieldValue<{underlyingCollection}>",
            FullyQualified(element),
            underlying);
    }

    /// <summary>An element type Npgsql reads inside an array: a scalar (or nullable scalar), but not byte, sbyte or char, whose arrays mean something else.</summary>
    private static bool IsElement(ITypeSymbol element)
    {
        if (element is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            element = nullable.TypeArguments[0];
        if (element.SpecialType is SpecialType.System_Byte or SpecialType.System_SByte or SpecialType.System_Char)
            return false;
        return ScalarGetter(element) is not null;
    }

    public static readonly SymbolDisplayFormat FullyQualifiedFormat = SymbolDisplayFormat.FullyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static readonly SymbolDisplayFormat MessageFormat = SymbolDisplayFormat.MinimallyQualifiedFormat
        .AddMiscellaneousOptions(SymbolDisplayMiscellaneousOptions.IncludeNullableReferenceTypeModifier);

    public static string FullyQualified(ITypeSymbol type) => type.ToDisplayString(FullyQualifiedFormat);
}
