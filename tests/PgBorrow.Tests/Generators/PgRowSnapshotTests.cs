using System.Linq;
using System.Threading.Tasks;
using Xunit;

namespace PgBorrow.Tests.Generators;

/// <summary>The generated code for each shape of row type, pinned by checked-in snapshots.</summary>
public sealed class PgRowSnapshotTests
{
    [Fact]
    public Task Positional_record_with_column_attributes_nullable_and_enum() => VerifyAsync(nameof(PgRowSources.Record), PgRowSources.Record);

    [Fact]
    public Task Class_with_required_init_private_set_ignored_and_as_is_naming() => VerifyAsync(nameof(PgRowSources.Class), PgRowSources.Class);

    [Fact]
    public Task Struct_and_readonly_record_struct() => VerifyAsync(nameof(PgRowSources.Structs), PgRowSources.Structs);

    [Fact]
    public Task Nested_in_partial_generic_types_in_the_global_namespace_with_a_constructor() => VerifyAsync(nameof(PgRowSources.Nested), PgRowSources.Nested);

    [Fact]
    public Task Every_supported_type() => VerifyAsync(nameof(PgRowSources.AllTypes), PgRowSources.AllTypes);

    [Fact]
    public Task Postgres_enums_json_network_and_range_types() => VerifyAsync(nameof(PgRowSources.PostgresTypes), PgRowSources.PostgresTypes);

    private static async Task VerifyAsync(string name, string source)
    {
        var compilation = await GeneratorHarness.CompilationAsync(GeneratorHarness.Usings + source);
        var (result, output) = GeneratorHarness.Run(compilation);

        Assert.NotEmpty(result.GeneratedSources);
        GeneratorHarness.AssertNoProblems(output);
        Snapshot.Match(name, result.GeneratedSources.Select(s => (s.HintName, s.SourceText.ToString())));
    }
}
