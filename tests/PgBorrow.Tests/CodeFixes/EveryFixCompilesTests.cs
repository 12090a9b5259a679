using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Tests.Infrastructure;
using Xunit;

namespace PgBorrow.Tests.CodeFixes;

/// <summary>
/// What holds for every code fix, on every case it has a test for and on the analyzer cases of the rules it
/// serves: each action it offers, and its Fix All in document and project scope, leave code with no compiler
/// error the input did not have, and take away the diagnostic it fixes. An instance with no action offered is
/// one the fix declines; in a code-fix case that must be on <see cref="s_declined"/>, with the reason.
/// </summary>
/// <remarks>
/// Every provider in the CodeFixes assembly is found by reflection, so a new fix is checked as soon as it
/// exists, and must come with a code-fix case it actually fixes.
/// </remarks>
public class EveryFixCompilesTests
{
    /// <summary>Code-fix cases where an instance gets no fix, on purpose.</summary>
    static readonly Dictionary<string, string> s_declined = new()
    {
        ["AddUsingCodeFixTests.No_fix_for_a_replication_connection_in_synchronous_code"] = "a replication connection has only DisposeAsync: 'using' does not compile in synchronous code",
        ["AddUsingCodeFixTests.No_fix_for_a_variable_assigned_again"] = "a using variable is read-only: assigned again, it cannot be declared with using",
        ["AwaitOneAfterAnotherCodeFixTests.No_fix_when_the_results_are_used"] = "the combined result is used: awaiting one after another would change its type",
        ["DisposeFieldCodeFixTests.A_type_that_is_not_disposable_gets_no_fix"] = "making a type disposable changes its contract with every user",
        ["DisposeFieldCodeFixTests.A_Dispose_bool_override_gets_no_fix"] = "Dispose(bool) is not a shape the fix adds to",
        ["MoveAwaitAfterCommitCodeFixTests.No_fix_when_the_result_is_used_inside_the_transaction"] = "moving the await after the commit would use its value before it exists",
        ["MoveAwaitAfterCommitCodeFixTests.No_fix_in_a_transaction_scope_body"] = "a scope body has no commit of its own to move after",
        ["MoveSideEffectAfterScopeCodeFixTests.No_fix_when_the_side_effect_uses_a_local_of_the_body_or_is_not_last"] = "the local would be out of scope after the scope, or a later statement would run first",
        ["ParameterizeSqlCodeFixTests.Fragments_values_inside_a_literal_and_mixed_literal_kinds_get_no_fix"] = "a fragment cannot be a parameter, a value inside a literal needs the whole literal as the parameter, and literals of two kinds cannot be merged",
        ["QuoteIdentifierCodeFixTests.Formatted_hole_gets_no_fix"] = "a format or alignment clause would apply to the quoted text",
        ["UnlockInFinallyCodeFixTests.Unlock_result_read_after_it_gets_no_fix"] = "the unlock's result is read after it, so it cannot move into finally",
        ["FixAllSkipsDeclinedInstancesTests.Pgb101_await_whose_result_is_used_is_left_and_the_unrelated_one_moves"] = "one of the two awaits has its value used inside the transaction",
        ["FixAllSkipsDeclinedInstancesTests.Pgb103_unlock_whose_result_is_read_is_left_and_the_other_moves_into_finally"] = "one of the two unlocks has its result read",
        ["FixAllSkipsDeclinedInstancesTests.Pgb104_WhenAll_whose_results_are_used_is_left_and_the_statement_becomes_sequential"] = "one of the two WhenAll results is used",
        ["FixAllSkipsDeclinedInstancesTests.Pgb201_text_returned_directly_is_left_and_the_local_command_is_parameterized"] = "a command that is returned has no statement to add parameters after",
    };

