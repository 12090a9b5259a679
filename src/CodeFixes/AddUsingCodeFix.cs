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
/// PGB001, PGB002, PGB006, PGB007, and PGB103 for a <c>PgAdvisoryLock</c> guard: declare the value
/// with <c>using</c> (or <c>await using</c> in async code), so it is disposed, and a transaction rolled
/// back, on every path that leaves the block, exception paths included. (PGB103 on a raw
/// <c>pg_advisory_lock</c> statement is not on a declaration: no fix from here.)
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(AddUsingCodeFix)), Shared]
public sealed class AddUsingCodeFix : CodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(
        RuleIdentifiers.TransactionMayBeLeftOpen,
        RuleIdentifiers.TransactionNotRolledBackOnException,
        RuleIdentifiers.ConnectionNotDisposed,
        RuleIdentifiers.DataReaderLeftOpen,
        RuleIdentifiers.SessionAdvisoryLockNotReleased);

    /// <summary>One key for 'using' and 'await using': Fix All declares each value the way its own code needs.</summary>
    const string EquivalenceKey = "DeclareWithUsing";

    public override FixAllProvider GetFixAllProvider() => FixableInstancesFixAllProvider.Instance;

    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        var root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
            return;
        foreach (var diagnostic in context.Diagnostics)
        {
            // The caller's connection, opened here: it needs a Close in 'finally', not a using that disposes it.
            if (diagnostic.Properties.ContainsKey("OpenedHere"))
                continue;
            var statement = FixableDeclaration(root, diagnostic.Location.SourceSpan.Start);
            if (statement is null)
                continue;
            var isAsync = IsInAsyncCode(statement);
            // A replication connection has only DisposeAsync: 'using' would not compile in synchronous code.
            if (!isAsync && diagnostic.Properties.ContainsKey("OnlyAsyncDisposable"))
                continue;
            var title = isAsync ? "Declare with 'await using'" : "Declare with 'using'";
            context.RegisterCodeFix(
                CodeAction.Create(title, ct => AddUsingAsync(context.Document, diagnostic.Location, ct), equivalenceKey: EquivalenceKey),
                diagnostic);
        }
    }

    /// <summary>A plain `var x = ...;` local declaration of one variable, named by the diagnostic.</summary>
    static LocalDeclarationStatementSyntax? FixableDeclaration(SyntaxNode root, int position)
    {
        var token = root.FindToken(position);
        if (token.Parent is not VariableDeclaratorSyntax { Initializer: not null } declarator)
            return null;
        if (declarator.Parent is not VariableDeclarationSyntax { Variables.Count: 1 } declaration)
            return null;
        if (declaration.Parent is not LocalDeclarationStatementSyntax statement || statement.UsingKeyword != default)
            return null;
        // A using declaration must sit directly in a block or switch section.
        if (statement.Parent is not (BlockSyntax or SwitchSectionSyntax))
            return null;
        // A using variable is read-only: no fix when the value starts as null and is assigned later,
        // or is assigned again anywhere in the block.
        if (declarator.Initializer.Value.IsKind(SyntaxKind.NullLiteralExpression) || declarator.Initializer.Value.IsKind(SyntaxKind.DefaultLiteralExpression))
            return null;
        var name = declarator.Identifier.ValueText;
        foreach (var assignment in statement.Parent.DescendantNodes().OfType<AssignmentExpressionSyntax>())
        {
            if (assignment.Left is IdentifierNameSyntax target && target.Identifier.ValueText == name)
                return null;
        }
        return statement;
    }

    static async Task<Document> AddUsingAsync(Document document, Location location, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null)
            return document;
        var statement = FixableDeclaration(root, location.SourceSpan.Start);
        if (statement is null)
            return document;

        var leading = statement.GetLeadingTrivia();
        var updated = statement.WithoutLeadingTrivia()
            .WithUsingKeyword(SyntaxFactory.Token(SyntaxKind.UsingKeyword).WithTrailingTrivia(SyntaxFactory.Space));
        if (IsInAsyncCode(statement))
            updated = updated.WithAwaitKeyword(SyntaxFactory.Token(SyntaxKind.AwaitKeyword).WithTrailingTrivia(SyntaxFactory.Space));
        updated = updated.WithLeadingTrivia(leading).WithAdditionalAnnotations(Formatter.Annotation);
        return document.WithSyntaxRoot(root.ReplaceNode(statement, updated));
    }

    internal static bool IsInAsyncCode(SyntaxNode node)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax lambda:
                    return lambda.AsyncKeyword != default;
                case LocalFunctionStatementSyntax localFunction:
                    return localFunction.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case MethodDeclarationSyntax method:
                    return method.Modifiers.Any(SyntaxKind.AsyncKeyword);
                case AccessorDeclarationSyntax or ConstructorDeclarationSyntax or OperatorDeclarationSyntax:
                    return false;
            }
        }
        return false;
    }
}
