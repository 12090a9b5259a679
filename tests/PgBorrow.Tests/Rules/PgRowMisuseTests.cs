using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Testing;
using PgBorrow.Analyzers.Rules;
using Xunit;
using VerifyRows = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.PgRowMisuseAnalyzer>;

namespace PgBorrow.Tests.Rules;

/// <summary>PGB301-PGB309: true positives, true negatives and the tricky shapes of [PgRow] types.</summary>
public class PgRowMisuseTests
{
    // ---------------------------------------------------------------- good row types: nothing to say

    [Fact]
    public Task Well_formed_row_types_of_every_shape_are_not_reported()
        => VerifyRows.AnalyzerAsync("""
            namespace Shop
            {
                public enum Color { Red, Green }

                [PgRow]
                public partial record Order(Guid Id, [PgColumn("customer")] string CustomerName, decimal Total, DateOnly? ShippedOn);

                [PgRow]
                public partial record struct Point([property: PgColumn("x_coord")] double X, double Y);

                [PgRow]
                public partial struct Money
                {
                    public decimal Amount { get; set; }
                    public string Currency { get; set; }
                }

                [PgRow(Naming = PgNaming.AsIs)]
                public partial class Customer
                {
                    public long Id { get; init; }
                    public required string Name { get; init; }
                    public string? Email { get; set; }
                    public byte[] Avatar { get; set; } = Array.Empty<byte>();
                    public List<string> Tags { get; set; } = new();
                    public int[]? Scores { get; set; }
                    public Color Favorite { get; set; }
                    public Color? Second { get; set; }
                    public List<Color> Palette { get; set; } = new();
                    public TimeSpan Age { get; set; }
                    public DateTimeOffset Created { get; set; }
                    [PgIgnore] public Uri? Homepage { get; set; }
                    public int Computed => 42;           // not settable: not mapped
                    public static int Count { get; set; } // static: not mapped
                }

                public partial class Outer
                {
                    public partial struct Middle
                    {
                        [PgRow]
                        public partial record Line(int Quantity);
                    }
                }

                [PgRow]
                public partial class WithPrimaryConstructor(int id, string name)
                {
                    public int Id => id;
                    public string Name => name;
                    public string? Note { get; init; }
                }

                [PgRow]
                public partial class OneConstructor
                {
                    public OneConstructor(int id) => Id = id;
                    private OneConstructor() { }
                    public int Id { get; }
                    public string? Label { get; set; }
                }

            #nullable disable
                [PgRow]
                public partial class Oblivious
                {
                    public string Name { get; set; }
                    public int[] Values { get; set; }
                }
            #nullable restore
            }
            """);

    // ---------------------------------------------------------------- PGB301

