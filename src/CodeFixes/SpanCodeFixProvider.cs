using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Text;

namespace PgBorrow.CodeFixes;

/// <summary>
/// The shape shared by the fixes that offer one action per diagnostic: decide from the diagnostic's
/// span whether the fix applies, then rewrite the document from that span. Fix All fixes each instance the fix accepts.
/// </summary>
public abstract class SpanCodeFixProvider : CodeFixProvider
{
    /// <summary>The action's title, also its equivalence key (so Fix All takes every instance).</summary>
    protected abstract string Title { get; }

    /// <summary>Whether <see cref="CanFix"/> needs the semantic model (it costs a bind).</summary>
    protected virtual bool NeedsSemanticModel => false;

    public sealed override FixAllProvider GetFixAllProvider() => FixableInstancesFixAllProvider.Instance;

    public sealed override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
            return;
        var model = NeedsSemanticModel ? await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false) : null;
        foreach (var diagnostic in context.Diagnostics)
        {
            var span = diagnostic.Location.SourceSpan;
            if (!CanFix(root, model, span, context.CancellationToken))
                continue;
            var document = context.Document;
            context.RegisterCodeFix(
                CodeAction.Create(Title, ct => FixAsync(document, span, ct), equivalenceKey: Title),
                diagnostic);
        }
    }

    protected abstract bool CanFix(SyntaxNode root, SemanticModel? model, TextSpan span, CancellationToken cancellationToken);

    protected abstract Task<Document> FixAsync(Document document, TextSpan span, CancellationToken cancellationToken);
}
