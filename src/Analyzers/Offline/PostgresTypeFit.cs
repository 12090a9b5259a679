using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using PgBorrow.Generators.Model;

namespace PgBorrow.Analyzers.Offline;

/// <summary>
/// Whether a column of a PostgreSQL type (as <c>format_type</c> writes it: <c>integer</c>, <c>text[]</c>) can be
/// read into a C# type, from a small table of the types Npgsql reads. Only a combination the table knows to fail
/// is a misfit: a PostgreSQL type or a C# type the table does not list (a domain, a range, <c>IPAddress</c>) fits,
/// so the check never reports a read that works.
/// </summary>
internal static class PostgresTypeFit
{
    private static readonly string[] Integers = { "smallint", "integer", "bigint" };
    private static readonly string[] Texts = { "text", "character varying", "character", "name" };

    /// <summary>The C# types (by <see cref="Key"/>) each listed PostgreSQL type is read into.</summary>
    private static readonly Dictionary<string, string[]> ReadInto = new(StringComparer.Ordinal)
    {
        ["smallint"] = new[] { "short", "int", "long", "decimal", "double", "float" },
        ["integer"] = new[] { "int", "long", "decimal", "double" },
        ["bigint"] = new[] { "long", "decimal" },
        ["real"] = new[] { "float", "double" },
        ["double precision"] = new[] { "double" },
        ["numeric"] = new[] { "decimal", "double" },
        ["boolean"] = new[] { "bool" },
        ["text"] = new[] { "string", "char" },
        ["character varying"] = new[] { "string", "char" },
        ["character"] = new[] { "string", "char" },
        ["name"] = new[] { "string" },
        ["uuid"] = new[] { "Guid" },
        ["bytea"] = new[] { "byte[]" },
        ["timestamp with time zone"] = new[] { "DateTime", "DateTimeOffset" },
        ["timestamp without time zone"] = new[] { "DateTime" },
        ["date"] = new[] { "DateOnly", "DateTime" },
        ["time without time zone"] = new[] { "TimeOnly", "TimeSpan" },
        ["interval"] = new[] { "TimeSpan" },
        ["json"] = new[] { "string" },
        ["jsonb"] = new[] { "string" },
    };

    /// <summary>Every C# type the table lists: a type outside it is never judged.</summary>
    private static readonly HashSet<string> KnownClrTypes = new(ReadInto.Values.SelectMany(v => v), StringComparer.Ordinal);

    /// <summary>
    /// Null when a column of <paramref name="pgType"/> can be read into a value of <paramref name="type"/> read by
    /// <paramref name="plan"/>; otherwise why not, as the end of a sentence.
    /// </summary>
    public static string? Misfit(string pgType, ITypeSymbol type, PgRowReadPlan plan)
    {
        var column = Normalise(pgType);
        var value = Unwrap(type);
        switch (plan.Kind)
        {
            case PgRowReadKind.Json:
                return !IsListed(column) || column is "json" or "jsonb" || Texts.Contains(column)
                    ? null
                    : "a [PgJson] member reads json, jsonb or text";
            case PgRowReadKind.EnumLabel:
                if (Texts.Contains(column) || string.Equals(Unqualified(column), plan.DataTypeName, StringComparison.OrdinalIgnoreCase))
                    return null;
                return $"the [PgEnum] type '{value.Name}' reads the PostgreSQL enum '{plan.DataTypeName}' (or text)";
            case PgRowReadKind.EnumCast:
                return !IsListed(column) || Integers.Contains(column)
                    ? null
                    : $"the enum '{value.Name}' is read as its integer value, from smallint, integer or bigint (mark it [PgEnum] to read a PostgreSQL enum by label)";
            case PgRowReadKind.Direct:
                return DirectMisfit(column, value);
            default:
                return null;
        }
    }

    private static readonly string[] Numbers = { "smallint", "integer", "bigint", "real", "double precision", "numeric" };
    private static readonly string[] Timestamps = { "timestamp with time zone", "timestamp without time zone", "date", "time without time zone" };
    private static readonly string[] Times = { "time without time zone", "interval" };

