using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using PgBorrow.Tests.Generators;
using Xunit;

namespace PgBorrow.Tests.Rules;

/// <summary>
/// Keeps the PGB32x analyzers and the [PgTransaction] generator in step: on one corpus, the generator emits
/// no implementation for a method exactly when an analyzer reports an Error for it, and what it emits
/// compiles. Both run PgTransactionMethodCheck, so this guards the wiring around it (the generator's own
/// early exits, the analyzer's choice of declaration) and the emitter.
/// </summary>
public sealed class PgTransactionConsistencyTests
{
    /// <summary>One [PgTransaction] method per file, and whether the corpus means it to generate.</summary>
    public sealed record Entry(string Name, bool Generates, string Source);

    private static readonly Entry[] Corpus =
    {
        new("StaticTransfer", true, "public static partial class A { [PgTransaction] public static partial Task<bool> TransferAsync(NpgsqlDataSource d, long from, CancellationToken ct); static Task<bool> TransferBody(PgTx tx, long from, CancellationToken ct) => Task.FromResult(true); }"),
        new("ConnectionVoid", true, "public static partial class B { [PgTransaction(IsolationLevel.ReadCommitted)] public static partial Task Run(NpgsqlConnection c); static Task RunBody(PgTx tx) => Task.CompletedTask; }"),
        new("Instance", true, "public partial class C { [PgTransaction] public partial Task<int> CountAsync(NpgsqlDataSource d, string? filter); Task<int> CountBody(PgTx tx, string? filter) => Task.FromResult(1); }"),
        new("NamedBody", true, "public static partial class D { [PgTransaction(Body = nameof(Core), ReadOnly = true, Deferrable = true)] public static partial Task<string> Read(NpgsqlDataSource d, int a, int b, int c); static Task<string> Core(PgTx tx, int a, int b, int c) => Task.FromResult(\"\"); }"),
        new("Record", true, "public partial record E(int Id) { [PgTransaction] public partial Task SaveAsync(NpgsqlDataSource d, CancellationToken ct); Task SaveBody(PgTx tx, CancellationToken ct) => Task.CompletedTask; }"),
        new("StaticInStruct", true, "public partial struct F { [PgTransaction] public static partial Task Go(NpgsqlDataSource d); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("NestedGeneric", true, "public partial class G<T> { public static partial class Inner { [PgTransaction(MaxAttempts = 1)] public static partial Task<T?> Get(NpgsqlDataSource d, T key); static Task<T?> GetBody(PgTx tx, T key) => Task.FromResult<T?>(default); } }"),
        new("Extension", true, "public static partial class H { [PgTransaction] public static partial Task Ping(this NpgsqlDataSource d, CancellationToken a, CancellationToken b); static Task PingBody(PgTx tx, CancellationToken a, CancellationToken b) => Task.CompletedTask; }"),
        new("DerivedSource", true, "public static partial class I { [PgTransaction] public static partial Task Go(NpgsqlMultiHostDataSource d); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("BodyOverloads", true, "public static partial class J { [PgTransaction] public static partial Task Go(NpgsqlDataSource d, int x); static Task GoBody(PgTx tx, string x) => Task.CompletedTask; static Task GoBody(PgTx tx, int x) => Task.CompletedTask; }"),

        new("NotPartialType", false, "public static class K { [PgTransaction] public static partial Task Go(NpgsqlDataSource d); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("NotPartialMethod", false, "public static partial class L { [PgTransaction] public static Task Go(NpgsqlDataSource d) => Task.CompletedTask; static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("UserImplementation", false, "public static partial class M { [PgTransaction] public static partial Task Go(NpgsqlDataSource d); public static partial Task Go(NpgsqlDataSource d) => Task.CompletedTask; static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("Generic", false, "public static partial class N { [PgTransaction] public static partial Task Go<T>(NpgsqlDataSource d); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("RefParameter", false, "public static partial class O { [PgTransaction] public static partial Task Go(NpgsqlDataSource d, in int x); static Task GoBody(PgTx tx, int x) => Task.CompletedTask; }"),
        new("StructInstance", false, "public partial struct P { [PgTransaction] public partial Task Go(NpgsqlDataSource d); Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("OuterNotPartial", false, "public class Q { public static partial class Inner { [PgTransaction] public static partial Task Go(NpgsqlDataSource d); static Task GoBody(PgTx tx) => Task.CompletedTask; } }"),
        new("FileLocal", false, "file static partial class R { [PgTransaction] public static partial Task Go(NpgsqlDataSource d); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("NoSource", false, "public static partial class S { [PgTransaction] public static partial Task Go(string d); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("NullableSource", false, "public static partial class U { [PgTransaction] public static partial Task Go(NpgsqlConnection? c); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("ValueTask", false, "public static partial class V { [PgTransaction] public static partial ValueTask Go(NpgsqlDataSource d); static ValueTask GoBody(PgTx tx) => default; }"),
        new("VoidReturn", false, "public static partial class W { [PgTransaction] public static partial void Go(NpgsqlDataSource d); static void GoBody(PgTx tx) { } }"),
        new("NoBody", false, "public static partial class X { [PgTransaction] public static partial Task Go(NpgsqlDataSource d); }"),
        new("BodyNullability", false, "public static partial class Y { [PgTransaction] public static partial Task Go(NpgsqlDataSource d, string? s); static Task GoBody(PgTx tx, string s) => Task.CompletedTask; }"),
        new("BodyInstance", false, "public static partial class Z { [PgTransaction] public static partial Task Go(NpgsqlDataSource d); static Task GoBody(PgTx tx, int extra) => Task.CompletedTask; }"),
        new("Deferrable", false, "public static partial class AA { [PgTransaction(Deferrable = true)] public static partial Task Go(NpgsqlDataSource d); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("NegativeDelay", false, "public static partial class AB { [PgTransaction(BaseDelayMilliseconds = -1)] public static partial Task Go(NpgsqlDataSource d); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
        new("UndefinedIsolation", false, "public static partial class AC { [PgTransaction((IsolationLevel)3)] public static partial Task Go(NpgsqlDataSource d); static Task GoBody(PgTx tx) => Task.CompletedTask; }"),
    };

    public static TheoryData<string> LanguageVersions() => new() { "8", "9", "latest" };

    [Fact]
    public async Task The_generator_skips_a_method_exactly_when_an_analyzer_reports_an_error_for_it()
    {
        var verdicts = await VerdictsAsync(GeneratorHarness.ParseOptions, Corpus);

        var disagreements = verdicts
            .Where(v => v.Generated == v.Errors.Any())
            .Select(v => v.Generated
                ? $"{v.Entry.Name}: generated, yet the analyzers report {string.Join(", ", v.Errors)}"
                : $"{v.Entry.Name}: not generated, and no analyzer reports an error (add the reason to PgTransactionMethodCheck)")
            .ToArray();
        Assert.True(disagreements.Length == 0, string.Join("\n", disagreements));
    }

    [Fact]
    public async Task The_corpus_covers_both_outcomes_as_intended_and_the_generated_code_compiles()
    {
        var verdicts = await VerdictsAsync(GeneratorHarness.ParseOptions, Corpus);

        Assert.True(Corpus.Count(e => e.Generates) >= 8 && Corpus.Count(e => !e.Generates) >= 15, "The corpus lost its spread of good and bad methods.");
        var surprises = verdicts.Where(v => v.Generated != v.Entry.Generates)
            .Select(v => $"{v.Entry.Name}: the corpus expects {(v.Entry.Generates ? "" : "no ")}implementation, the generator {(v.Generated ? "emitted one" : "emitted none")}")
            .ToArray();
        Assert.True(surprises.Length == 0, string.Join("\n", surprises));
        var problems = verdicts.Where(v => v.Generated).SelectMany(v => v.Problems).ToArray();
        Assert.True(problems.Length == 0, "Generated code has problems:\n" + string.Join("\n", problems));
    }

    [Theory]
    [MemberData(nameof(LanguageVersions))]
    public async Task Language_version_agrees_too(string version)
    {
        LanguageVersionFacts.TryParse(version, out var languageVersion);
        var entry = new Entry("Versioned", version != "8", Corpus[0].Source);

        var verdict = Assert.Single(await VerdictsAsync(new CSharpParseOptions(languageVersion), new[] { entry }));

        Assert.Equal(entry.Generates, verdict.Generated);
        Assert.Equal(!entry.Generates, verdict.Errors.Any());
    }

    private sealed record Verdict(Entry Entry, bool Generated, IReadOnlyList<string> Errors, IReadOnlyList<string> Problems);

    private static async Task<List<Verdict>> VerdictsAsync(CSharpParseOptions parseOptions, IReadOnlyList<Entry> corpus)
    {
        var sources = corpus.Select(e => GeneratorHarness.TransactionUsings + "namespace Corpus;\n\n" + e.Source).ToArray();
        var (result, output, diagnostics) = await PgTransactionAnalysis.RunAsync(parseOptions, sources);
        var compilerProblems = GeneratorHarness.Problems(output);

        var verdicts = new List<Verdict>();
        for (var i = 0; i < corpus.Count; i++)
        {
            var path = $"/src/File{i}.cs";
            // One method per file, and the generated file names its type: match on the type's name.
            var typeName = corpus[i].Source.Split(' ').SkipWhile(w => w is not ("class" or "struct" or "record")).Skip(1).First().Split('(', '<')[0];
            var generated = result.GeneratedSources.Any(s => IsOf(s.HintName, typeName));
            var errors = diagnostics
                .Where(d => d.Location.SourceTree?.FilePath == path && d.Descriptor.DefaultSeverity == DiagnosticSeverity.Error)
                .Select(d => $"{d.Id} ({d.GetMessage()})")
                .ToList();
            var problems = compilerProblems.Where(p => p.StartsWith(path + "(", System.StringComparison.Ordinal) || p.Split('/').Any(part => IsOf(part, typeName))).ToList();
            verdicts.Add(new Verdict(corpus[i], generated, errors, problems));
        }
        return verdicts;
    }

    /// <summary>Whether a generated file's name is of a method of <paramref name="typeName"/> (<c>Corpus.G_T_.Inner.Get.PgTransaction.g.cs</c> is of G).</summary>
    private static bool IsOf(string hintName, string typeName)
    {
        var prefix = "Corpus." + typeName;
        return hintName.StartsWith(prefix, System.StringComparison.Ordinal) && hintName.Length > prefix.Length && hintName[prefix.Length] is '.' or '_';
    }
}
