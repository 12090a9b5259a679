using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Generators.Rows;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// Keeps the PGB30x analyzer and the [PgRow] generator in step: on one corpus of row types, the
/// generator emits no mapping for a type exactly when the analyzer reports an Error for it. When the
/// generator learns a new type or a new reason to give up, this fails until the analyzer follows.
/// </summary>
public class PgRowConsistencyTests
{
    /// <summary>One row type per file (so a diagnostic's file names its row type), and whether the corpus means it to generate.</summary>
    public sealed record Entry(string Name, bool Generates, string Source);

    static readonly Entry[] Corpus =
    {
        new("Corpus.PositionalRecord", true, "[PgRow] public partial record PositionalRecord(Guid Id, string Name, decimal? Total, DateOnly ShippedOn);"),
        new("Corpus.RecordStruct", true, "[PgRow] public partial record struct RecordStruct([property: PgColumn(\"x_coord\")] double X, [PgColumn(\"y_coord\")] double Y);"),
        new("Corpus.InitClass", true, """
            [PgRow(Naming = PgNaming.AsIs)]
            public partial class InitClass
            {
                public long Id { get; init; }
                public required string Name { get; init; }
                public List<int> Scores { get; set; } = new();
                public byte[]? Avatar { get; set; }
                public Color? Favorite { get; set; }
            }
            public enum Color { Red, Green }
            """),
        new("Corpus.PlainStruct", true, "[PgRow] public partial struct PlainStruct { public int Quantity { get; set; } public string? Sku { get; set; } }"),
        new("Corpus.Outer+Middle+Nested", true, "public partial class Outer { public partial struct Middle { [PgRow] public partial record Nested(int Id); } }"),
        new("Corpus.PrimaryConstructor", true, "[PgRow] public partial class PrimaryConstructor(int id, string name) { public int Id => id; public string Name => name; public string? Note { get; init; } }"),
        new("Corpus.SingleConstructor", true, "[PgRow] public partial class SingleConstructor { public SingleConstructor(int id) => Id = id; private SingleConstructor() { } public int Id { get; } public string? Label { get; set; } }"),
        new("Corpus.SetsRequired", true, """
            public class EntityBase { public required long TenantId { get; init; } }
            [PgRow]
            public partial class SetsRequired : EntityBase
            {
                [System.Diagnostics.CodeAnalysis.SetsRequiredMembers] public SetsRequired() => TenantId = 1;
                public int Id { get; init; }
            }
            """),
        new("Corpus.IgnoredWithColumn", true, "[PgRow] public partial class IgnoredWithColumn { public int Id { get; set; } [PgIgnore, PgColumn(\"link\")] public Uri? Link { get; set; } }"),
        new("Corpus.Oblivious", true, "#nullable disable\n[PgRow] public partial class Oblivious { public string Name { get; set; } public int[] Values { get; set; } }\n#nullable restore"),
        new("Corpus.ManyConstructorsWithParameterless", true, "[PgRow] public partial class ManyConstructorsWithParameterless { public ManyConstructorsWithParameterless() { } public ManyConstructorsWithParameterless(int id) { } public ManyConstructorsWithParameterless(int id, int other) { } public int Id { get; set; } }"),

        new("Corpus.DerivedRecord", true, "public record BaseRow(int Id); [PgRow] public partial record DerivedRecord(int Id, string Name) : BaseRow(Id);"),
        new("Corpus.GenericOuter+InGeneric", true, "public partial class GenericOuter<T> { [PgRow] public partial record InGeneric(int Id); }"),
        new("Corpus.Collections", true, "public enum Size : byte { S, M } [PgRow] public partial record Collections(int?[] Maybe, Size[] Sizes, List<Size>? SizeList, Size? One, List<DateOnly> Days);"),

        new("Corpus.PostgresTypes", true, """
            [PgEnum] public enum Mood { Sad, Happy }
            public sealed record Box(int Width);
            public sealed class BoxJson : System.Text.Json.Serialization.JsonSerializerContext
            {
                public BoxJson() : base(null) { }
                public static BoxJson Default { get; } = new();
                protected override System.Text.Json.JsonSerializerOptions? GeneratedSerializerOptions => null;
                public override System.Text.Json.Serialization.Metadata.JsonTypeInfo? GetTypeInfo(Type type) => null;
            }
            [PgRow]
            public partial record PostgresTypes(
                Mood Mood, Mood? Maybe, [PgJson(typeof(BoxJson))] Box Box, [property: PgJson] List<Box>? Boxes,
                System.Text.Json.JsonDocument? Raw, System.Net.IPAddress Origin, NpgsqlTypes.NpgsqlRange<int> Span, NpgsqlTypes.NpgsqlRange<DateOnly>? Days);
            """),
        new("Corpus.JsonContextNotAContext", false, "public sealed record Crate(int Width); [PgRow] public partial record JsonContextNotAContext([PgJson(typeof(string))] Crate Crate);"),
        new("Corpus.WithoutPgJson", false, "public sealed record Parcel(int Width); [PgRow] public partial record WithoutPgJson(Parcel Parcel);"),
        new("Corpus.PostgresEnumArray", false, "[PgEnum] public enum Weather { Rain, Sun } [PgRow] public partial record PostgresEnumArray(Weather[] Days);"),
        new("Corpus.RangeOfText", false, "[PgRow] public partial record RangeOfText(NpgsqlTypes.NpgsqlRange<string> Names);"),

        new("Corpus.NotPartial", false, "[PgRow] public record NotPartial(int Id);"),
        new("Corpus.PlainOuter+InPlainOuter", false, "public class PlainOuter { [PgRow] public partial record InPlainOuter(int Id); }"),
        new("Corpus.UnsupportedProperty", false, "[PgRow] public partial class UnsupportedProperty { public int Id { get; set; } public Uri? Link { get; set; } }"),
        new("Corpus.UnsupportedParameter", false, "[PgRow] public partial record UnsupportedParameter(int Id, object Payload);"),
        new("Corpus.UnsupportedEnum", false, "public enum Wide : ulong { A } [PgRow] public partial record UnsupportedEnum(Wide Kind);"),
        new("Corpus.AmbiguousConstructors", false, "[PgRow] public partial class AmbiguousConstructors { public AmbiguousConstructors(int id) { } public AmbiguousConstructors(string name) { } public int Id { get; set; } }"),
        new("Corpus.PrivateParameterless", false, "[PgRow] public partial class PrivateParameterless { private PrivateParameterless() { } public int Id { get; set; } }"),
        new("Corpus.DuplicateColumn", false, "[PgRow] public partial record DuplicateColumn([property: PgColumn(\"TOTAL\")] decimal Amount) { public decimal Total { get; init; } }"),
        new("Corpus.IgnoredParameter", false, "[PgRow] public partial record IgnoredParameter(int Id, [PgIgnore] string Cache);"),
        new("Corpus.IgnoredRequired", false, "[PgRow] public partial class IgnoredRequired { public int Id { get; set; } [PgIgnore] public required string Name { get; init; } }"),
        new("Corpus.EmptyColumn", false, "[PgRow] public partial class EmptyColumn { [PgColumn(\"\")] public int Id { get; set; } }"),
        new("Corpus.Generic`1", false, "[PgRow] public partial class Generic<T> { public int Id { get; set; } }"),
        new("Corpus.Abstract", false, "[PgRow] public abstract partial class Abstract { public int Id { get; set; } }"),
        new("Corpus.Static", false, "[PgRow] public static partial class Static { }"),
        new("Corpus.RefStruct", false, "[PgRow] public ref partial struct RefStruct { public int Id { get; set; } }"),
        new("Corpus.FileLocal", false, "[PgRow] file partial class FileLocal { public int Id { get; set; } }"),
        new("Corpus.RequiredField", false, "[PgRow] public partial class RequiredField { public required int Number; public int Id { get; init; } }"),
        new("Corpus.InheritedRequired", false, "public class Audited { public required string By { get; init; } } [PgRow] public partial class InheritedRequired : Audited { public int Id { get; init; } }"),
        new("Corpus.RequiredParameter", false, "[PgRow] public partial class RequiredParameter(int quantity) { public required int Quantity { get; init; } = quantity; }"),
        new("Corpus.CharArray", false, "[PgRow] public partial record CharArray(char[] Letters);"),
        new("Corpus.AsIsCollision", false, "[PgRow(Naming = PgNaming.AsIs)] public partial class AsIsCollision { public int Id { get; set; } [PgColumn(\"id\")] public int Other { get; set; } }"),
        new("Corpus.NullColumn", false, "[PgRow] public partial class NullColumn { [PgColumn(null!)] public int Id { get; set; } }"),
        new("Corpus.IRow", false, "[PgRow] public partial interface IRow { }"),
    };

