using System.Linq;
using Microsoft.CodeAnalysis;
using PgBorrow.Generators.Model;

namespace PgBorrow.Generators.Rows;

/// <summary>What <see cref="PgRowShapeCheck"/> finds wrong with a [PgRow] type; one analyzer rule each, but the last.</summary>
internal enum PgRowProblemKind
{
    /// <summary>PGB301: the row type, or a type it is nested in, is not partial.</summary>
    TypeNotPartial,

    /// <summary>PGB302: a mapped member's type has no typed read.</summary>
    MemberTypeNotSupported,

    /// <summary>PGB303: no constructor the generated code can call.</summary>
    NoUsableConstructor,

    /// <summary>PGB304: two members read the same column (ignoring case).</summary>
    ColumnReadTwice,

    /// <summary>PGB305: [PgIgnore] on a constructor parameter or a required member.</summary>
    MemberCannotBeIgnored,

    /// <summary>PGB306 (a warning, the only problem that does not stop the generator): [PgColumn] on a member marked [PgIgnore].</summary>
    ColumnOnIgnoredMember,

    /// <summary>PGB307: a kind of type, a language version or a missing runtime the generator cannot work with.</summary>
    TypeCannotBeGenerated,

    /// <summary>PGB308: [PgColumn] gives an empty name.</summary>
    ColumnNameEmpty,

    /// <summary>PGB309: a required member the generated object initializer does not set.</summary>
    RequiredMemberNotSet,

    /// <summary>
    /// Stops the generator, but the compiler already reports it (a member type that does not bind, a
    /// member whose name is still being typed), so no rule repeats it.
    /// </summary>
    CompilerReports,
}

/// <summary>One problem: the rule, where to report it, and the message arguments in the rule's order.</summary>
internal sealed record PgRowProblem(PgRowProblemKind Kind, Location Location, string[] Arguments)
{
    /// <summary>True for every problem but an attribute without effect: the generator emits no mapping.</summary>
    public bool StopsGenerator => Kind != PgRowProblemKind.ColumnOnIgnoredMember;
}

/// <summary>A member the generated code reads a column into, with the decisions made about it.</summary>
/// <param name="Name">The parameter or property name as declared.</param>
/// <param name="Column">The column it reads (never empty).</param>
/// <param name="Role">Constructor argument or initialized property.</param>
/// <param name="Type">Its declared type.</param>
/// <param name="Read">How a non-NULL value is read.</param>
/// <param name="IsNullable">True when a NULL column reads as null.</param>
/// <param name="Accessor">The property a writer reads the value from; empty when there is none.</param>
internal sealed record PgRowMappedMember(string Name, string Column, PgRowMemberRole Role, ITypeSymbol Type, PgRowReadPlan Read, bool IsNullable, string Accessor);

/// <summary>The advice a PGB302 message ends with: what to change so the member can be read.</summary>
internal static class PgRowProblemAdvice
{
    public static string UnsupportedType(ITypeSymbol type, bool isParameter)
    {
        var alternatives = isParameter
            ? "use a supported type (see PGB302's page), or map it with [PgJson] for a jsonb column; a constructor parameter cannot be left out"
            : "use a supported type (see PGB302's page), map it with [PgJson] for a jsonb column, or leave it out with [PgIgnore]";
        if (type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable)
            type = nullable.TypeArguments[0];
        if (ElementType(type) is INamedTypeSymbol { TypeKind: TypeKind.Enum } element
            && element.GetAttributes().Any(a => a.AttributeClass?.ToDisplayString() == PgRowTypeClassifier.PgEnumAttributeName))
        {
            return $"arrays and lists of PostgreSQL enums ([PgEnum]) are not read in this version; read the labels as string[] (cast the column to text[] in the query), or {alternatives}";
        }
        if (type is INamedTypeSymbol { TypeKind: TypeKind.Enum, EnumUnderlyingType: { } underlying })
            return $"an enum is read as its integer value, and only int, short, long and byte enums can be (this one is {underlying.ToDisplayString()}); change its underlying type, or {alternatives}";
        return alternatives;
    }

    /// <summary>Why a [PgJson] member cannot be mapped: its context is not a JsonSerializerContext, or its type cannot be serialized.</summary>
    public static string Json(ITypeSymbol type)
        => type.TypeKind is TypeKind.TypeParameter or TypeKind.Pointer or TypeKind.FunctionPointer || type.IsRefLikeType
            ? "[PgJson] needs a type System.Text.Json can serialize: not a type parameter, pointer or ref struct"
            : "[PgJson(typeof(X))] needs X to be a System.Text.Json source-generated context (a partial class deriving from JsonSerializerContext, with [JsonSerializable(typeof(...))] for the member's type)";

    private static ITypeSymbol? ElementType(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol array => array.ElementType,
        INamedTypeSymbol { Name: "List", Arity: 1 } list => list.TypeArguments[0],
        _ => null,
    };
}
