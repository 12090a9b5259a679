using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using PgBorrow.Analyzers;

namespace PgBorrow.CodeFixes;

/// <summary>
/// PGB010: dispose the owned member at the end of the type's own <c>DisposeAsync</c> (when it is an <c>async</c>
/// method with a block body: <c>if (_x is not null) await _x.DisposeAsync();</c>) or <c>Dispose()</c> (a block
/// body: <c>_x?.Dispose();</c>). A type with neither, or whose dispose method is not one of those shapes, gets no
/// fix: making a type disposable changes its contract with every user, which a fix should not decide.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(DisposeFieldCodeFix)), Shared]
public sealed class DisposeFieldCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.OwnedFieldNeverReleased);

    public override FixAllProvider GetFixAllProvider() => FixableInstancesFixAllProvider.Instance;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var token = root.FindToken(diagnostic.Location.SourceSpan.Start);
            if (token.Parent is not (VariableDeclaratorSyntax or PropertyDeclarationSyntax) || token.Parent.FirstAncestorOrSelf<TypeDeclarationSyntax>() is not TypeDeclarationSyntax type)
                continue;
            if (DisposeMethod(type) is not (MethodDeclarationSyntax method, bool isAsync))
                continue;
            var name = token.ValueText;
            var title = $"Dispose '{name}' in '{method.Identifier.ValueText}'";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => AddDisposalAsync(context.Document, method, name, isAsync, ct), equivalenceKey: "DisposeOwnedField"),
                diagnostic);
        }
    }

    /// <summary>An <c>async</c> <c>DisposeAsync()</c> with a block body, else a <c>Dispose()</c> with a block body.</summary>
    static (MethodDeclarationSyntax Method, bool IsAsync)? DisposeMethod(TypeDeclarationSyntax type)
    {
        var methods = type.Members.OfType<MethodDeclarationSyntax>().Where(m => m.ParameterList.Parameters.Count == 0 && m.Body is not null).ToList();
        var asyncDispose = methods.FirstOrDefault(m => m.Identifier.ValueText == "DisposeAsync" && m.Modifiers.Any(SyntaxKind.AsyncKeyword));
        if (asyncDispose is not null)
            return (asyncDispose, true);
        if (methods.Exists(m => m.Identifier.ValueText == "DisposeAsync"))
            return null; // a DisposeAsync that is not async: adding an await there would not compile
        var dispose = methods.FirstOrDefault(m => m.Identifier.ValueText == "Dispose");
        return dispose is null ? null : (dispose, false);
    }

    static async Task<Document> AddDisposalAsync(Document document, MethodDeclarationSyntax method, string name, bool isAsync, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
            return document;
        var current = root.FindNode(method.Span) as MethodDeclarationSyntax ?? method;
        if (current.Body is null)
            return document;
        var statement = isAsync
            ? SyntaxFactory.ParseStatement($"if ({name} is not null) await {name}.DisposeAsync();")
            : SyntaxFactory.ParseStatement($"{name}?.Dispose();");
        var body = current.Body.AddStatements(statement.WithAdditionalAnnotations(Formatter.Annotation));
        return document.WithSyntaxRoot(root.ReplaceNode(current, current.WithBody(body)));
    }
}
