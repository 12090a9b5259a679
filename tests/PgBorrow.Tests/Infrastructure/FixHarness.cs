using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Tests.Infrastructure;

/// <summary>
/// Applies code fixes the way an editor or <c>dotnet format</c> does, outside the verifier: a workspace
/// document, every PgBorrow analyzer, the actions a fix offers, and its Fix All in a chosen scope.
/// </summary>
internal static class FixHarness
{
    static readonly ImmutableArray<DiagnosticAnalyzer> s_analyzers = VerifyAllRules.CreateAnalyzers().ToImmutableArray();

    /// <summary>Every code fix provider the CodeFixes assembly ships.</summary>
    public static IReadOnlyList<CodeFixProvider> Providers { get; } =
        typeof(PgBorrow.CodeFixes.SpanCodeFixProvider).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(CodeFixProvider).IsAssignableFrom(t))
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .Select(t => (CodeFixProvider)Activator.CreateInstance(t)!)
            .ToList();

    /// <summary>A document holding <paramref name="sources"/> (one file each) in a fresh single-project workspace; the first file's document.</summary>
    public static Document CreateDocument(params string[] sources)
    {
        var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(
            projectId, VersionStamp.Default, "Fixed", "Fixed", LanguageNames.CSharp,
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable),
            parseOptions: new CSharpParseOptions(LanguageVersion.Latest),
            metadataReferences: AnalyzeAll.References));
        var ids = new List<DocumentId>();
        for (var i = 0; i < sources.Length; i++)
        {
            var id = DocumentId.CreateNewId(projectId);
            ids.Add(id);
            solution = solution.AddDocument(id, $"Test{i}.cs", sources[i], filePath: $"/src/Test{i}.cs");
        }
        return solution.GetDocument(ids[0])!;
    }

    /// <summary>The PgBorrow diagnostics of the whole project, in file and position order.</summary>
    public static async Task<ImmutableArray<Diagnostic>> AnalyzeAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        var diagnostics = await compilation.WithAnalyzers(s_analyzers).GetAnalyzerDiagnosticsAsync();
        return diagnostics
            .Where(d => d.Location.IsInSource)
            .OrderBy(d => d.Location.SourceTree!.FilePath, StringComparer.Ordinal)
            .ThenBy(d => d.Location.SourceSpan.Start)
            .ThenBy(d => d.Id, StringComparer.Ordinal)
            .ToImmutableArray();
    }

    /// <summary>The compiler's errors, as "CSnnnn: message" (no positions: a fix moves code).</summary>
    public static async Task<List<string>> ErrorsAsync(Project project)
    {
        var compilation = (await project.GetCompilationAsync())!;
        return compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d => d.Id + ": " + d.GetMessage())
            .OrderBy(e => e, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The errors of <paramref name="after"/> that <paramref name="before"/> does not have (as a multiset).</summary>
    public static List<string> NewErrors(IEnumerable<string> before, IEnumerable<string> after)
    {
        var remaining = before.ToList();
        var added = new List<string>();
        foreach (var error in after)
        {
            if (!remaining.Remove(error))
                added.Add(error);
        }
        return added;
    }

    public static async Task<List<CodeAction>> ActionsAsync(CodeFixProvider provider, Document document, Diagnostic diagnostic)
    {
        var actions = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => actions.Add(action), CancellationToken.None);
        await provider.RegisterCodeFixesAsync(context);
        return actions;
    }

    /// <summary>The solution an action leaves, or null when it changes nothing.</summary>
    public static async Task<Solution?> ApplyAsync(CodeAction? action)
    {
        if (action is null)
            return null;
        foreach (var operation in await action.GetOperationsAsync(CancellationToken.None))
        {
            if (operation is ApplyChangesOperation apply)
                return apply.ChangedSolution;
        }
        return null;
    }

    /// <summary>
    /// Runs the provider's Fix All for <paramref name="diagnosticId"/> in <paramref name="scope"/>, started from
    /// <paramref name="document"/> with <paramref name="equivalenceKey"/> (null, as <c>dotnet format</c> passes
    /// when the first instance it finds has no fix). The diagnostics are those computed before, as a command-line run has them.
    /// </summary>
    public static async Task<Solution?> FixAllAsync(
        CodeFixProvider provider, Document document, FixAllScope scope, string? equivalenceKey, string diagnosticId, ImmutableArray<Diagnostic> diagnostics)
    {
        var fixAll = provider.GetFixAllProvider();
        if (fixAll is null || !fixAll.GetSupportedFixAllScopes().Contains(scope))
            return null;
        var context = scope == FixAllScope.Document
            ? new FixAllContext(document, provider, scope, equivalenceKey!, new[] { diagnosticId }, new KnownDiagnostics(diagnostics), CancellationToken.None)
            : new FixAllContext(document.Project, provider, scope, equivalenceKey!, new[] { diagnosticId }, new KnownDiagnostics(diagnostics), CancellationToken.None);
        return await ApplyAsync(await fixAll.GetFixAsync(context));
    }

    /// <summary>Diagnostics computed once, handed to Fix All by document or by project.</summary>
    sealed class KnownDiagnostics : FixAllContext.DiagnosticProvider
    {
        readonly ImmutableArray<Diagnostic> _diagnostics;

        public KnownDiagnostics(ImmutableArray<Diagnostic> diagnostics) => _diagnostics = diagnostics;

        public override async Task<IEnumerable<Diagnostic>> GetDocumentDiagnosticsAsync(Document document, CancellationToken cancellationToken)
        {
            var tree = await document.GetSyntaxTreeAsync(cancellationToken);
            return _diagnostics.Where(d => d.Location.SourceTree == tree);
        }

        public override Task<IEnumerable<Diagnostic>> GetProjectDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult(Enumerable.Empty<Diagnostic>());

        public override Task<IEnumerable<Diagnostic>> GetAllDiagnosticsAsync(Project project, CancellationToken cancellationToken)
            => Task.FromResult<IEnumerable<Diagnostic>>(_diagnostics.Where(d => project.GetDocument(d.Location.SourceTree) is not null));
    }
}
