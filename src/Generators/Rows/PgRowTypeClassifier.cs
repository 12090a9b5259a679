using Microsoft.CodeAnalysis;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Rows;

/// <summary>
/// Decides how a member type is read, or that it cannot be (null): the scalar types Npgsql reads
/// directly, C# enums as their integer value, one-dimensional arrays and <c>List&lt;T&gt;</c> of those,
/// and nullable forms.
/// </summary>
internal static class PgRowTypeClassifier
{
    /// <summary>The read plan for <paramref name="type"/>, and whether a NULL reads as null; null when the type is not supported.</summary>
    public static PgRowReadPlan? Classify(ITypeSymbol type, out bool isNullable)
    {
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullableValue)
        {
            isNullable = true;
            var inner = nullableValue.TypeArguments[0];
            return Scalar(inner) ?? EnumCast(inner);
        }

        isNullable = type.IsReferenceType && type.NullableAnnotation != NullableAnnotation.NotAnnotated;
        if (type.IsReferenceType)
            return Collection(type);
        return Scalar(type) ?? EnumCast(type);
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

        if (type is not INamedTypeSymbol { ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true }, Arity: 0 } named)
            return null;
        switch (named.Name)
        {
            case "Guid": return "GetGuid";
            case "TimeSpan": return "GetTimeSpan";
            case "DateTimeOffset":
            case "DateOnly":
            case "TimeOnly":
                return $"GetFieldValue<global::System.{named.Name}>";
            default:
                return null;
        }
    }

    private static PgRowReadPlan? EnumCast(ITypeSymbol type)
    {
        var underlying = EnumUnderlyingGetter(type, out _);
        return underlying is null
            ? null
            : new PgRowReadPlan(PgRowReadKind.EnumCast, underlying, FullyQualified(type), string.Empty);
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
