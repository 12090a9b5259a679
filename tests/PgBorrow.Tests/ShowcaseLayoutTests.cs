using System;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using PgBorrow.Analyzers;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests;

/// <summary>
/// The Showcase is browsed by file name: each Wrong/ and Right/ file starts with its rule's id and says
/// the rule (<c>Pgb001_TransactionMayBeLeftOpen.cs</c>, after <see cref="RuleIdentifiers.TransactionMayBeLeftOpen"/>),
/// and every bug has its fix under the same name.
/// </summary>
public sealed class ShowcaseLayoutTests
{
    static readonly string Showcase = Path.Combine(TestReferences.RepositoryRoot, "samples", "Showcase");
    static readonly Regex RuleFileName = new(@"^Pgb(?<number>\d{3})_(?<rule>[A-Za-z]+)\.cs$", RegexOptions.CultureInvariant);

    static string[] FileNames(string folder)
        => Directory.GetFiles(Path.Combine(Showcase, folder), "*.cs").Select(path => Path.GetFileName(path)!).OrderBy(name => name, StringComparer.Ordinal).ToArray();

    [Theory]
    [InlineData("Wrong")]
    [InlineData("Right")]
    public void Every_file_is_named_after_its_rule(string folder)
    {
        var ruleNames = typeof(RuleIdentifiers).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(field => field.IsLiteral && field.GetRawConstantValue() is string id && id.StartsWith("PGB", StringComparison.Ordinal))
            .ToDictionary(field => (string)field.GetRawConstantValue()!, field => field.Name);

        var files = FileNames(folder);
        Assert.NotEmpty(files);
        var misnamed = files.Where(name =>
        {
            var match = RuleFileName.Match(name);
            return !match.Success
                || !ruleNames.TryGetValue("PGB" + match.Groups["number"].Value, out var rule)
                || rule != match.Groups["rule"].Value;
        }).ToList();
        Assert.True(misnamed.Count == 0, $"Not named Pgb<id>_<rule name from RuleIdentifiers>.cs in {folder}/: " + string.Join(", ", misnamed));
    }

    [Fact]
    public void Every_wrong_example_has_its_fix_under_the_same_name()
        => Assert.Equal(FileNames("Wrong"), FileNames("Right"));
}
