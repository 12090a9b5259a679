using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Xunit;

namespace PgBorrow.Tests.Generators;

/// <summary>What the incremental-cache tests of the generators share: two runs over an edit, and reading the tracked steps.</summary>
internal static class IncrementalSteps
{
    /// <summary>
    /// Runs <paramref name="generator"/> on <paramref name="sources"/> (two files, each generating
    /// <paramref name="expectedFiles"/> in all), then again with each file replaced by its edit, and returns the second run.
    /// </summary>
    public static async Task<GeneratorRunResult> RunTwiceAsync(IIncrementalGenerator generator, int expectedFiles, string[] sources, string[] edits)
    {
        var compilation = await GeneratorHarness.CompilationAsync(sources);
        var driver = GeneratorHarness.CreateDriver(generator).RunGenerators(compilation);
        Assert.Equal(expectedFiles, driver.GetRunResult().Results.Single().GeneratedSources.Length);

        var trees = compilation.SyntaxTrees.ToArray();
        var edited = compilation;
        for (var i = 0; i < trees.Length; i++)
            edited = edited.ReplaceSyntaxTree(trees[i], CSharpSyntaxTree.ParseText(edits[i], GeneratorHarness.ParseOptions, trees[i].FilePath));
        var result = driver.RunGenerators(edited).GetRunResult().Results.Single();
        Assert.Null(result.Exception);
        Assert.Equal(expectedFiles, result.GeneratedSources.Length);
        return result;
    }

    /// <summary>Fails unless every output of every named step, and every output step, was Cached or Unchanged.</summary>
    public static void AssertAllCachedOrUnchanged(GeneratorRunResult result, IEnumerable<string> stepNames)
    {
        foreach (var name in stepNames)
        {
            Assert.True(result.TrackedSteps.ContainsKey(name), $"The step {name} did not run.");
            foreach (var (value, reason) in Outputs(result, name))
                Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"{name}: {reason} for {value}");
        }

        foreach (var (value, reason) in result.TrackedOutputSteps.SelectMany(s => s.Value).SelectMany(s => s.Outputs))
            Assert.True(reason is IncrementalStepRunReason.Cached or IncrementalStepRunReason.Unchanged, $"output: {reason} for {value}");
    }

    /// <summary>Every output of the step, with why it was produced.</summary>
    public static List<(object Value, IncrementalStepRunReason Reason)> Outputs(GeneratorRunResult result, string stepName)
        => result.TrackedSteps[stepName].SelectMany(step => step.Outputs).ToList();
}
