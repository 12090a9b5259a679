using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace PgBorrow.CodeFixes;

/// <summary>
/// Fix All for every PgBorrow fix: fixes each instance the fix accepts, one after another in each
/// document, and skips the instances it declines.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="WellKnownFixAllProviders.BatchFixer"/> keeps only the actions whose equivalence key is the one
/// Fix All was started with. <c>dotnet format analyzers</c> takes that key from the first instance it finds;
/// when the fix declines that instance the key is null, no action matches it, and the command fixes nothing
/// ("didn't return a Fix All action"). Here a null key takes the action each instance is offered.
/// </para>
/// <para>
/// The batch fixer also computes every fix against the original document and merges the text changes,
/// dropping those that overlap; two fixes that rewrite the same block lose one. Here each fix runs on the
/// document the previous one left, with every remaining instance found again through a tracked node.
/// </para>
/// </remarks>
internal sealed class FixableInstancesFixAllProvider : DocumentBasedFixAllProvider
{
    public static FixableInstancesFixAllProvider Instance { get; } = new();

    FixableInstancesFixAllProvider()
        : base(ImmutableArray.Create(FixAllScope.Document, FixAllScope.Project, FixAllScope.Solution))
    {
    }

    protected override async Task<Document?> FixAllAsync(FixAllContext fixAllContext, Document document, ImmutableArray<Diagnostic> diagnostics)
    {
        var cancellationToken = fixAllContext.CancellationToken;
        var tree = await document.GetSyntaxTreeAsync(cancellationToken).ConfigureAwait(false);
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var text = await document.GetTextAsync(cancellationToken).ConfigureAwait(false);
        if (tree is null || root is null)
            return null;

        // Diagnostics of an older version of the document (another fix changed it since they were computed,
        // as when dotnet format runs two fixes of one rule) point at text that is no longer there: skip them
        // rather than fix the wrong code. A tree parsed again from the same text is the same document.
        bool OfThisText(Diagnostic diagnostic)
            => diagnostic.Location.SourceTree is SyntaxTree source
                && (source == tree || source.FilePath == tree.FilePath && source.GetText(cancellationToken).ContentEquals(text))
                && root.FullSpan.Contains(diagnostic.Location.SourceSpan);
        var instances = diagnostics
            .Where(OfThisText)
            .OrderBy(d => d.Location.SourceSpan.Start)
            .Select(d => (Diagnostic: d, Anchor: root.FindNode(d.Location.SourceSpan, getInnermostNodeForTie: true)))
            .ToList();
        if (instances.Count == 0)
            return null;

        var current = document.WithSyntaxRoot(root.TrackNodes(instances.Select(i => i.Anchor)));
        var changed = false;
        foreach (var (diagnostic, anchor) in instances)
        {
            var located = await LocateAsync(current, diagnostic, anchor, cancellationToken).ConfigureAwait(false);
            if (located is null)
                continue; // rewritten by the fix of an earlier instance
            var action = await ActionForAsync(fixAllContext, current, located).ConfigureAwait(false);
            if (action is null)
                continue; // an instance the fix declines
            foreach (var operation in await action.GetOperationsAsync(cancellationToken).ConfigureAwait(false))
            {
                if (operation is ApplyChangesOperation apply && apply.ChangedSolution.GetDocument(current.Id) is Document fixedDocument)
                {
                    current = fixedDocument;
                    changed = true;
                }
            }
        }
        return changed ? current : null;
    }

    /// <summary>
    /// The diagnostic moved to where its node is now: at the same offset from the node's start, when the
    /// node's text is unchanged, or on the node itself when the diagnostic covered exactly the node.
    /// </summary>
    static async Task<Diagnostic?> LocateAsync(Document document, Diagnostic diagnostic, SyntaxNode anchor, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root?.GetCurrentNode(anchor) is not SyntaxNode node)
            return null;
        var original = diagnostic.Location.SourceSpan;
        TextSpan span;
        if (node.ToString() == anchor.ToString())
            span = new TextSpan(node.SpanStart + (original.Start - anchor.SpanStart), original.Length);
        else if (original == anchor.Span)
            span = node.Span;
        else
            return null;
        if (span == original && diagnostic.Location.SourceTree == root.SyntaxTree)
            return diagnostic;
        return Diagnostic.Create(
            diagnostic.Descriptor,
            Location.Create(root.SyntaxTree, span),
            diagnostic.Severity,
            additionalLocations: null,
            diagnostic.Properties,
            messageArgs: null);
    }

    /// <summary>The action the fix offers for the instance, with the equivalence key Fix All started with (any, when it has none).</summary>
    static async Task<CodeAction?> ActionForAsync(FixAllContext fixAllContext, Document document, Diagnostic diagnostic)
    {
        var offered = new List<CodeAction>();
        var context = new CodeFixContext(document, diagnostic, (action, _) => offered.Add(action), fixAllContext.CancellationToken);
        await fixAllContext.CodeFixProvider.RegisterCodeFixesAsync(context).ConfigureAwait(false);
        var key = fixAllContext.CodeActionEquivalenceKey;
        return offered.FirstOrDefault(action => key is null || action.EquivalenceKey == key);
    }
}