    [Fact]
    public async Task Every_fix_of_every_code_fix_case_compiles_and_takes_its_diagnostic_away()
    {
        Assert.NotEmpty(CodeFixCase.All);
        var results = await s_codeFixCaseResults.Value;
        var failures = results.SelectMany(r => r.Failures).ToList();

        var fixOfCase = CodeFixCase.All.ToDictionary(c => c.Name, c => c.Case.CodeFix.Name);
        foreach (var result in results)
        {
            // Only the case's own fix: another fix of the same rule declines the shapes it leaves to this one.
            var declined = result.Declined.Where(d => d.EndsWith($"({fixOfCase[result.Name]})", StringComparison.Ordinal)).ToList();
            var listed = s_declined.ContainsKey(result.Name);
            if (declined.Count > 0 && !listed)
                failures.Add($"{result.Name}: the fix declines {string.Join(", ", declined)}, and the case is not on the declined list");
            if (declined.Count == 0 && listed)
                failures.Add($"{result.Name}: on the declined list, but every instance gets a fix");
        }
        foreach (var name in s_declined.Keys.Where(name => results.All(r => r.Name != name)))
            failures.Add($"{name}: on the declined list, but there is no such code-fix case");

        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures));
    }

    [Fact]
    public async Task Every_fix_on_the_analyzer_cases_of_its_rules_compiles_and_takes_its_diagnostic_away()
    {
        var cases = AnalyzerCases();
        Assert.True(cases.Count > 20, $"only {cases.Count} analyzer cases found for the rules that have a fix");
        var results = await CheckAllAsync(cases);
        var failures = results.SelectMany(r => r.Failures).ToList();
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine + Environment.NewLine, failures));
        // The sweep must reach the fixes, not only run the analyzers.
        Assert.True(results.Sum(r => r.Fixed) > 20, $"only {results.Sum(r => r.Fixed)} fixes applied on the analyzer cases");
    }

    [Fact]
    public async Task Every_code_fix_provider_fixes_at_least_one_of_its_cases()
    {
        var results = await s_codeFixCaseResults.Value;
        var providers = FixHarness.Providers.Select(p => p.GetType().Name).ToList();
        Assert.True(providers.Count >= 9, "the CodeFixes assembly's providers were not found: " + string.Join(", ", providers));
        var untested = providers.Where(name => !results.Any(r => r.FixedBy.Contains(name))).ToList();
        Assert.True(untested.Count == 0, "no code-fix case is fixed by: " + string.Join(", ", untested));
    }

    /// <summary>The code-fix cases checked once for both tests that read them.</summary>
    static readonly Lazy<Task<List<CaseResult>>> s_codeFixCaseResults = new(() => CheckAllAsync(CodeFixCase.All.Select(c => (c.Name, c.Case.Source))));

    sealed record CaseResult(string Name, List<string> Failures, List<string> Declined, HashSet<string> FixedBy, int Fixed);

    static async Task<List<CaseResult>> CheckAllAsync(IEnumerable<(string Name, string Source)> cases)
    {
        // Two at a time: the machine running the suite is small, and each case compiles several times.
        using var gate = new SemaphoreSlim(Math.Max(2, Environment.ProcessorCount));
        var tasks = cases.Select(async c =>
        {
            await gate.WaitAsync();
            try
            {
                return await CheckAsync(c.Name, c.Source);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return (await Task.WhenAll(tasks)).OrderBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    static async Task<CaseResult> CheckAsync(string name, string markedSource)
    {
        var failures = new List<string>();
        var declined = new List<string>();
        var fixedBy = new HashSet<string>();
        var fixedCount = 0;
        var document = FixHarness.CreateDocument(CodeFixCase.WithoutMarkup(markedSource));
        var errors = await FixHarness.ErrorsAsync(document.Project);
        var diagnostics = await FixHarness.AnalyzeAsync(document.Project);

        foreach (var provider in FixHarness.Providers)
        {
            var fixName = provider.GetType().Name;
            foreach (var id in provider.FixableDiagnosticIds.Distinct())
            {
                var instances = diagnostics.Where(d => d.Id == id).ToList();
                string? equivalenceKey = null;
                var offered = 0;
                foreach (var diagnostic in instances)
                {
                    var actions = await FixHarness.ActionsAsync(provider, document, diagnostic);
                    if (actions.Count == 0)
                    {
                        declined.Add($"{id} at {Where(diagnostic)} ({fixName})");
                        continue;
                    }
                    offered++;
                    equivalenceKey ??= actions[0].EquivalenceKey;
                    foreach (var action in actions)
                    {
                        var what = $"{name}: {fixName} \"{action.Title}\" on {id} at {Where(diagnostic)}";
                        var outcome = await CheckOutcomeAsync(what, await FixHarness.ApplyAsync(action), document, errors, id, instances.Count - 1);
                        if (outcome is null)
                        {
                            fixedBy.Add(fixName);
                            fixedCount++;
                        }
                        else
                        {
                            failures.Add(outcome);
                        }
                    }
                }
                if (offered == 0)
                    continue;
                foreach (var scope in new[] { FixAllScope.Document, FixAllScope.Project })
                {
                    var what = $"{name}: {fixName} Fix All in {scope} on {id}";
                    var fixedSolution = await FixHarness.FixAllAsync(provider, document, scope, equivalenceKey, id, diagnostics);
                    var outcome = await CheckOutcomeAsync(what, fixedSolution, document, errors, id, instances.Count - offered);
                    if (outcome is not null)
                        failures.Add(outcome);
                }
            }
        }
        return new CaseResult(name, failures, declined, fixedBy, fixedCount);
    }

    /// <summary>Null when the fixed code has no new error and at most <paramref name="allowedLeft"/> diagnostics of <paramref name="id"/>; else the failure.</summary>
    static async Task<string?> CheckOutcomeAsync(string what, Solution? fixedSolution, Document original, List<string> errorsBefore, string id, int allowedLeft)
    {
        if (fixedSolution?.GetDocument(original.Id) is not Document fixedDocument)
            return what + ": the fix changed nothing";
        var code = (await fixedDocument.GetTextAsync()).ToString();
        if (code == (await original.GetTextAsync()).ToString())
            return what + ": the fix is offered but changes nothing";
        var newErrors = FixHarness.NewErrors(errorsBefore, await FixHarness.ErrorsAsync(fixedDocument.Project));
        var left = (await FixHarness.AnalyzeAsync(fixedDocument.Project)).Count(d => d.Id == id);
        if (newErrors.Count == 0 && left <= allowedLeft)
            return null;
        var problems = new List<string>();
        if (newErrors.Count > 0)
            problems.Add("new compiler errors:" + Environment.NewLine + "  " + string.Join(Environment.NewLine + "  ", newErrors));
        if (left > allowedLeft)
            problems.Add($"{left} {id} left, expected at most {allowedLeft}");
        return what + ": " + string.Join("; ", problems) + Environment.NewLine + "Resulting code:" + Environment.NewLine + code;
    }

    static string Where(Diagnostic diagnostic)
    {
        var line = diagnostic.Location.GetLineSpan().StartLinePosition;
        return $"({line.Line + 1},{line.Character + 1})";
    }

    /// <summary>
    /// The sources of the analyzer tests (tests/PgBorrow.Tests/Rules) that mention a rule some fix serves: the
    /// first argument of each <c>AnalyzerAsync</c> call, when it is a constant (a literal, or literals and
    /// constants joined with +).
    /// </summary>
    static List<(string Name, string Source)> AnalyzerCases()
    {
        var fixableIds = FixHarness.Providers.SelectMany(p => p.FixableDiagnosticIds).ToHashSet(StringComparer.Ordinal);
        var folder = Path.Combine(TestReferences.RepositoryRoot, "tests", "PgBorrow.Tests", "Rules");
        var trees = Directory.EnumerateFiles(folder, "*.cs")
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest), path: f))
            .ToList();
        var compilation = CSharpCompilation.Create("AnalyzerCases", trees, AnalyzeAll.References);
        var cases = new List<(string, string)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var tree in trees)
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var call in tree.GetRoot().DescendantNodes().OfType<InvocationExpressionSyntax>())
            {
                if (call.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "AnalyzerAsync" or "CodeFixAsync" } || call.ArgumentList.Arguments.Count == 0)
                    continue;
                if (!fixableIds.Any(id => call.ToString().Contains(id, StringComparison.Ordinal)))
                    continue;
                if (model.GetConstantValue(call.ArgumentList.Arguments[0].Expression).Value is not string source || !seen.Add(source))
                    continue;
                var method = call.FirstAncestorOrSelf<MethodDeclarationSyntax>()?.Identifier.ValueText ?? "?";
                var line = call.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                cases.Add(($"{Path.GetFileNameWithoutExtension(tree.FilePath)}.{method} (line {line})", source));
            }
        }
        return cases;
    }
}
