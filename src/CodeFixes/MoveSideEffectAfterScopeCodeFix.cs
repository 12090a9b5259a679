using System.Collections.Generic;
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
using Microsoft.CodeAnalysis.Text;
using PgBorrow.Analyzers;

namespace PgBorrow.CodeFixes;

/// <summary>
/// PGB108: moves a side effect that ends the body of an <c>InTransactionAsync</c> lambda to just after
/// the statement that awaits the scope, so it runs once, after the commit. Offered only when that keeps
/// the program's meaning: the side effect and every statement after it in the body are expression
/// statements (their values are not used), they use no local or parameter of the body (the body's
/// <c>CancellationToken</c> becomes the one passed to the scope, when it is a plain name), something is
/// left in the body, and the scope is awaited in a statement of its own.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(MoveSideEffectAfterScopeCodeFix)), Shared]
public sealed class MoveSideEffectAfterScopeCodeFix : SpanCodeFixProvider
{
    const string ActionTitle = "Move the side effect after the transaction scope";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SideEffectInRetriedBody);

    protected override string Title => ActionTitle;

    protected override bool NeedsSemanticModel => true;

    protected override bool CanFix(SyntaxNode root, SemanticModel? model, TextSpan span, CancellationToken cancellationToken)
        => model is not null && Target(root, model, span, cancellationToken) is not null;

    sealed record Plan(
        BlockSyntax Body,
        int First,
        StatementSyntax Scope,
        BlockSyntax Outer,
        IParameterSymbol? BodyToken,
        ExpressionSyntax? ScopeToken);

    static Plan? Target(SyntaxNode root, SemanticModel model, TextSpan span, CancellationToken cancellationToken)
    {
        var node = root.FindNode(span, getInnermostNodeForTie: true);
        if (node.FirstAncestorOrSelf<StatementSyntax>() is not ExpressionStatementSyntax statement
            || statement.Parent is not BlockSyntax body
            || body.Parent is not AnonymousFunctionExpressionSyntax lambda
            || lambda.Parent is not ArgumentSyntax { Parent: ArgumentListSyntax { Parent: InvocationExpressionSyntax call } })
            return null;

        // The side effect is the statement itself, not something nested in a bigger statement.
        var expression = statement.Expression is AwaitExpressionSyntax awaited ? awaited.Expression : statement.Expression;
        if (!expression.Span.Contains(span) || !IsOrConfigures(expression, span))
            return null;

        if (model.GetSymbolInfo(call, cancellationToken).Symbol is not IMethodSymbol { Name: "InTransactionAsync" } scopeMethod
            || scopeMethod.ContainingType?.ToDisplayString() != "PgBorrow.PgTransactionExtensions")
            return null;

        // `await x.InTransactionAsync(...)` (optionally `.ConfigureAwait(...)`) as a statement of a block.
        SyntaxNode awaitedCall = call;
        if (awaitedCall.Parent is MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Parent: InvocationExpressionSyntax configure })
            awaitedCall = configure;
        if (awaitedCall.Parent is not AwaitExpressionSyntax scopeAwait)
            return null;
        StatementSyntax? scopeStatement = scopeAwait.Parent switch
        {
            ExpressionStatementSyntax e => e,
            EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax { Parent: VariableDeclarationSyntax { Parent: LocalDeclarationStatementSyntax d } } } when d.UsingKeyword == default => d,
            _ => null,
        };
        if (scopeStatement?.Parent is not BlockSyntax outer)
            return null;

        var first = body.Statements.IndexOf(statement);
        if (first <= 0)
            return null; // nothing would be left in the body
        for (var i = first; i < body.Statements.Count; i++)
        {
            if (body.Statements[i] is not ExpressionStatementSyntax)
                return null;
        }

        // The body's CancellationToken parameter can be replaced by the token given to the scope.
        var lambdaSymbol = model.GetSymbolInfo(lambda, cancellationToken).Symbol as IMethodSymbol;
        var bodyToken = lambdaSymbol?.Parameters.LastOrDefault(p => p.Type.ToDisplayString() == "System.Threading.CancellationToken");
        var scopeToken = call.ArgumentList.Arguments
            .FirstOrDefault(a => model.GetOperation(a, cancellationToken) is Microsoft.CodeAnalysis.Operations.IArgumentOperation { Parameter.Name: "cancellationToken" })
            ?.Expression;
        if (scopeToken is not (IdentifierNameSyntax or MemberAccessExpressionSyntax { Expression: IdentifierNameSyntax or ThisExpressionSyntax }))
            scopeToken = null;

        for (var i = first; i < body.Statements.Count; i++)
        {
            foreach (var identifier in body.Statements[i].DescendantNodes().OfType<IdentifierNameSyntax>())
            {
                var symbol = model.GetSymbolInfo(identifier, cancellationToken).Symbol;
                if (symbol is not (ILocalSymbol or IParameterSymbol))
                    continue;
                if (!symbol.DeclaringSyntaxReferences.Any(r => lambda.Span.Contains(r.Span)))
                    continue; // declared outside the body: still in scope after it
                if (bodyToken is not null && SymbolEqualityComparer.Default.Equals(symbol, bodyToken) && scopeToken is not null)
                    continue;
                return null; // uses a local or parameter of the body
            }
        }
        return new Plan(body, first, scopeStatement, outer, bodyToken, scopeToken);
    }

    static bool IsOrConfigures(ExpressionSyntax expression, TextSpan span)
    {
        if (expression.Span == span)
            return true;
        return expression is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "ConfigureAwait", Expression: var inner } }
            && inner.Span == span;
    }

    protected override async Task<Document> FixAsync(Document document, TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || Target(root, model, span, cancellationToken) is not Plan plan)
            return document;

        var indentation = plan.Scope.GetLeadingTrivia().LastOrDefault(t => t.IsKind(SyntaxKind.WhitespaceTrivia));
        if (indentation == default)
            indentation = SyntaxFactory.Whitespace("");
        var moved = new List<StatementSyntax>();
        for (var i = plan.First; i < plan.Body.Statements.Count; i++)
        {
            var statement = plan.Body.Statements[i];
            if (plan.BodyToken is not null && plan.ScopeToken is not null)
            {
                var tokens = statement.DescendantNodes().OfType<IdentifierNameSyntax>()
                    .Where(id => SymbolEqualityComparer.Default.Equals(model.GetSymbolInfo(id, cancellationToken).Symbol, plan.BodyToken))
                    .ToList();
                statement = statement.ReplaceNodes(tokens, (original, _) => plan.ScopeToken.WithTriviaFrom(original));
            }
            var leading = statement.GetLeadingTrivia().Select(t => t.IsKind(SyntaxKind.WhitespaceTrivia) ? indentation : t);
            moved.Add(statement.WithLeadingTrivia(leading).WithAdditionalAnnotations(Formatter.Annotation));
        }

        var body = plan.Body.WithStatements(SyntaxFactory.List(plan.Body.Statements.Take(plan.First)));
        var scope = plan.Scope.ReplaceNode(plan.Body, body);
        var statements = plan.Outer.Statements;
        var index = statements.IndexOf(plan.Scope);
        statements = statements.Replace(plan.Scope, scope).InsertRange(index + 1, moved);
        return document.WithSyntaxRoot(root.ReplaceNode(plan.Outer, plan.Outer.WithStatements(statements)));
    }
}
