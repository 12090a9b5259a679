using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests;

/// <summary>
/// Keeps the rule pages, the release-tracking file and the README in step with the descriptors the
/// analyzers actually ship. The descriptors are the source of truth; these tests fail when a page is
/// missing, has a stale title, category or severity, or when a help link points nowhere.
/// </summary>
public sealed class DocumentationTests
{
    static readonly string Root = TestReferences.RepositoryRoot;
    static readonly string RulesDirectory = Path.Combine(Root, "docs", "rules");

    static readonly ImmutableArray<Type> AnalyzerTypes = typeof(RuleIdentifiers).Assembly
        .GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToImmutableArray();

    /// <summary>Every descriptor of every analyzer, one per ID.</summary>
    static readonly ImmutableDictionary<string, DiagnosticDescriptor> Descriptors = LoadDescriptors();

    public static TheoryData<string> RuleIds()
    {
        var data = new TheoryData<string>();
        foreach (var id in Descriptors.Keys.OrderBy(id => id, StringComparer.Ordinal))
            data.Add(id);
        return data;
    }

    [Fact]
    public void Analyzers_are_found_and_exported()
    {
        Assert.NotEmpty(AnalyzerTypes);
        foreach (var type in AnalyzerTypes)
        {
            var attribute = type.GetCustomAttribute<DiagnosticAnalyzerAttribute>();
            Assert.True(attribute is not null, $"{type.Name} has no [DiagnosticAnalyzer] attribute, so no compiler loads it.");
            Assert.Contains(LanguageNames.CSharp, attribute!.Languages);
        }
    }