    public static TheoryData<string> LanguageVersions() => new() { "10", "11", "latest" };

    [Fact]
    public async Task The_generator_skips_a_type_exactly_when_the_analyzer_reports_an_error_for_it()
    {
        var verdicts = await VerdictsAsync(GeneratorHarness.ParseOptions, Corpus);

        var disagreements = verdicts
            .Where(v => v.Generated == v.Errors.Any())
            .Select(v => v.Generated
                ? $"{v.Entry.Name}: generated, yet the analyzer reports {string.Join(", ", v.Errors)}"
                : $"{v.Entry.Name}: not generated, and the analyzer reports no error (add the generator's new reason to PgRowShapeCheck)")
            .ToArray();
        Assert.True(disagreements.Length == 0, string.Join("\n", disagreements));
    }

    [Fact]
    public async Task The_corpus_covers_both_outcomes_as_intended()
    {
        var verdicts = await VerdictsAsync(GeneratorHarness.ParseOptions, Corpus);

        Assert.True(Corpus.Count(e => e.Generates) >= 8 && Corpus.Count(e => !e.Generates) >= 15, "The corpus lost its spread of good and bad row types.");
        var surprises = verdicts.Where(v => v.Generated != v.Entry.Generates)
            .Select(v => $"{v.Entry.Name}: the corpus expects {(v.Entry.Generates ? "" : "no ")}mapping, the generator {(v.Generated ? "emitted one" : "emitted none")}")
            .ToArray();
        Assert.True(surprises.Length == 0, string.Join("\n", surprises));
    }

