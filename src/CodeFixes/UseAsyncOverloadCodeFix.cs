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
using PgBorrow.Analyzers;
using PgBorrow.Analyzers.Rules;

namespace PgBorrow.CodeFixes;

/// <summary>
/// PGB005: call the async overload and await it, passing the CancellationToken in scope when the
/// overload takes one; or turn a sync <c>using</c> into <c>await using</c>.
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UseAsyncOverloadCodeFix)), Shared]
public sealed class UseAsyncOverloadCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.BlockingCallInAsync);

    /// <summary>One key for both actions, so Fix All (and <c>dotnet format</c>) takes every blocking call the fix can change.</summary>
    const string EquivalenceKey = "UseAsync";

    public override FixAllProvider GetFixAllProvider() => FixableInstancesFixAllProvider.Instance;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            var node = root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true);
            if (diagnostic.Properties.TryGetValue(BlockingCallInAsyncAnalyzer.AsyncNameProperty, out var asyncName) && asyncName is not null)
            {
                var invocation = node.FirstAncestorOrSelf<InvocationExpressionSyntax>();
                if (invocation?.Expression is not MemberAccessExpressionSyntax)
                    continue;
                var title = $"Use '{asyncName}' and await it";
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => UseAsyncOverloadAsync(context.Document, invocation.Span, asyncName, ct), equivalenceKey: EquivalenceKey),
                    diagnostic);
            }
            else if (diagnostic.Properties.ContainsKey(BlockingCallInAsyncAnalyzer.AwaitUsingProperty))
            {
                // Only where the declared type has DisposeAsync ('IDbConnection' has none).
                const string title = "Use 'await using'";
                context.RegisterCodeFix(
                    CodeAction.Create(title, ct => AwaitUsingAsync(context.Document, diagnostic.Location.SourceSpan, ct), equivalenceKey: EquivalenceKey),
                    diagnostic);
            }
        }
    }

    static async Task<Document> UseAsyncOverloadAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, string asyncName, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
            return document;
        var invocation = root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<InvocationExpressionSyntax>();
        if (invocation?.Expression is not MemberAccessExpressionSyntax memberAccess)
            return document;

        var arguments = invocation.ArgumentList;
        if (TakesCancellationToken(model, memberAccess, asyncName, arguments.Arguments.Count, cancellationToken)
            && TokenInScope(model, invocation, cancellationToken) is string token)
        {
            arguments = arguments.AddArguments(SyntaxFactory.Argument(SyntaxFactory.IdentifierName(token)));
        }

        // Read<long>() becomes ReadAsync<long>(): the type arguments cannot be inferred from a token.
        SimpleNameSyntax asyncMethod = memberAccess.Name is GenericNameSyntax generic
            ? SyntaxFactory.GenericName(SyntaxFactory.Identifier(asyncName), generic.TypeArgumentList)
            : SyntaxFactory.IdentifierName(asyncName);
        var asyncCall = invocation
            .WithExpression(memberAccess.WithName(asyncMethod))
            .WithArgumentList(arguments)
            .WithoutTrivia();
        ExpressionSyntax awaited = SyntaxFactory.AwaitExpression(asyncCall);
        if (invocation.Parent is MemberAccessExpressionSyntax or ConditionalAccessExpressionSyntax or ElementAccessExpressionSyntax or PostfixUnaryExpressionSyntax or InvocationExpressionSyntax)
            awaited = SyntaxFactory.ParenthesizedExpression(awaited);
        awaited = awaited.WithTriviaFrom(invocation);
        return document.WithSyntaxRoot(root.ReplaceNode(invocation, awaited));
    }

    /// <summary>Whether an overload named <paramref name="asyncName"/> takes the same arguments plus a CancellationToken.</summary>
    static bool TakesCancellationToken(SemanticModel model, MemberAccessExpressionSyntax memberAccess, string asyncName, int argumentCount, CancellationToken cancellationToken)
    {
        var receiverType = model.GetTypeInfo(memberAccess.Expression, cancellationToken).Type;
        for (var type = receiverType; type is not null; type = type.BaseType)
        {
            foreach (var method in type.GetMembers(asyncName).OfType<IMethodSymbol>())
            {
                if (method.Parameters.Length == argumentCount + 1
                    && method.Parameters[argumentCount].Type.ToDisplayString() == "System.Threading.CancellationToken")
                    return true;
            }
        }
        return false;
    }

    /// <summary>The name of a CancellationToken parameter or local visible at the call, parameters first.</summary>
    static string? TokenInScope(SemanticModel model, SyntaxNode node, CancellationToken cancellationToken)
    {
        string? local = null;
        foreach (var symbol in model.LookupSymbols(node.SpanStart))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var type = symbol switch
            {
                IParameterSymbol parameter => parameter.Type,
                ILocalSymbol l => l.Type,
                _ => null,
            };
            if (type?.ToDisplayString() != "System.Threading.CancellationToken")
                continue;
            if (symbol is IParameterSymbol)
                return symbol.Name;
            local ??= symbol.Name;
        }
        return local;
    }

    static async Task<Document> AwaitUsingAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
            return document;
        var token = root.FindToken(span.Start);
        var awaitKeyword = SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space);
        switch (token.Parent)
        {
            case LocalDeclarationStatementSyntax declaration when declaration.AwaitKeyword == default:
                var leading = declaration.GetLeadingTrivia();
                return document.WithSyntaxRoot(root.ReplaceNode(declaration,
                    declaration.WithoutLeadingTrivia().WithAwaitKeyword(awaitKeyword).WithLeadingTrivia(leading)));
            case UsingStatementSyntax statement when statement.AwaitKeyword == default:
                var statementLeading = statement.GetLeadingTrivia();
                return document.WithSyntaxRoot(root.ReplaceNode(statement,
                    statement.WithoutLeadingTrivia().WithAwaitKeyword(awaitKeyword).WithLeadingTrivia(statementLeading)));
        }
        return document;
    }
}