    [Fact]
    public void Every_rule_identifier_has_a_descriptor_and_every_descriptor_an_identifier()
    {
        var identifiers = typeof(RuleIdentifiers)
            .GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Where(value => Regex.IsMatch(value, @"^PGB\d{3}$"))
            .OrderBy(id => id, StringComparer.Ordinal)
            .ToArray();

        Assert.NotEmpty(identifiers);
        Assert.Equal(identifiers, Descriptors.Keys.OrderBy(id => id, StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Help_link_is_the_rule_page(string id)
    {
        var descriptor = Descriptors[id];
        Assert.Equal(RuleIdentifiers.GetHelpUri(id), descriptor.HelpLinkUri);
        Assert.EndsWith($"/docs/rules/{id}.md", descriptor.HelpLinkUri, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_page_exists_and_starts_with_the_title(string id)
    {
        var descriptor = Descriptors[id];
        var path = RulePage(id);
        Assert.True(File.Exists(path), $"Missing rule page {path}");
        Assert.Equal($"# {id}: {descriptor.Title}", File.ReadLines(path).First());
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Rule_page_matches_the_descriptor_and_has_every_section(string id)
    {
        var descriptor = Descriptors[id];
        var path = RulePage(id);
        Assert.True(File.Exists(path), $"Missing rule page {path}");
        var lines = File.ReadAllLines(path);
        var text = string.Join("\n", lines);

        Assert.Contains($"| ID | {id} |", lines);
        Assert.Contains($"| Category | {descriptor.Category} |", lines);
        Assert.Contains($"| Default severity | {descriptor.DefaultSeverity} |", lines);
        Assert.Contains(lines, line => line.StartsWith("| Code fix | ", StringComparison.Ordinal));

        foreach (var section in new[] { "## What it finds", "## Why it matters in PostgreSQL", "## Example", "## Configuration", "## Suppressing" })
            Assert.Contains(section, lines);
        Assert.Contains("### Bad", lines);
        Assert.Contains("### Good", lines);
        Assert.True(Regex.Matches(text, "^```csharp$", RegexOptions.Multiline).Count >= 2, $"{id}.md needs a bad and a good C# example.");
        // The sample build output shows the rule at its default severity (the PGB30x rules are errors).
        var reported = descriptor.DefaultSeverity == DiagnosticSeverity.Error ? "error" : "warning";
        Assert.Contains($"{reported} {id}: ", text, StringComparison.Ordinal);

        Assert.Contains($"dotnet_diagnostic.{id}.severity", text, StringComparison.Ordinal);
        Assert.Contains($"#pragma warning disable {id}", text, StringComparison.Ordinal);
        Assert.Contains($"[SuppressMessage(\"{descriptor.Category}\", \"{id}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_rule_page_belongs_to_a_descriptor()
    {
        Assert.True(Directory.Exists(RulesDirectory), $"Missing {RulesDirectory}");
        foreach (var path in Directory.EnumerateFiles(RulesDirectory, "*.md"))
        {
            var id = Path.GetFileNameWithoutExtension(path);
            Assert.True(Descriptors.ContainsKey(id), $"docs/rules/{id}.md has no descriptor with that ID.");
        }
    }

    [Fact]
    public void Every_unshipped_rule_has_a_page_and_a_descriptor()
    {
        var rows = ReleaseRows("AnalyzerReleases.Unshipped.md");
        Assert.NotEmpty(rows);
        foreach (var (id, category, severity, notes) in rows)
        {
            Assert.True(Descriptors.TryGetValue(id, out var descriptor), $"AnalyzerReleases.Unshipped.md lists {id}, which no analyzer reports.");
            Assert.True(File.Exists(RulePage(id)), $"AnalyzerReleases.Unshipped.md lists {id}, which has no docs/rules/{id}.md.");
            Assert.Equal(descriptor!.Category, category);
            Assert.Equal(descriptor.DefaultSeverity.ToString(), severity);
            Assert.Contains($"({RuleIdentifiers.GetHelpUri(id)})", notes, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_descriptor_is_in_a_release_file()
    {
        var released = ReleaseRows("AnalyzerReleases.Shipped.md")
            .Concat(ReleaseRows("AnalyzerReleases.Unshipped.md"))
            .Select(row => row.Id)
            .ToHashSet(StringComparer.Ordinal);
        foreach (var id in Descriptors.Keys)
            Assert.True(released.Contains(id), $"{id} is in neither AnalyzerReleases file.");
    }

    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Readme_links_the_rule_page(string id)
    {
        var readme = File.ReadAllText(Path.Combine(Root, "README.md"));
        var link = new Regex(@"\[[^\]]*\b" + id + @"\b[^\]]*\]\(docs/rules/" + id + @"\.md\)");
        Assert.True(link.IsMatch(readme), $"README.md does not link [{id}](docs/rules/{id}.md).");
    }

    /// <summary>The package README is shown on nuget.org, away from the repository: rules link by absolute URL.</summary>
    [Theory]
    [MemberData(nameof(RuleIds))]
    public void Package_readme_links_the_rule_page_by_absolute_url(string id)
    {
        var link = new Regex(@"\[" + id + @"\]\(" + Regex.Escape(RuleIdentifiers.GetHelpUri(id)) + @"\)");
        Assert.True(link.IsMatch(PackageReadme), $"src/Runtime/README.md does not link [{id}]({RuleIdentifiers.GetHelpUri(id)}).");
    }

    [Fact]
    public void Package_readme_names_no_rule_the_analyzers_do_not_have()
    {
        var named = Regex.Matches(PackageReadme, @"\bPGB\d{3}\b").Select(m => m.Value).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(named);
        var unknown = named.Where(id => !Descriptors.ContainsKey(id)).OrderBy(id => id, StringComparer.Ordinal).ToList();
        Assert.True(unknown.Count == 0, "src/Runtime/README.md names rules no analyzer reports: " + string.Join(", ", unknown));
    }

    [Fact]
    public void Package_readme_links_are_absolute_and_those_into_the_repository_resolve()
    {
        var repositoryFiles = RuleIdentifiers.HelpLinkBase.Substring(0, RuleIdentifiers.HelpLinkBase.Length - "docs/rules/".Length);
        var broken = new List<string>();
        foreach (var target in MarkdownLinks(PackageReadme))
        {
            if (!target.Contains("://", StringComparison.Ordinal))
            {
                broken.Add($"{target} (relative: it resolves nowhere on nuget.org)");
                continue;
            }
            if (!target.StartsWith(repositoryFiles, StringComparison.Ordinal))
                continue;

            var hash = target.IndexOf('#');
            var relative = (hash >= 0 ? target.Substring(0, hash) : target).Substring(repositoryFiles.Length);
            var file = Path.Combine(Root, relative);
            if (!File.Exists(file))
                broken.Add($"{target} (no {relative} in the repository)");
            else if (hash >= 0 && !Anchors(File.ReadAllText(file)).Contains(target.Substring(hash + 1)))
                broken.Add($"{target} (no such heading in {relative})");
        }
        Assert.True(broken.Count == 0, "Broken links in src/Runtime/README.md:\n" + string.Join("\n", broken));
    }

    [Fact]
    public void Relative_links_in_docs_resolve()
    {
        var docs = Path.Combine(Root, "docs");
        var files = Directory.EnumerateFiles(docs, "*.md", SearchOption.AllDirectories).ToArray();
        Assert.NotEmpty(files);

        var broken = new List<string>();
        foreach (var file in files)
        {
            foreach (var target in MarkdownLinks(File.ReadAllText(file)))
            {
                if (target.Contains("://", StringComparison.Ordinal) || target.StartsWith("mailto:", StringComparison.Ordinal))
                    continue;

                var hash = target.IndexOf('#');
                var pathPart = hash >= 0 ? target.Substring(0, hash) : target;
                var anchor = hash >= 0 ? target.Substring(hash + 1) : null;
                var resolved = pathPart.Length == 0 ? file : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(file)!, pathPart));

                if (!File.Exists(resolved) && !Directory.Exists(resolved))
                    broken.Add($"{Path.GetRelativePath(Root, file)}: {target} (no such file)");
                else if (anchor is not null && File.Exists(resolved) && !Anchors(File.ReadAllText(resolved)).Contains(anchor))
                    broken.Add($"{Path.GetRelativePath(Root, file)}: {target} (no such heading)");
            }
        }

        Assert.True(broken.Count == 0, "Broken links:\n" + string.Join("\n", broken));
    }

    static string PackageReadme => File.ReadAllText(Path.Combine(Root, "src", "Runtime", "README.md"));

    static string RulePage(string id) => Path.Combine(RulesDirectory, id + ".md");

    static bool SameRule(DiagnosticDescriptor a, DiagnosticDescriptor b)
        => a.Title.ToString() == b.Title.ToString() && a.Category == b.Category && a.DefaultSeverity == b.DefaultSeverity
            && a.IsEnabledByDefault == b.IsEnabledByDefault && a.HelpLinkUri == b.HelpLinkUri && a.Description.ToString() == b.Description.ToString();

    static ImmutableDictionary<string, DiagnosticDescriptor> LoadDescriptors()
    {
        var byId = new Dictionary<string, DiagnosticDescriptor>(StringComparer.Ordinal);
        foreach (var type in AnalyzerTypes)
        {
            var analyzer = (DiagnosticAnalyzer)Activator.CreateInstance(type)!;
            foreach (var descriptor in analyzer.SupportedDiagnostics)
            {
                if (byId.TryGetValue(descriptor.Id, out var existing))
                {
                    // One rule may word its message two ways (PGB201 on text assembled in another member); it stays one
                    // rule: same title, category, severity and page. The first descriptor is the rule's.
                    if (!existing.Equals(descriptor) && !SameRule(existing, descriptor))
                        throw new InvalidOperationException($"Two different descriptors use {descriptor.Id}.");
                    continue;
                }
                byId[descriptor.Id] = descriptor;
            }
        }
        return byId.ToImmutableDictionary(StringComparer.Ordinal);
    }

    /// <summary>The rule rows of an AnalyzerReleases file: <c>ID | Category | Severity | Notes</c>.</summary>
    static List<(string Id, string Category, string Severity, string Notes)> ReleaseRows(string fileName)
    {
        var rows = new List<(string, string, string, string)>();
        foreach (var line in File.ReadLines(Path.Combine(Root, "src", "Analyzers", fileName)))
        {
            var cells = line.Split('|').Select(cell => cell.Trim()).ToArray();
            if (cells.Length >= 4 && Regex.IsMatch(cells[0], @"^PGB\d{3}$"))
                rows.Add((cells[0], cells[1], cells[2], cells.Length > 3 ? string.Join("|", cells.Skip(3)) : ""));
        }
        return rows;
    }

    /// <summary>Link targets of <c>[text](target)</c>, outside fenced code blocks.</summary>
    static IEnumerable<string> MarkdownLinks(string markdown)
    {
        var prose = Regex.Replace(markdown, "^```.*?^```", "", RegexOptions.Multiline | RegexOptions.Singleline);
        foreach (Match match in Regex.Matches(prose, @"\]\(([^)\s]+)\)"))
            yield return match.Groups[1].Value;
    }

    /// <summary>GitHub-style heading anchors: lower case, punctuation dropped, spaces as hyphens.</summary>
    static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var prose = Regex.Replace(markdown, "^```.*?^```", "", RegexOptions.Multiline | RegexOptions.Singleline);
        foreach (Match heading in Regex.Matches(prose, @"^#{1,6}[ \t]+(.+?)[ \t]*$", RegexOptions.Multiline))
        {
            var text = heading.Groups[1].Value.ToLowerInvariant();
            text = Regex.Replace(text, @"[^\p{L}\p{Nd} _-]", "");
            anchors.Add(text.Replace(' ', '-'));
        }
        return anchors;
    }
}
