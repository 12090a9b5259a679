extern alias generators;

using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using PgBorrow.Generators.Model;
using PgBorrow.Generators.Rows;
using Xunit;
// The analyzer assembly compiles its own copy of the model types (see PgBorrow.Tests.csproj): name the generator's.
using PgRowMemberModel = generators::PgBorrow.Generators.Model.PgRowMemberModel;
using PgRowModel = generators::PgBorrow.Generators.Model.PgRowModel;
using PgTransactionModel = generators::PgBorrow.Generators.Model.PgTransactionModel;
using PgTransactionParameter = generators::PgBorrow.Generators.Model.PgTransactionParameter;
using PgTransactionOptionsModel = generators::PgBorrow.Generators.Model.PgTransactionOptionsModel;

namespace PgBorrow.Tests.Generators;

/// <summary>
/// Pipeline models must be plain equatable data: a symbol, syntax node, location or compilation in a
/// cached model keeps compilations alive and makes every comparison fail (so nothing is ever cached).
/// </summary>
public sealed class ModelShapeTests
{
    private const string ModelNamespace = "PgBorrow.Generators.Model";

    public static IEnumerable<object[]> ModelTypes()
        => typeof(PgRowGenerator).Assembly.GetTypes()
            .Where(t => t.Namespace == ModelNamespace && !t.IsNested && !IsCompilerGenerated(t))
            .Select(t => new object[] { t.Name });

    [Theory]
    [MemberData(nameof(ModelTypes))]
    public void A_model_type_holds_no_Roslyn_type(string typeName)
    {
        var type = ModelType(typeName);

        Assert.Empty(RoslynFields(type));
    }

    [Theory]
    [MemberData(nameof(ModelTypes))]
    public void A_model_type_is_equatable_by_value(string typeName)
    {
        var type = ModelType(typeName);
        if (type.IsEnum || (type.IsAbstract && type.IsSealed)) // enums, static helper classes
            return;
        var equatable = type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEquatable<>));
        Assert.True(equatable, $"{type.Name} does not implement IEquatable<T> (use a record, or EquatableArray<T> for arrays).");
    }

    [Fact]
    public void The_pipeline_model_types_are_all_in_the_model_namespace()
    {
        Assert.Equal(ModelNamespace, typeof(PgRowModel).Namespace);
        Assert.Equal(ModelNamespace, typeof(PgRowSource).Namespace);
        Assert.Contains(ModelTypes(), row => (string)row[0] == nameof(PgRowMemberModel));
    }

    [Fact]
    public void The_transaction_models_are_checked_too()
    {
        Assert.Equal(ModelNamespace, typeof(PgTransactionModel).Namespace);
        Assert.Equal(ModelNamespace, typeof(generators::PgBorrow.Generators.Model.PgTransactionSource).Namespace);
        foreach (var name in new[] { nameof(PgTransactionModel), nameof(PgTransactionParameter), nameof(PgTransactionOptionsModel), "PgContainingType", "PgTransactionSource" })
            Assert.Contains(ModelTypes(), row => (string)row[0] == name);
        // The shared check holds symbols and locations by design; it must never be a pipeline model.
        Assert.NotEqual(ModelNamespace, typeof(generators::PgBorrow.Generators.Transactions.PgTransactionMethodCheck).Namespace);
    }

    [Fact]
    public void The_query_models_are_checked_too()
    {
        foreach (var name in new[] { "PgQueryModel", "PgQueryParameter", "PgQueryResult", "PgQuerySource" })
            Assert.Contains(ModelTypes(), row => (string)row[0] == name);
        // The shared check holds symbols and locations by design; it must never be a pipeline model.
        Assert.NotEqual(ModelNamespace, typeof(generators::PgBorrow.Generators.Queries.PgQueryMethodCheck).Namespace);
    }

    [Fact]
    public void The_row_check_and_its_results_are_not_models()
    {
        // The shared [PgRow] check holds symbols and locations by design; the builder turns its results into models.
        Assert.NotEqual(ModelNamespace, typeof(generators::PgBorrow.Generators.Rows.PgRowShapeCheck).Namespace);
        Assert.NotEqual(ModelNamespace, typeof(generators::PgBorrow.Generators.Rows.PgRowMappedMember).Namespace);
        Assert.NotEqual(ModelNamespace, typeof(generators::PgBorrow.Generators.Rows.PgRowProblem).Namespace);
    }

    [Fact]
    public void The_check_finds_a_Roslyn_type_held_directly_or_inside_a_generic_argument()
    {
        Assert.Equal(new[] { "Symbol", "Locations" }, RoslynFields(typeof(BadModel)).Select(f => f.Split(':')[0]));
    }

    private static Type ModelType(string name)
        => typeof(PgRowGenerator).Assembly.GetTypes().Single(t => t.Namespace == ModelNamespace && t.Name == name);

    /// <summary>"Field: type" for every instance field (walking into model types and generic arguments) whose type comes from a Microsoft.CodeAnalysis assembly.</summary>
    private static List<string> RoslynFields(Type type)
    {
        var found = new List<string>();
        foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        {
            if (Mentions(field.FieldType, new HashSet<Type>()) is { } roslyn)
                found.Add($"{MemberName(field)}: {roslyn.FullName}");
        }
        return found;
    }

    private static Type? Mentions(Type type, HashSet<Type> seen)
    {
        if (!seen.Add(type))
            return null;
        if (type.Assembly.GetName().Name!.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal))
            return type;
        if (type.HasElementType && Mentions(type.GetElementType()!, seen) is { } element)
            return element;
        foreach (var argument in type.IsGenericType ? type.GetGenericArguments() : Type.EmptyTypes)
        {
            if (Mentions(argument, seen) is { } found)
                return found;
        }
        if (type.Namespace == ModelNamespace || type.Namespace == typeof(ModelShapeTests).Namespace)
        {
            foreach (var field in type.GetFields(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
            {
                if (Mentions(field.FieldType, seen) is { } nested)
                    return nested;
            }
        }
        return null;
    }

    private static string MemberName(FieldInfo field)
        => field.Name.StartsWith('<') ? field.Name.Substring(1, field.Name.IndexOf('>') - 1) : field.Name;

    private static bool IsCompilerGenerated(Type type)
        => type.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute), false) || type.Name.Contains('<');

    private sealed record BadModel(
        Microsoft.CodeAnalysis.ISymbol Symbol,
        generators::PgBorrow.Generators.Model.EquatableArray<LocationHolder> Locations,
        string Fine);

    private sealed record LocationHolder(Microsoft.CodeAnalysis.Location Location);
}