    /// <summary>
    /// The PostgreSQL type Npgsql sends each C# type (by <see cref="Key"/>) as, when a parameter carries no type of
    /// its own (as a [PgQuery]'s do). <c>char</c> is left out: Npgsql sends it as text or "char" by version.
    /// </summary>
    private static readonly Dictionary<string, string> SentAs = new(StringComparer.Ordinal)
    {
        ["short"] = "smallint",
        ["int"] = "integer",
        ["long"] = "bigint",
        ["float"] = "real",
        ["double"] = "double precision",
        ["decimal"] = "numeric",
        ["bool"] = "boolean",
        ["string"] = "text",
        ["Guid"] = "uuid",
        ["byte[]"] = "bytea",
        ["DateTime"] = "timestamp with time zone or timestamp without time zone (by its Kind)",
        ["DateTimeOffset"] = "timestamp with time zone",
        ["DateOnly"] = "date",
        ["TimeOnly"] = "time without time zone",
        ["TimeSpan"] = "interval",
    };

    /// <summary>
    /// The listed PostgreSQL types each sent type becomes by an implicit or assignment cast (pg_cast), the casts
    /// PostgreSQL applies on its own to a parameter of another type than the statement needs. Every type also
    /// becomes text, character varying, character and name (its text form, by an assignment cast), so those are
    /// left out here and always fit.
    /// </summary>
    private static readonly Dictionary<string, string[]> WrittenInto = new(StringComparer.Ordinal)
    {
        ["short"] = Numbers,
        ["int"] = Numbers,
        ["long"] = Numbers,
        ["float"] = Numbers,
        ["double"] = Numbers,
        ["decimal"] = Numbers,
        ["bool"] = new[] { "boolean" },
        ["string"] = Array.Empty<string>(),
        ["Guid"] = new[] { "uuid" },
        ["byte[]"] = new[] { "bytea" },
        ["DateTime"] = Timestamps,
        ["DateTimeOffset"] = Timestamps,
        ["DateOnly"] = new[] { "date", "timestamp with time zone", "timestamp without time zone" },
        ["TimeOnly"] = Times,
        ["TimeSpan"] = Times,
    };

    /// <summary>
    /// Null when a parameter of <paramref name="type"/>, sent as <paramref name="plan"/> says, can fill a placeholder
    /// the statement needs as <paramref name="pgType"/>; otherwise why not, as the end of a sentence. The write
    /// direction of <see cref="Misfit"/>: a PostgreSQL type the table does not list (a domain, an enum for a plain
    /// C# enum) or a C# type it does not list always fits, and so does any value into a text type.
    /// </summary>
    public static string? WriteMisfit(string pgType, ITypeSymbol type, PgRowReadPlan plan)
    {
        var target = Normalise(pgType);
        var value = Unwrap(type);
        if (Texts.Contains(target))
            return null;
        switch (plan.Kind)
        {
            case PgRowReadKind.EnumLabel:
                return string.Equals(Unqualified(target), plan.DataTypeName, StringComparison.OrdinalIgnoreCase)
                    ? null
                    : $"the [PgEnum] type '{value.Name}' is sent as the PostgreSQL enum '{plan.DataTypeName}', which PostgreSQL does not convert to {target}";
            case PgRowReadKind.EnumCast:
                return !IsListed(target) || Numbers.Contains(target)
                    ? null
                    : $"the enum '{value.Name}' is sent as its integer value, which PostgreSQL does not convert to {target}";
            case PgRowReadKind.Direct:
                return DirectWriteMisfit(target, value);
            default:
                return null;
        }
    }

    /// <summary>The C# types sent as a value the statement's <paramref name="pgType"/> takes, for a message's remedy.</summary>
    public static IReadOnlyList<string> WrittenAs(string pgType)
    {
        var target = Normalise(pgType);
        var array = target.EndsWith("[]", StringComparison.Ordinal);
        var element = array ? target.Substring(0, target.Length - 2) : target;
        return WrittenInto.Where(pair => pair.Value.Contains(element)).Select(pair => array ? pair.Key + "[]" : pair.Key).ToList();
    }

