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
/// PGB101, PGB102: moves the unrelated await to just after the commit of the same block, so the
/// transaction ends (and its locks go) before the wait. Offered only when that keeps the program's
/// meaning: the await is its own statement, and the value it produces (if it declares one) is not
/// used before the commit. Otherwise no fix is offered, and never in the body of a runtime
/// transaction scope (InTransactionAsync, [PgTransaction]), which has no commit of its own: the scope
/// commits after the body returns.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MoveAwaitAfterCommitCodeFix)), Shared]
public sealed class MoveAwaitAfterCommitCodeFix : SpanCodeFixProvider
{
    const string ActionTitle = "Move the await after the commit";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        RuleIdentifiers.LocksHeldAcrossAwait, RuleIdentifiers.TransactionHeldAcrossAwait);

    protected override string Title => ActionTitle;

    protected override bool CanFix(SyntaxNode root, SemanticModel? model, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
        => Target(root, span) is not null;


    static (BlockSyntax Block, int Await, int Commit)? Target(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span)
    {
        if (root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<AwaitExpressionSyntax>() is not AwaitExpressionSyntax awaited)
            return null;
        var statement = awaited.Parent switch
        {
            ExpressionStatementSyntax expression => (StatementSyntax)expression,
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Variables.Count: 1, Parent: LocalDeclarationStatementSyntax declaration } } }
                when declaration.UsingKeyword == default => declaration,
            _ => null,
        };
        if (statement?.Parent is not BlockSyntax block)
            return null;
        if (InScopeBody(block))
            return null;
        var awaitIndex = block.Statements.IndexOf(statement);
        var declared = statement is LocalDeclarationStatementSyntax local ? local.Declaration.Variables[0].Identifier.ValueText : null;
        for (var i = awaitIndex + 1; i < block.Statements.Count; i++)
        {
            var candidate = block.Statements[i];
            if (declared is not null && candidate.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => n.Identifier.ValueText == declared))
                return null; // the value is used inside the transaction
            if (candidate.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Any(m => m.Name.Identifier.ValueText is "Commit" or "CommitAsync"))
                return (block, awaitIndex, i);
        }
        return null;
    }

    /// <summary>
    /// The innermost function around the await is a transaction scope body: a lambda passed to
    /// InTransactionAsync, or a function that takes a PgTx.
    /// </summary>
    static bool InScopeBody(SyntaxNode node)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    if (lambda.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } }
                        && call.Expression is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "InTransactionAsync" } or IdentifierNameSyntax { Identifier.ValueText: "InTransactionAsync" })
                        return true;
                    return lambda is ParenthesizedLambdaExpressionSyntax { ParameterList: var lambdaParameters } && TakesPgTx(lambdaParameters)
                        || lambda is AnonymousMethodExpressionSyntax { ParameterList: ParameterListSyntax anonymousParameters } && TakesPgTx(anonymousParameters);
                case LocalFunctionStatementSyntax local:
                    return TakesPgTx(local.ParameterList);
                case BaseMethodDeclarationSyntax method:
                    return TakesPgTx(method.ParameterList);
            }
        }
        return false;
    }

    static bool TakesPgTx(ParameterListSyntax parameters)
        => parameters.Parameters.Any(p => p.Type is IdentifierNameSyntax { Identifier.ValueText: "PgTx" } or QualifiedNameSyntax { Right.Identifier.ValueText: "PgTx" });

    protected override async Task<Document> FixAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || Target(root, span) is not (BlockSyntax block, int awaitIndex, int commitIndex))
            return document;
        var moved = block.Statements[awaitIndex].WithAdditionalAnnotations(Formatter.Annotation);
        var statements = block.Statements.RemoveAt(awaitIndex);
        statements = statements.Insert(commitIndex, moved); // the commit moved up by one
        return document.WithSyntaxRoot(root.ReplaceNode(block, block.WithStatements(statements)));
    }
}
