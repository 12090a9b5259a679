namespace PgBorrow.Generators.Model;

/// <summary>
/// Everything the emitter needs to write one row type's mapping, as plain equatable data: no symbols,
/// syntax nodes, locations or compilations (ModelShapeTests guard this), so an edit that does not
/// change the row type leaves the model equal and the generator's output cached.
/// </summary>
/// <param name="HintName">The generated file's name.</param>
/// <param name="Namespace">The row type's namespace, or empty for the global namespace.</param>
/// <param name="ContainingTypes">The types the row type is nested in, outermost first.</param>
/// <param name="Declaration">The row type's own partial declaration.</param>
/// <param name="FullyQualifiedName">The row type as generated code names it (<c>global::Shop.Order</c>).</param>
/// <param name="DisplayName">The row type as messages name it (<c>Shop.Order</c>).</param>
/// <param name="Members">The mapped members: constructor arguments first, in parameter order, then initialized properties.</param>
internal sealed record PgRowModel(
    string HintName,
    string Namespace,
    EquatableArray<PgRowTypeDeclaration> ContainingTypes,
    PgRowTypeDeclaration Declaration,
    string FullyQualifiedName,
    string DisplayName,
    EquatableArray<PgRowMemberModel> Members);

/// <summary>A partial type declaration to repeat in generated code: <c>partial record struct Order</c>.</summary>
/// <param name="Keyword">class, struct, record, record struct or interface.</param>
/// <param name="Name">The name with its type parameter list, if any (<c>Outer&lt;T&gt;</c>).</param>
internal sealed record PgRowTypeDeclaration(string Keyword, string Name);

/// <summary>How a member receives its value.</summary>
internal enum PgRowMemberRole
{
    /// <summary>A constructor parameter.</summary>
    ConstructorArgument,

    /// <summary>A settable or init-only property, set in the object initializer.</summary>
    Initializer,
}

/// <summary>One mapped member.</summary>
/// <param name="Name">The property or parameter name as declared.</param>
/// <param name="Column">The column it reads.</param>
/// <param name="Role">Constructor argument or initialized property.</param>
/// <param name="TypeName">Its type as generated code writes it, nullable annotation included (<c>global::System.Guid?</c>).</param>
/// <param name="MessageTypeName">Its type as error messages write it (<c>Guid?</c>).</param>
/// <param name="IsNullable">True when a NULL column reads as null (nullable value types, nullable or oblivious reference types).</param>
/// <param name="Read">How to read a non-NULL value.</param>
/// <param name="Accessor">The property a writer reads the value from (COPY, insert parameters); empty when there is none.</param>
internal sealed record PgRowMemberModel(
    string Name,
    string Column,
    PgRowMemberRole Role,
    string TypeName,
    string MessageTypeName,
    bool IsNullable,
    PgRowReadPlan Read,
    string Accessor);

/// <summary>What the generated reader calls to get a member's (non-NULL) value, and how a writer sends it.</summary>
internal enum PgRowReadKind
{
    /// <summary><c>reader.GetInt32(o)</c> or <c>reader.GetFieldValue&lt;T&gt;(o)</c>; written as it is.</summary>
    Direct,

    /// <summary><c>(Color)reader.GetInt32(o)</c>: a C# enum stored as its integer value.</summary>
    EnumCast,

    /// <summary><c>PgRowValues.ToEnumArray&lt;int, Color&gt;(reader.GetFieldValue&lt;int[]&gt;(o))</c>.</summary>
    EnumArray,

    /// <summary><c>PgRowValues.ToEnumList&lt;int, Color&gt;(reader.GetFieldValue&lt;List&lt;int&gt;&gt;(o))</c>.</summary>
    EnumList,

    /// <summary>A [PgEnum] enum: the PostgreSQL enum's label read as text and converted by a generated switch.</summary>
    EnumLabel,

    /// <summary>A [PgJson] member: the column's text deserialized with System.Text.Json.</summary>
    Json,
}

/// <summary>How to read (and write) one value.</summary>
/// <param name="Kind">The shape of the read.</param>
/// <param name="Getter">The reader method with its type argument, if any (<c>GetInt32</c>, <c>GetFieldValue&lt;global::System.DateOnly&gt;</c>).</param>
/// <param name="EnumType">For enum reads, the enum type (<c>global::Shop.Color</c>); for JSON reads, the member type without nullable annotation; otherwise empty.</param>
/// <param name="UnderlyingType">For enum casts, arrays and lists, the enum's underlying type (<c>int</c>); otherwise empty.</param>
/// <param name="DataTypeName">The PostgreSQL type values are written as when the CLR type does not say it: <c>jsonb</c>, <c>json</c>, or a [PgEnum]'s type name; otherwise empty.</param>
/// <param name="JsonContext">For JSON reads with a source-generated context, the context type (<c>global::App.AppJsonContext</c>); otherwise empty.</param>
/// <param name="Labels">For [PgEnum] reads, each enum member with its PostgreSQL label.</param>
internal sealed record PgRowReadPlan(
    PgRowReadKind Kind,
    string Getter,
    string EnumType,
    string UnderlyingType,
    string DataTypeName = "",
    string JsonContext = "",
    EquatableArray<PgEnumLabel> Labels = default);

/// <summary>One member of a [PgEnum] enum and the PostgreSQL label it stands for.</summary>
/// <param name="Member">The C# enum member (<c>VeryHappy</c>).</param>
/// <param name="Label">The label (<c>very_happy</c>).</param>
internal sealed record PgEnumLabel(string Member, string Label);