    private static string? DirectWriteMisfit(string target, ITypeSymbol value)
    {
        var element = ElementOf(value);
        var targetIsArray = target.EndsWith("[]", StringComparison.Ordinal);
        if (element is null)
        {
            var key = Key(value);
            if (key is null || !SentAs.ContainsKey(key))
                return null;
            if (targetIsArray)
                return $"{key} is sent as one {SentAs[key]}, and the statement needs an array";
            return !IsListed(target) || WrittenInto[key].Contains(target) ? null : $"{key} is sent as {SentAs[key]}, which PostgreSQL does not convert to {target}";
        }
        if (!targetIsArray)
            return IsListed(target) ? $"an array or a List<T> is sent as an array, and the statement needs one {target}" : null;
        var targetElement = target.Substring(0, target.Length - 2);
        var elementKey = Key(Unwrap(element));
        return elementKey is null || !SentAs.ContainsKey(elementKey) || !IsListed(targetElement) || Texts.Contains(targetElement) || WrittenInto[elementKey].Contains(targetElement)
            ? null
            : $"its elements: {elementKey} is sent as {SentAs[elementKey]}, which PostgreSQL does not convert to {targetElement}";
    }

    private static string? DirectMisfit(string column, ITypeSymbol value)
    {
        var element = ElementOf(value);
        var columnIsArray = column.EndsWith("[]", StringComparison.Ordinal);
        if (element is null)
        {
            var key = Key(value);
            if (columnIsArray)
                return key is not null && KnownClrTypes.Contains(key) ? "an array column is read into an array or a List<T>" : null;
            return Fits(column, key) ? null : Expected(column);
        }
        if (!columnIsArray)
            return IsListed(column) ? "an array or a List<T> reads an array column" : null;
        var columnElement = column.Substring(0, column.Length - 2);
        return Fits(columnElement, Key(Unwrap(element))) ? null : "its elements: " + Expected(columnElement);
    }

    private static bool Fits(string column, string? key)
        => key is null || !KnownClrTypes.Contains(key) || !ReadInto.TryGetValue(column, out var into) || into.Contains(key);

    private static string Expected(string column)
        => $"{column} is read into {string.Join(" or ", ReadInto[column])}";

    private static bool IsListed(string column) => ReadInto.ContainsKey(column);

    /// <summary>The element type of an array (but not <c>byte[]</c>, which reads bytea) or a <c>List&lt;T&gt;</c>; null for anything else.</summary>
    private static ITypeSymbol? ElementOf(ITypeSymbol type) => type switch
    {
        IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte } => null,
        IArrayTypeSymbol array => array.ElementType,
        INamedTypeSymbol { Name: "List", Arity: 1 } list when list.ContainingNamespace?.ToDisplayString() == "System.Collections.Generic" => list.TypeArguments[0],
        _ => null,
    };

    /// <summary>The name the table gives a C# type, or null for a type it does not list.</summary>
    private static string? Key(ITypeSymbol type)
    {
        switch (type.SpecialType)
        {
            case SpecialType.System_Boolean: return "bool";
            case SpecialType.System_Int16: return "short";
            case SpecialType.System_Int32: return "int";
            case SpecialType.System_Int64: return "long";
            case SpecialType.System_Single: return "float";
            case SpecialType.System_Double: return "double";
            case SpecialType.System_Decimal: return "decimal";
            case SpecialType.System_String: return "string";
            case SpecialType.System_Char: return "char";
            case SpecialType.System_DateTime: return "DateTime";
        }
        if (type is IArrayTypeSymbol { ElementType.SpecialType: SpecialType.System_Byte })
            return "byte[]";
        return type is INamedTypeSymbol { Arity: 0, Name: "Guid" or "DateTimeOffset" or "DateOnly" or "TimeOnly" or "TimeSpan", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } named
            ? named.Name
            : null;
    }

    private static ITypeSymbol Unwrap(ITypeSymbol type)
        => type is INamedTypeSymbol { OriginalDefinition.SpecialType: SpecialType.System_Nullable_T } nullable ? nullable.TypeArguments[0] : type;

    /// <summary>The type without a modifier (<c>character varying(20)</c>), lower case, so the table's names match.</summary>
    private static string Normalise(string pgType)
    {
        var open = pgType.IndexOf('(');
        var close = open < 0 ? -1 : pgType.IndexOf(')', open);
        var type = close < 0 ? pgType : pgType.Substring(0, open) + pgType.Substring(close + 1);
        return type.Trim().ToLowerInvariant();
    }

    /// <summary>An enum's name without its schema (<c>shop.mood</c> to <c>mood</c>) and quotes.</summary>
    private static string Unqualified(string pgType)
    {
        var dot = pgType.LastIndexOf('.');
        return (dot < 0 ? pgType : pgType.Substring(dot + 1)).Trim('"');
    }
}
