using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;
using PgBorrow.Cli.Describe;
using PgBorrow.Cli.Metadata;
using PgBorrow.Generators.Queries;
using PgBorrow.Tests.Generators;
using PgBorrow.Tests.Rules;
using Xunit;

namespace PgBorrow.Tests.Offline;

/// <summary>
/// What the PGB33x tests share: the files <c>pgborrow prepare</c> writes (made by the tool's own writer), the
/// options a build hands the analyzers, and a run of the [PgQuery] generator with the rules on its output.
/// </summary>
internal static class PreparedFiles
{
    /// <summary>A result column of the table <c>orders</c>.</summary>
    public static DescribedColumn Column(string name, string type, bool nullable) => new(name, type, 16384, "orders", 1, nullable);

    /// <summary>The file the tool writes for a statement, at <c>/shop/.pgborrow/&lt;hash&gt;.json</c>.</summary>
    public static AdditionalText Prepared(string sql, IReadOnlyList<string> parameters, params DescribedColumn[] columns)
        => new InMemoryFile("/shop/" + StatementFile.FolderName + "/" + StatementFile.FileName(sql),
            Encoding.UTF8.GetString(StatementFile.Write(new StatementDescription(sql, parameters, columns, null))));

    /// <summary>
    /// The diagnostics of <paramref name="analyzers"/> on <paramref name="source"/> and the generated code, with
    /// <paramref name="options"/> as the build's options (none when null), each at the severity it was reported at.
    /// </summary>
    public static async Task<ImmutableArray<Diagnostic>> DiagnosticsAsync(ImmutableArray<DiagnosticAnalyzer> analyzers, string source, OptionsProvider? options, params AdditionalText[] files)
    {
        var (_, _, diagnostics) = await GeneratedMethodAnalysis.RunAsync(new PgQueryGenerator(), analyzers, GeneratorHarness.ParseOptions, files.ToImmutableArray(), options, warningsAsErrors: false, source);
        return diagnostics;
    }

    /// <summary>No diagnostic when <paramref name="expected"/> is null; otherwise exactly one of the rule, whose message contains it (returned).</summary>
    public static string? AssertReportedOnlyWhenExpected(ImmutableArray<Diagnostic> diagnostics, string id, string? expected)
    {
        if (expected is null)
        {
            Assert.Empty(diagnostics);
            return null;
        }
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Contains(expected, diagnostic.GetMessage(), StringComparison.Ordinal);
        return diagnostic.GetMessage();
    }

    /// <summary>
    /// The options of a build: <paramref name="fileOptions"/> as .editorconfig gives them for every file, and
    /// <paramref name="globalOptions"/> as the global options (where MSBuild's <c>build_property.*</c> arrive).
    /// </summary>
    public sealed class OptionsProvider(IReadOnlyDictionary<string, string> fileOptions, IReadOnlyDictionary<string, string>? globalOptions = null) : AnalyzerConfigOptionsProvider
    {
        private readonly Options _file = new(fileOptions);
        private readonly Options _global = new(globalOptions ?? new Dictionary<string, string>());

        public override AnalyzerConfigOptions GlobalOptions => _global;

        public override AnalyzerConfigOptions GetOptions(SyntaxTree tree) => _file;

        public override AnalyzerConfigOptions GetOptions(AdditionalText textFile) => _file;

        private sealed class Options(IReadOnlyDictionary<string, string> values) : AnalyzerConfigOptions
        {
            public override bool TryGetValue(string key, [NotNullWhen(true)] out string? value) => values.TryGetValue(key, out value);
        }
    }
}
