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
using PgBorrow.Analyzers;

namespace PgBorrow.CodeFixes;

/// <summary>
/// PGB103: wraps the work between the lock statement and the unlock statement of the same block in
/// <c>try { ... } finally { unlock }</c>, so the session lock is released on exception paths too.
/// Offered when the unlock follows the lock in the same block and no local declared in between is
/// used after the unlock (it would fall out of scope).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnlockInFinallyCodeFix)), Shared]
public sealed class UnlockInFinallyCodeFix : SpanCodeFixProvider
{
    const string ActionTitle = "Release the lock in a finally block";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SessionAdvisoryLockNotReleased);

    protected override string Title => ActionTitle;

    protected override bool CanFix(SyntaxNode root, SemanticModel? model, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
        => Target(root, span) is not null;


    static (BlockSyntax Block, int Lock, int Unlock)? Target(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span)
    {
        var lockStatement = root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<StatementSyntax>();
        if (lockStatement?.Parent is not BlockSyntax block)
            return null;
        var method = block.FirstAncestorOrSelf<MemberDeclarationSyntax>();
        var lockIndex = block.Statements.IndexOf(lockStatement);
        for (var i = lockIndex + 1; i < block.Statements.Count; i++)
        {
            if (!IsUnlock(block.Statements[i], method))
                continue;
            if (i == lockIndex + 1)
                return null; // nothing in between to protect
            var declared = new HashSet<string>();
            for (var j = lockIndex + 1; j < i; j++)
            {
                if (block.Statements[j] is LocalDeclarationStatementSyntax declaration)
                {
                    foreach (var variable in declaration.Declaration.Variables)
                        declared.Add(variable.Identifier.ValueText);
                }
            }
            for (var j = i + 1; j < block.Statements.Count; j++)
            {
                if (block.Statements[j].DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => declared.Contains(n.Identifier.ValueText)))
                    return null;
            }
            return (block, lockIndex, i);
        }
        return null;
    }

    /// <summary>A statement that runs pg_advisory_unlock*: in its own text, or through a command declared with it.</summary>
    static bool IsUnlock(StatementSyntax statement, SyntaxNode? method)
    {
        if (statement.ToString().IndexOf("pg_advisory_unlock", System.StringComparison.OrdinalIgnoreCase) >= 0)
            return true;
        if (method is null)
            return false;
        foreach (var access in statement.DescendantNodes().OfType<MemberAccessExpressionSyntax>())
        {
            if (access.Expression is not IdentifierNameSyntax command || !access.Name.Identifier.ValueText.StartsWith("Execute", System.StringComparison.Ordinal))
                continue;
            var declarator = method.DescendantNodes().OfType<VariableDeclaratorSyntax>().FirstOrDefault(v => v.Identifier.ValueText == command.Identifier.ValueText);
            if (declarator?.Initializer?.ToString().IndexOf("pg_advisory_unlock", System.StringComparison.OrdinalIgnoreCase) >= 0)
                return true;
        }
        return false;
    }

    protected override async Task<Document> FixAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || Target(root, span) is not (BlockSyntax block, int lockIndex, int unlockIndex))
            return document;
        var work = block.Statements.Skip(lockIndex + 1).Take(unlockIndex - lockIndex - 1).ToList();
        var unlock = block.Statements[unlockIndex];
        var tryStatement = SyntaxFactory.TryStatement(
                SyntaxFactory.Block(work),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(unlock.WithoutLeadingTrivia())))
            .WithLeadingTrivia(work[0].GetLeadingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        var statements = new List<StatementSyntax>(block.Statements.Take(lockIndex + 1)) { tryStatement };
        statements.AddRange(block.Statements.Skip(unlockIndex + 1));
        return document.WithSyntaxRoot(root.ReplaceNode(block, block.WithStatements(SyntaxFactory.List(statements))));
    }
}
