using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using PgBorrow.Analyzers;

namespace PgBorrow.CodeFixes;

/// <summary>
/// PGB104: <c>await Task.WhenAll(a.XAsync(), b.YAsync());</c> as a statement becomes
/// <c>await a.XAsync(); await b.YAsync();</c>. Offered only when the combined task's result is not
/// used and every argument is a call written in place, so running them in order keeps the meaning.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AwaitOneAfterAnotherCodeFix)), Shared]
public sealed class AwaitOneAfterAnotherCodeFix : SpanCodeFixProvider
{
    const string ActionTitle = "Await the operations one after another";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.ConnectionUsedConcurrently);

    protected override string Title => ActionTitle;

    protected override bool CanFix(SyntaxNode root, SemanticModel? model, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
        => Target(root, span) is not null;


    /// <summary>The `await Task.WhenAll(call, call, ...);` statement, when the fix applies.</summary>
    static ExpressionStatementSyntax? Target(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span)
    {
        if (root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>() is not InvocationExpressionSyntax combinator)
            return null;
        if (combinator.Expression is not MemberAccessExpressionSyntax { Name.Identifier.ValueText: "WhenAll" })
            return null;
        if (combinator.Parent is not AwaitExpressionSyntax { Parent: ExpressionStatementSyntax statement } || statement.Parent is not BlockSyntax)
            return null;
        if (combinator.ArgumentList.Arguments.Count < 2)
            return null;
        foreach (var argument in combinator.ArgumentList.Arguments)
        {
            if (argument.NameColon is not null || argument.Expression is not InvocationExpressionSyntax)
                return null;
        }
        return statement;
    }

    protected override async Task<Document> FixAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || Target(root, span) is not ExpressionStatementSyntax statement)
            return document;
        var combinator = (InvocationExpressionSyntax)((AwaitExpressionSyntax)statement.Expression).Expression;
        var leading = statement.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia));
        var awaits = combinator.ArgumentList.Arguments
            .Select((argument, index) => (StatementSyntax)SyntaxFactory.ExpressionStatement(
                    SyntaxFactory.AwaitExpression(argument.Expression.WithoutTrivia()))
                .WithLeadingTrivia(index == 0 ? statement.GetLeadingTrivia() : SyntaxFactory.TriviaList(leading))
                .WithTrailingTrivia(statement.GetTrailingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation))
            .ToList();
        var block = (BlockSyntax)statement.Parent!;
        var index = block.Statements.IndexOf(statement);
        var statements = block.Statements.RemoveAt(index).InsertRange(index, awaits);
        return document.WithSyntaxRoot(root.ReplaceNode(block, block.WithStatements(statements)));
    }
}
