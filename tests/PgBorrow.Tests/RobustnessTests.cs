using System;
using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests;

/// <summary>
/// Analyzers must never throw (AD0001): every analyzer runs over the samples and the project's own
/// sources, whole and cut off at many points, the way code looks while it is being typed.
/// </summary>
public class RobustnessTests
{
    static readonly string[] s_folders = { "samples", "src", "tests/PgBorrow.IntegrationTests" };

    [Fact]
    public async Task No_analyzer_throws_on_the_repository_sources()
    {
        var files = SourceFiles();
        Assert.NotEmpty(files);
        var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), path: f)).ToArray();
        var (exceptions, diagnostics) = await AnalyzeAsync(trees);
        Assert.True(exceptions.IsEmpty, string.Join(Environment.NewLine, exceptions));
        Assert.DoesNotContain(diagnostics, d => d.Id == "AD0001");
    }

    [Fact]
    public async Task No_analyzer_throws_on_half_written_code()
    {
        var samples = SourceFiles().Where(f => f.Contains(Path.Combine("samples", "Showcase"))).ToArray();
        Assert.NotEmpty(samples);
        var exceptions = new ConcurrentBag<string>();
        foreach (var file in samples)
        {
            var text = File.ReadAllText(file);
            // Cut the file at 6 evenly spaced points, and drop one closing brace in the middle.
            for (var i = 1; i <= 6; i++)
            {
                var cut = text.Substring(0, text.Length * i / 7);
                var brace = text.IndexOf('}', text.Length / 2);
                var variants = brace < 0 || i > 1 ? new[] { cut } : new[] { cut, text.Remove(brace, 1) };
                foreach (var variant in variants)
                {
                    var (found, _) = await AnalyzeAsync(new[] { CSharpSyntaxTree.ParseText(variant, path: file) });
                    foreach (var exception in found)
                        exceptions.Add(file + ": " + exception);
                }
            }
        }
        Assert.True(exceptions.IsEmpty, string.Join(Environment.NewLine, exceptions.Distinct()));
    }

    static string[] SourceFiles()
        => s_folders
            .Select(folder => Path.Combine(TestReferences.RepositoryRoot, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)
                     && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
            .OrderBy(f => f, StringComparer.Ordinal)
            .ToArray();

    static async Task<(ImmutableArray<string> Exceptions, ImmutableArray<Diagnostic> Diagnostics)> AnalyzeAsync(SyntaxTree[] trees)
    {
        var result = await AnalyzeAll.RunAsync(trees);
        return (result.Exceptions, result.Diagnostics);
    }
}
