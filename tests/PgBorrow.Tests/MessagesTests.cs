using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests;

/// <summary>
/// Every warning and suggestion says what to do, in the message itself: after the diagnosis (':' or ';'),
/// a clause that starts with an instruction. A descriptor whose format carries no remedy must get it from
/// an argument, and then the messages the analyzers really produce on the Showcase's wrong code are read.
/// </summary>
public sealed class MessagesTests
{
    /// <summary>The instructions the messages give, each starting a clause after the diagnosis.</summary>
    static readonly string[] RemedyVerbs =
    {
        "add", "await", "buffer", "call", "check", "close", "commit", "declare", "dispose", "give", "keep",
        "lock", "make", "move", "number", "pass", "quote", "remove", "run", "unlock", "use", "wait", "wrap", "write",
    };

    static readonly Regex RemedyClause = new(
        @"(?:[:;]|, so|, or) (?:" + string.Join("|", RemedyVerbs) + @")\b",
        RegexOptions.CultureInvariant);

    /// <summary>
    /// Rules whose format ends in an argument that the analyzer fills with the remedy (it depends on the
    /// code: which using, what to move, which placeholder is missing).
    /// </summary>
    static readonly ImmutableHashSet<string> RemedyFromArgument = ImmutableHashSet.Create(
        "PGB001", "PGB002", "PGB003", "PGB005", "PGB006", "PGB007", "PGB010", "PGB103", "PGB109", "PGB201", "PGB202",
        "PGB331", "PGB332", "PGB333", "PGB334");

    /// <summary>
    /// Rules that stay silent unless the project turns them on (PGB109: <c>pgborrow.connection_pooling = transaction</c>;
    /// PGB331-PGB334: <c>.pgborrow/*.json</c> files given to the build), so the Showcase run below cannot show their
    /// filled-in messages; their own tests pin each message and its remedy.
    /// </summary>
    static readonly ImmutableHashSet<string> OptIn = ImmutableHashSet.Create("PGB109", "PGB331", "PGB332", "PGB333", "PGB334");

    static readonly ImmutableArray<DiagnosticDescriptor> WarningsAndSuggestions = VerifyAllRules.CreateAnalyzers()
        .SelectMany(analyzer => analyzer.SupportedDiagnostics)
        .Where(d => d.DefaultSeverity is DiagnosticSeverity.Warning or DiagnosticSeverity.Info)
        .Distinct()
        .ToImmutableArray();

    [Theory]
    [InlineData("Transaction 'tx' is still open: declare it with 'await using'", true)]
    [InlineData("Connection 'conn' is used concurrently: ..., so await each command", true)]
    [InlineData("Connection 'conn' is not disposed: it is never returned to the pool", false)]
    [InlineData("The SQL uses $2, but only 1 is added", false)]
    [InlineData("Reader stays open; it is used by 'ReadAsync'", false)]
    public void Remedy_clause_is_recognised_only_after_the_diagnosis(string message, bool expected)
        => Assert.Equal(expected, RemedyClause.IsMatch(message));

    [Fact]
    public void Every_warning_and_suggestion_format_names_a_remedy_or_takes_it_from_its_last_argument()
    {
        Assert.NotEmpty(WarningsAndSuggestions);
        var missing = new List<string>();
        foreach (var descriptor in WarningsAndSuggestions)
        {
            var format = descriptor.MessageFormat.ToString();
            var rendered = string.Format(format, Enumerable.Range(0, 10).Select(i => (object)$"arg{i}").ToArray());
            if (RemedyClause.IsMatch(rendered))
                continue;
            var lastArgument = Regex.Matches(format, @"\{(\d+)\}").Select(m => int.Parse(m.Groups[1].Value)).DefaultIfEmpty(-1).Max();
            var endsInRemedyArgument = lastArgument >= 0 && format.EndsWith("{" + lastArgument + "}", StringComparison.Ordinal);
            if (!RemedyFromArgument.Contains(descriptor.Id) || !endsInRemedyArgument)
                missing.Add($"{descriptor.Id}: {format}");
        }
        Assert.True(missing.Count == 0, "Messages without a remedy:" + Environment.NewLine + string.Join(Environment.NewLine, missing));
    }

    [Fact]
    public void Rules_listed_as_taking_the_remedy_from_an_argument_exist_and_need_to()
    {
        foreach (var id in RemedyFromArgument)
        {
            var descriptors = WarningsAndSuggestions.Where(d => d.Id == id).ToList();
            Assert.True(descriptors.Count > 0, $"{id} is not a warning or suggestion of the analyzers");
            var rendered = descriptors.Select(d => string.Format(d.MessageFormat.ToString(), Enumerable.Range(0, 10).Select(i => (object)$"arg{i}").ToArray()));
            Assert.Contains(rendered, message => !RemedyClause.IsMatch(message));
        }
    }

    /// <summary>
    /// The messages as the analyzers fill them in, on the Showcase's wrong code (one file per rule): the
    /// arguments that carry the remedy are checked here, including every rule listed in <see cref="RemedyFromArgument"/>.
    /// </summary>
    [Fact]
    public async Task Every_message_on_the_showcase_names_a_remedy()
    {
        var folder = Path.Combine(TestReferences.RepositoryRoot, "samples", "Showcase");
        var trees = Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)
                     && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar))
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), path: f))
            .ToArray();
        var result = await AnalyzeAll.RunAsync(trees);
        var messages = result.Diagnostics
            .Where(d => d.Id.StartsWith("PGB", StringComparison.Ordinal) && d.Severity is DiagnosticSeverity.Warning or DiagnosticSeverity.Info)
            .ToList();

        var reported = messages.Select(d => d.Id).ToImmutableHashSet();
        Assert.Empty(RemedyFromArgument.Except(OptIn).Except(reported));
        var withoutRemedy = messages.Where(d => !RemedyClause.IsMatch(d.GetMessage())).Select(d => $"{d.Id}: {d.GetMessage()}").ToList();
        Assert.True(withoutRemedy.Count == 0, "Messages without a remedy:" + Environment.NewLine + string.Join(Environment.NewLine, withoutRemedy));
    }
}
