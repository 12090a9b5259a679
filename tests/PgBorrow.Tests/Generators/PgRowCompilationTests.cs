using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace PgBorrow.Tests.Generators;

/// <summary>
/// Generated code compiles with nullable enabled and every warning an error; types the generator
/// cannot map get no code (and the generator never throws on them).
/// </summary>
public sealed class PgRowCompilationTests
{
    [Fact]
    public async Task Generated_code_for_every_sample_compiles_without_warnings_under_nullable_and_warnings_as_errors()
    {
        var compilation = await GeneratorHarness.CompilationAsync(
            GeneratorHarness.Usings + PgRowSources.Record,
            GeneratorHarness.Usings + PgRowSources.Class,
            GeneratorHarness.Usings + PgRowSources.Structs,
            GeneratorHarness.Usings + PgRowSources.Nested,
            GeneratorHarness.Usings + PgRowSources.AllTypes,
            GeneratorHarness.Usings + PgRowSources.PostgresTypes,
            GeneratorHarness.Usings + """
                namespace Legacy;

                #nullable disable
                [PgRow]
                public partial class Oblivious
                {
                    public string Name { get; set; }
                    public int[] Values { get; set; }
                }
                #nullable restore

                [PgRow]
                public partial class WithPrimaryConstructor(int id, string name)
                {
                    public int Id => id;
                    public string Name => name;
                    public string? Tag { get; init; }
                }

                [PgRow]
                public partial record Keywords(int Class, string @event, int Reader, int Member, int Ordinals);

                [PgRow]
                public partial class Quoted
                {
                    [PgColumn("weird \"name\" \\ here")] public int Value { get; set; }
                }
                """,
            """
                // Uses the row types through the runtime API, so the interface implementation is checked too.
                using System.Threading;
                using System.Threading.Tasks;
                using Npgsql;
                using PgBorrow;

                static class Usage
                {
                    static async Task UseAsync(NpgsqlConnection connection, NpgsqlDataSource dataSource, int id, CancellationToken ct)
                    {
                        var orders = await connection.QueryAsync<Shop.Order>($"SELECT * FROM orders WHERE id = {id}", ct);
                        var tile = await dataSource.QueryFirstOrDefaultAsync<Geo.Tile>("SELECT * FROM tiles LIMIT 1", ct);
                        await foreach (var customer in connection.QueryStreamAsync<Shop.Customer>($"SELECT * FROM customers", ct))
                            _ = customer.Name;
                        _ = orders.Count + tile.Zoom;
                    }
                }
                """);

        var (result, output) = GeneratorHarness.Run(compilation);

        Assert.Equal(
            new[]
            {
                "Catalog.Product.PgRow.g.cs", "Geo.Point.PgRow.g.cs", "Geo.Tile.PgRow.g.cs", "Legacy.Keywords.PgRow.g.cs", "Legacy.Oblivious.PgRow.g.cs",
                "Legacy.Quoted.PgRow.g.cs", "Legacy.WithPrimaryConstructor.PgRow.g.cs", "Reports.Monthly_T_.Line.PgRow.g.cs",
                "Shop.Customer.PgRow.g.cs", "Shop.Order.PgRow.g.cs", "Types.Everything.PgRow.g.cs",
            },
            result.GeneratedSources.Select(s => s.HintName).OrderBy(n => n, System.StringComparer.Ordinal));
        GeneratorHarness.AssertNoProblems(output);
    }

    [Theory]
    [InlineData("not partial", "[PgRow] public class Row { public int Id { get; set; } }")]
    [InlineData("generic", "[PgRow] public partial class Row<T> { public int Id { get; set; } }")]
    [InlineData("abstract", "[PgRow] public abstract partial class Row { public int Id { get; set; } }")]
    [InlineData("unsupported member type", "[PgRow] public partial class Row { public Uri Link { get; set; } = null!; }")]
    [InlineData("unsupported element type", "[PgRow] public partial class Row { public int[][] Jagged { get; set; } = null!; }")]
    [InlineData("nullable enum array", "public enum E { A } [PgRow] public partial class Row { public E?[] Values { get; set; } = null!; }")]
    [InlineData("ignored constructor parameter", "[PgRow] public partial record Row([PgIgnore] int Id);")]
    [InlineData("ignored required member", "[PgRow] public partial class Row { [PgIgnore] public required int Id { get; set; } }")]
    [InlineData("required field", "[PgRow] public partial class Row { public required int Id; }")]
    [InlineData("duplicate columns", "[PgRow] public partial class Row { public int Id { get; set; } [PgColumn(\"id\")] public int Other { get; set; } }")]
    [InlineData("empty column name", "[PgRow] public partial class Row { [PgColumn(\"\")] public int Id { get; set; } }")]
    [InlineData("ambiguous constructors", "[PgRow] public partial class Row { public Row(int a) { } public Row(string b) { } }")]
    [InlineData("containing type not partial", "public class Outer { [PgRow] public partial class Row { public int Id { get; set; } } }")]
    [InlineData("ref struct", "[PgRow] public ref partial struct Row { public int Id { get; set; } }")]
    [InlineData("incomplete code", "[PgRow] public partial class Row { public int Id { get; set; } public Missing Other { get; set; } ")]
    public async Task A_type_the_generator_cannot_map_gets_no_code(string why, string source)
    {
        var compilation = await GeneratorHarness.CompilationAsync(GeneratorHarness.Usings + source);

        var (result, _) = GeneratorHarness.Run(compilation);

        Assert.True(result.GeneratedSources.IsEmpty, why);
    }

    [Fact]
    public async Task Csharp_10_gets_no_code_because_static_abstract_members_need_csharp_11()
    {
        var parseOptions = new CSharpParseOptions(LanguageVersion.CSharp10);
        var compilation = await GeneratorHarness.CompilationAsync(parseOptions, GeneratorHarness.Usings + "[PgRow] public partial class Row { public int Id { get; set; } }");

        var (result, _) = GeneratorHarness.Run(compilation);

        Assert.True(result.GeneratedSources.IsEmpty);
    }
}