    [Theory]
    [MemberData(nameof(LanguageVersions))]
    public async Task Language_version_agrees_too(string version)
    {
        LanguageVersionFacts.TryParse(version, out var languageVersion);
        var entry = new Entry("Corpus.PositionalRecord", version != "10", "[PgRow] public partial record PositionalRecord(int Id);");

        var verdict = Assert.Single(await VerdictsAsync(new CSharpParseOptions(languageVersion), new[] { entry }));

        Assert.Equal(entry.Generates, verdict.Generated);
        Assert.Equal(!entry.Generates, verdict.Errors.Any());
    }

    sealed record Verdict(Entry Entry, bool Generated, IReadOnlyList<string> Errors);

    static async Task<List<Verdict>> VerdictsAsync(CSharpParseOptions parseOptions, IReadOnlyList<Entry> corpus)
    {
        var sources = corpus.Select(e => GeneratorHarness.Usings + "namespace Corpus;\n\n" + e.Source).ToArray();
        var compilation = await GeneratorHarness.CompilationAsync(parseOptions, sources);
        // The harness's driver parses generated code as the latest C#; a compilation's trees must share one version.
        var driver = CSharpGeneratorDriver.Create(new[] { new PgRowGenerator().AsSourceGenerator() }, parseOptions: parseOptions)
            .RunGeneratorsAndUpdateCompilation(compilation, out var output, out _);
        Assert.Null(driver.GetRunResult().Results.Single().Exception);
        var diagnostics = await PgRowAnalysis.DiagnosticsAsync(compilation);
        var rowInterface = output.GetTypeByMetadataName("PgBorrow.IPgRow`1");
        Assert.NotNull(rowInterface);

        var verdicts = new List<Verdict>();
        for (var i = 0; i < corpus.Count; i++)
        {
            var entry = corpus[i];
            var type = RowType(output, $"/src/File{i}.cs");
            Assert.True(type is not null, $"The corpus entry {entry.Name} declares no [PgRow] type.");
            var generated = type!.AllInterfaces.Any(t => SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, rowInterface));
            // The descriptor's severity, not the reported one: the harness turns every warning into an error.
            var errors = diagnostics
                .Where(d => d.Location.SourceTree?.FilePath == $"/src/File{i}.cs" && d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                .Select(d => $"{d.Id} ({d.GetMessage()})")
                .ToList();
            verdicts.Add(new Verdict(entry, generated, errors));
        }
        return verdicts;
    }

    /// <summary>The type declared with [PgRow] in one file (found through syntax, since a file-local type has no usable metadata name).</summary>
    static INamedTypeSymbol? RowType(Compilation compilation, string path)
    {
        var tree = compilation.SyntaxTrees.Single(t => t.FilePath == path);
        var declaration = tree.GetRoot().DescendantNodes().OfType<TypeDeclarationSyntax>()
            .FirstOrDefault(d => d.AttributeLists.SelectMany(l => l.Attributes).Any(a => a.Name.ToString() == "PgRow"));
        return declaration is null ? null : compilation.GetSemanticModel(tree).GetDeclaredSymbol(declaration);
    }
}