    [Fact]
    public Task A_row_type_that_is_not_partial_is_reported_on_its_name()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public record {|#0:Order|}(int Id);
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.TypeNotPartial).WithLocation(0)
                .WithArguments("Order", "the [PgRow] generator adds the row mapping in a second part of the type"));

    [Fact]
    public Task A_containing_type_that_is_not_partial_is_reported_on_the_containing_type()
        => VerifyRows.AnalyzerAsync("""
            public partial class Shop
            {
                public class {|#0:Orders|}
                {
                    [PgRow]
                    public partial record Line(int Quantity);
                }
            }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.TypeNotPartial).WithLocation(0)
                .WithArguments("Orders", "it contains the [PgRow] type 'Line', and the generated mapping is declared inside a second part of it"));

    [Fact]
    public Task Other_parts_of_a_partial_type_and_types_without_the_attribute_are_not_reported()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public partial record Order(int Id);
            public partial record Order { public string? Note { get; init; } }
            public class NotARow { public Uri? Link { get; set; } }
            """);

    // ---------------------------------------------------------------- PGB302

    [Fact]
    public Task Unsupported_member_types_name_the_member_the_type_and_the_way_out()
        => VerifyRows.AnalyzerAsync("""
            public enum Flags : uint { None }

            [PgRow]
            public partial record Order(int Id, object {|#0:Payload|})
            {
                public Uri? {|#1:Link|} { get; set; }
                public Dictionary<string, int>? {|#2:Counts|} { get; set; }
                public int[,]? {|#3:Grid|} { get; set; }
                public Flags? {|#4:State|} { get; set; }
                public List<List<int>>? {|#5:Nested|} { get; set; }
            }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberTypeNotSupported).WithLocation(0)
                .WithArguments("Payload", "object", "use a supported type (see PGB302's page), or map it with [PgJson] for a jsonb column; a constructor parameter cannot be left out"),
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberTypeNotSupported).WithLocation(1)
                .WithArguments("Link", "Uri?", "use a supported type (see PGB302's page), map it with [PgJson] for a jsonb column, or leave it out with [PgIgnore]"),
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberTypeNotSupported).WithLocation(2).WithArguments("Counts", "Dictionary<string, int>?", "use a supported type (see PGB302's page), map it with [PgJson] for a jsonb column, or leave it out with [PgIgnore]"),
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberTypeNotSupported).WithLocation(3).WithArguments("Grid", "int[,]?", "use a supported type (see PGB302's page), map it with [PgJson] for a jsonb column, or leave it out with [PgIgnore]"),
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberTypeNotSupported).WithLocation(4)
                .WithArguments("State", "Flags?", "an enum is read as its integer value, and only int, short, long and byte enums can be (this one is uint); change its underlying type, or use a supported type (see PGB302's page), map it with [PgJson] for a jsonb column, or leave it out with [PgIgnore]"),
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberTypeNotSupported).WithLocation(5).WithArguments("Nested", "List<List<int>>?", "use a supported type (see PGB302's page), map it with [PgJson] for a jsonb column, or leave it out with [PgIgnore]"));

    [Fact]
    public Task PgJson_members_take_any_type_but_need_a_real_context_and_PgEnum_arrays_are_named()
        => VerifyRows.AnalyzerAsync("""
            [PgEnum] public enum Mood { Sad, Happy }
            public sealed record Box(int Width);

            [PgRow]
            public partial record Order(int Id, [PgJson] Box Box, [PgJson(typeof(string))] Box {|#0:Other|}, Mood Mood)
            {
                [PgJson] public Dictionary<string, int>? Counts { get; set; }
                public Mood[]? {|#1:History|} { get; set; }
                public System.Net.IPAddress? Origin { get; set; }
                public NpgsqlTypes.NpgsqlRange<long> Ids { get; set; }
            }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberTypeNotSupported).WithLocation(0)
                .WithArguments("Other", "Box", "[PgJson(typeof(X))] needs X to be a System.Text.Json source-generated context (a partial class deriving from JsonSerializerContext, with [JsonSerializable(typeof(...))] for the member's type)"),
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberTypeNotSupported).WithLocation(1)
                .WithArguments("History", "Mood[]?", "arrays and lists of PostgreSQL enums ([PgEnum]) are not read in this version; read the labels as string[] (cast the column to text[] in the query), or use a supported type (see PGB302's page), map it with [PgJson] for a jsonb column, or leave it out with [PgIgnore]"));

    [Fact]
    public Task A_member_whose_type_does_not_exist_yet_is_left_to_the_compiler()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public partial class Order
            {
                public {|CS0246:Missing|} Value { get; set; } = null!;
                public List<{|CS0246:AlsoMissing|}>? Values { get; set; }
                public int Id { get; set; }
            }
            """);

    // ---------------------------------------------------------------- PGB303

    [Fact]
    public Task Ambiguous_or_private_constructors_are_reported()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public partial class {|#0:TwoConstructors|}
            {
                public TwoConstructors(int id) { }
                public TwoConstructors(int id, string name) { }
                public int Id { get; set; }
            }

            [PgRow]
            public partial class {|#1:PrivateOnly|}
            {
                private PrivateOnly() { }
                public int Id { get; set; }
            }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.NoUsableConstructor).WithLocation(0)
                .WithArguments("TwoConstructors", "it has 2 constructors with parameters and no parameterless one, so the generator cannot choose; use a primary constructor, keep one constructor, or add a parameterless one"),
            new DiagnosticResult(PgRowMisuseAnalyzer.NoUsableConstructor).WithLocation(1)
                .WithArguments("PrivateOnly", "its only constructor is private; make the parameterless constructor internal or public"));

    [Fact]
    public Task A_parameterless_constructor_next_to_others_is_chosen()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public partial class Order
            {
                public Order() { }
                public Order(int id) => Id = id;
                public Order(int id, string name) => Id = id;
                public int Id { get; set; }
            }
            """);

    // ---------------------------------------------------------------- PGB304

    [Fact]
    public Task Two_members_reading_one_column_are_reported_with_both_names()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public partial record Order([property: PgColumn("Total")] decimal Amount)
            {
                public decimal {|#0:Total|} { get; init; }
                public int OrderId { get; init; }
                public int {|#1:Order_Id|} { get; init; }
            }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.ColumnReadTwice).WithLocation(0).WithArguments("Amount", "Total", "total"),
            new DiagnosticResult(PgRowMisuseAnalyzer.ColumnReadTwice).WithLocation(1).WithArguments("OrderId", "Order_Id", "order_id"));

    [Fact]
    public Task Names_that_differ_as_columns_are_fine()
        => VerifyRows.AnalyzerAsync("""
            [PgRow(Naming = PgNaming.AsIs)]
            public partial record Order(int OrderId)
            {
                public int Order_Id { get; init; }
                [PgIgnore] public int ORDERID { get; init; }
            }
            """);

    // ---------------------------------------------------------------- PGB305

    [Fact]
    public Task Ignoring_a_constructor_parameter_or_a_required_member_is_reported()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public partial record Positional(int Id, [{|#0:PgIgnore|}] string Cache);

            [PgRow]
            public partial record PropertyTarget(int Id, [property: {|#1:PgIgnore|}] string Cache);

            [PgRow]
            public partial class Constructed
            {
                public Constructed(int id, [{|#2:PgIgnore|}] string cache) { }
            }

            [PgRow]
            public partial class Required
            {
                [{|#3:PgIgnore|}] public required string Name { get; init; }
            }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberCannotBeIgnored).WithLocation(0)
                .WithArguments("Cache", "it is a positional record parameter, which the generated code must pass to the constructor; remove [PgIgnore], or move the member out of the parameter list into the record's body"),
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberCannotBeIgnored).WithLocation(1)
                .WithArguments("Cache", "it is a positional record parameter, which the generated code must pass to the constructor; remove [PgIgnore], or move the member out of the parameter list into the record's body"),
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberCannotBeIgnored).WithLocation(2)
                .WithArguments("cache", "it is a constructor parameter, which the generated code must pass a value to; remove [PgIgnore], or remove the parameter"),
            new DiagnosticResult(PgRowMisuseAnalyzer.MemberCannotBeIgnored).WithLocation(3)
                .WithArguments("Name", "it is a required member, which the generated object initializer must set; remove [PgIgnore], or remove 'required'"));

    // ---------------------------------------------------------------- PGB306 and PGB308

    [Fact]
    public Task A_column_name_on_an_ignored_member_is_a_warning()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public partial class Order
            {
                public int Id { get; set; }
                [PgIgnore, {|#0:PgColumn("cached_total")|}] public decimal Cached { get; set; }
                [PgIgnore, {|#1:PgColumn("")|}] public decimal Other { get; set; }
            }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.ColumnOnIgnoredMember).WithLocation(0).WithArguments("Cached"),
            new DiagnosticResult(PgRowMisuseAnalyzer.ColumnOnIgnoredMember).WithLocation(1).WithArguments("Other"));

    [Fact]
    public Task An_empty_column_name_is_an_error()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public partial record Order([{|#0:PgColumn("")|}] int OrderId)
            {
                [{|#1:PgColumn(null!)|}] public string? Note { get; init; }
            }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.ColumnNameEmpty).WithLocation(0).WithArguments("OrderId", "order_id"),
            new DiagnosticResult(PgRowMisuseAnalyzer.ColumnNameEmpty).WithLocation(1).WithArguments("Note", "note"));

    // ---------------------------------------------------------------- PGB307

    [Fact]
    public Task Types_the_generator_cannot_implement_are_reported()
        => VerifyRows.AnalyzerAsync("""
            [PgRow]
            public partial class {|#0:Generic|}<T> { public int Id { get; set; } }

            [PgRow]
            public abstract partial class {|#1:Abstract|} { public int Id { get; set; } }

            [PgRow]
            public static partial class {|#2:Static|} { }

            [PgRow]
            public ref partial struct {|#3:RefStruct|} { public int Id { get; set; } }

            [PgRow]
            file partial class {|#4:FileLocal|} { public int Id { get; set; } }

            [{|CS0592:PgRow|}]
            public partial interface {|#5:IRow|} { }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.TypeCannotBeGenerated).WithLocation(0)
                .WithArguments("Generic", "it is generic, and a row type must be one concrete type; declare a non-generic row type for each shape of row"),
            new DiagnosticResult(PgRowMisuseAnalyzer.TypeCannotBeGenerated).WithLocation(1)
                .WithArguments("Abstract", "it is abstract, and the generated code must create rows of it; put [PgRow] on a concrete type"),
            new DiagnosticResult(PgRowMisuseAnalyzer.TypeCannotBeGenerated).WithLocation(2)
                .WithArguments("Static", "it is static, and the generated code must create rows of it; remove 'static'"),
            new DiagnosticResult(PgRowMisuseAnalyzer.TypeCannotBeGenerated).WithLocation(3)
                .WithArguments("RefStruct", "it is a ref struct, and rows are returned in lists and async streams, where a ref struct cannot go; make it a struct or a class"),
            new DiagnosticResult(PgRowMisuseAnalyzer.TypeCannotBeGenerated).WithLocation(4)
                .WithArguments("FileLocal", "it is a file-local type, which the generated code in another file cannot name; remove its 'file' modifier"),
            new DiagnosticResult(PgRowMisuseAnalyzer.TypeCannotBeGenerated).WithLocation(5)
                .WithArguments("IRow", "it is an interface; put [PgRow] on a class, record, struct or record struct"));

    [Fact]
    public async Task A_project_below_CSharp_11_is_reported()
    {
        var diagnostics = await PgRowAnalysis.DiagnosticsAsync(
            new CSharpParseOptions(LanguageVersion.CSharp10),
            """
            using PgBorrow;
            [PgRow]
            public partial record Order(int Id);
            """);

        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("PGB307", diagnostic.Id);
        Assert.Equal(
            "No mapping can be generated for 'Order': the project compiles as C# 10.0, and the row interface's static abstract members need C# 11 or later; set <LangVersion> to 11 or later",
            diagnostic.GetMessage());
    }

    // ---------------------------------------------------------------- PGB309

    [Fact]
    public Task Required_members_the_initializer_cannot_set_are_reported()
        => VerifyRows.AnalyzerAsync("""
            public class Entity
            {
                public required long TenantId { get; init; }
            }

            [PgRow]
            public partial class {|#0:Order|} : Entity
            {
                public int Id { get; init; }
            }

            [PgRow]
            public partial class Invoice
            {
                public required int {|#1:Number|};
                public int Id { get; init; }
            }

            [PgRow]
            public partial class Line(int quantity)
            {
                public required int {|#2:Quantity|} { get; init; } = quantity;
            }
            """,
            new DiagnosticResult(PgRowMisuseAnalyzer.RequiredMemberNotSet).WithLocation(0)
                .WithArguments("Entity.TenantId", "it is declared on the base type 'Entity', and the generated code sets only members declared on 'Order'; add a constructor marked [SetsRequiredMembers] that sets it"),
            new DiagnosticResult(PgRowMisuseAnalyzer.RequiredMemberNotSet).WithLocation(1)
                .WithArguments("Number", "it is a field, and the generated code sets properties only; make it a property, or set it in a constructor marked [SetsRequiredMembers]"),
            new DiagnosticResult(PgRowMisuseAnalyzer.RequiredMemberNotSet).WithLocation(2)
                .WithArguments("Quantity", "the generated code passes its value to the constructor parameter of the same name, but the compiler still wants it in an object initializer; mark that constructor [SetsRequiredMembers]"));

    [Fact]
    public Task A_constructor_that_sets_required_members_and_own_required_properties_are_fine()
        => VerifyRows.AnalyzerAsync("""
            using System.Diagnostics.CodeAnalysis;

            public class Entity
            {
                public required long TenantId { get; init; }
            }

            [PgRow]
            public partial class Order : Entity
            {
                [SetsRequiredMembers]
                public Order() => TenantId = 1;

                public required int Id { get; init; }
            }

            [PgRow]
            public partial record struct Line
            {
                public required int Quantity { get; init; }
                public required string Sku { get; init; }
            }
            """);

    // ---------------------------------------------------------------- robustness

    [Fact]
    public async Task Half_written_row_types_do_not_make_the_analyzer_throw()
    {
        var sources = new[]
        {
            "using PgBorrow; [PgRow] public partial record Order(int Id, ",
            "using PgBorrow; [PgRow] public partial class Order { public int Id { get; ",
            "using PgBorrow; [PgRow] public partial class Order : { [PgColumn] public int Id { get; set; } }",
            "using PgBorrow; [PgRow(Naming = )] public partial struct Order { [PgColumn(1)] public int Id; public required }",
            "using PgBorrow; [PgRow] partial class",
            "using PgBorrow; public partial class Outer { [PgRow] partial record Order([property: PgIgnore] int",
        };
        foreach (var source in sources)
        {
            var diagnostics = await PgRowAnalysis.DiagnosticsAsync(Generators.GeneratorHarness.ParseOptions, source);
            Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
        }
    }

    [Fact]
    public async Task An_attribute_without_its_argument_counts_as_an_empty_column_name()
    {
        var diagnostics = await PgRowAnalysis.DiagnosticsAsync(
            Generators.GeneratorHarness.ParseOptions,
            "using PgBorrow; [PgRow] public partial class Order { [PgColumn] public int Id { get; set; } }");
        Assert.Equal(new[] { "PGB308" }, diagnostics.Select(d => d.Id).ToArray());
    }
}
