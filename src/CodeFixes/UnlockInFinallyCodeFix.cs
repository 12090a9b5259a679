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
/// PGB103: wraps the work between the lock statement and the unlock of the same block in
/// <c>try { ... } finally { unlock }</c>, so the session lock is released on exception paths too.
/// </summary>
/// <remarks>
/// The release may be more than one statement: an unlock command declared after the work and run by the
/// next statement (<c>await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(7)", conn);
/// await unlock.ExecuteNonQueryAsync(ct);</c>). Then the statements that run it go into <c>finally</c> and its
/// declaration moves before the lock statement (making a command object sends nothing, so it may happen
/// earlier, and nothing that can throw is left between the lock and the <c>try</c>), where both the work and
/// the <c>finally</c> can see it. No fix when the result would not compile: a local
/// declared in the work, or one the release declares, used after it; statements that run the command that are
/// not one contiguous run; or nothing to protect.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnlockInFinallyCodeFix)), Shared]
public sealed class UnlockInFinallyCodeFix : SpanCodeFixProvider
{
    const string ActionTitle = "Release the lock in a finally block";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SessionAdvisoryLockNotReleased);

    protected override string Title => ActionTitle;

    protected override bool CanFix(SyntaxNode root, SemanticModel? model, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
        => Target(root, span) is not null;

    /// <summary>
    /// What the fix does in one block: the statements of the work (into <c>try</c>), of the release (into
    /// <c>finally</c>), and the declaration of the unlock command that moves before the <c>try</c>, if any.
    /// </summary>
    /// <remarks>
    /// The declaration goes before the lock statement when it names nothing declared from the lock on: then no
    /// statement that can throw runs between taking the lock and the <c>try</c>.
    /// </remarks>
    sealed record Plan(BlockSyntax Block, int Lock, int Hoisted, bool HoistBeforeLock, List<int> Work, int ReleaseStart, int ReleaseEnd);

    static Plan? Target(SyntaxNode root, Microsoft.CodeAnalysis.Text.TextSpan span)
    {
        var lockStatement = root.FindNode(span, getInnermostNodeForTie: true).FirstAncestorOrSelf<StatementSyntax>();
        if (lockStatement?.Parent is not BlockSyntax block)
            return null;
        var method = block.FirstAncestorOrSelf<MemberDeclarationSyntax>();
        var statements = block.Statements;
        var lockIndex = statements.IndexOf(lockStatement);
        for (var i = lockIndex + 1; i < statements.Count; i++)
        {
            if (!IsUnlock(statements[i], method))
                continue;

            var hoisted = -1;
            int releaseStart = i, releaseEnd = i;
            var declaredHere = Declared(statements[i]);
            if (declaredHere.Count > 0 && FirstUse(statements, i + 1, declaredHere) is int firstUse)
            {
                if (!IsCommandDeclaration(statements[i], statements[firstUse], declaredHere))
                    return null; // the unlock's own result is read later: it cannot move into finally
                // A command declared here and run by what follows: its runs are the release.
                hoisted = i;
                releaseStart = firstUse;
                releaseEnd = firstUse;
                while (releaseEnd + 1 < statements.Count && References(statements[releaseEnd + 1], declaredHere))
                    releaseEnd++;
                if (FirstUse(statements, releaseEnd + 1, declaredHere) is not null)
                    return null; // run again later, apart from the release: keep the code as it is
            }

            var work = new List<int>();
            for (var j = lockIndex + 1; j < releaseStart; j++)
            {
                if (j != hoisted)
                    work.Add(j);
            }
            if (work.Count == 0)
                return null; // nothing in between to protect

            // Locals declared in the work or the release fall out of scope after the try.
            var scoped = new HashSet<string>();
            foreach (var j in work)
                scoped.UnionWith(Declared(statements[j]));
            for (var j = releaseStart; j <= releaseEnd; j++)
                scoped.UnionWith(Declared(statements[j]));
            if (FirstUse(statements, releaseEnd + 1, scoped) is not null)
                return null;
            var declaredSinceLock = new HashSet<string>();
            for (var j = lockIndex; j < (hoisted >= 0 ? hoisted : lockIndex); j++)
                declaredSinceLock.UnionWith(Declared(statements[j]));
            var beforeLock = hoisted >= 0 && !References(statements[hoisted], declaredSinceLock);
            return new Plan(block, lockIndex, hoisted, beforeLock, work, releaseStart, releaseEnd);
        }
        return null;
    }

    static HashSet<string> Declared(StatementSyntax statement)
    {
        var names = new HashSet<string>();
        if (statement is LocalDeclarationStatementSyntax declaration)
        {
            foreach (var variable in declaration.Declaration.Variables)
                names.Add(variable.Identifier.ValueText);
        }
        return names;
    }

    static bool References(StatementSyntax statement, HashSet<string> names)
        => names.Count > 0 && statement.DescendantNodes().OfType<IdentifierNameSyntax>().Any(n => names.Contains(n.Identifier.ValueText));

    static int? FirstUse(SyntaxList<StatementSyntax> statements, int from, HashSet<string> names)
    {
        for (var j = from; j < statements.Count; j++)
        {
            if (References(statements[j], names))
                return j;
        }
        return null;
    }

    /// <summary>The declaration makes a command (it runs nothing) and the first use runs it: <c>unlock.ExecuteNonQueryAsync(ct)</c>.</summary>
    static bool IsCommandDeclaration(StatementSyntax declaration, StatementSyntax firstUse, HashSet<string> names)
    {
        if (declaration is not LocalDeclarationStatementSyntax local
            || local.Declaration.Variables.Any(v => v.Initializer?.Value is not (ObjectCreationExpressionSyntax or ImplicitObjectCreationExpressionSyntax or InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CreateCommand" } })))
            return false;
        return firstUse.DescendantNodes().OfType<MemberAccessExpressionSyntax>().Any(access =>
            access.Expression is IdentifierNameSyntax receiver && names.Contains(receiver.Identifier.ValueText)
            && access.Name.Identifier.ValueText.StartsWith("Execute", System.StringComparison.Ordinal));
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
        if (root is null || Target(root, span) is not Plan plan)
            return document;
        var statements = plan.Block.Statements;
        var work = plan.Work.Select(j => statements[j]).ToList();
        var release = statements.Skip(plan.ReleaseStart).Take(plan.ReleaseEnd - plan.ReleaseStart + 1).ToList();
        release[0] = release[0].WithoutLeadingTrivia();
        var tryStatement = SyntaxFactory.TryStatement(
                SyntaxFactory.Block(work),
                default,
                SyntaxFactory.FinallyClause(SyntaxFactory.Block(release)))
            .WithLeadingTrivia(work[0].GetLeadingTrivia())
            .WithAdditionalAnnotations(Formatter.Annotation);
        var rewritten = new List<StatementSyntax>(statements.Take(plan.Lock));
        if (plan.Hoisted >= 0 && plan.HoistBeforeLock)
            rewritten.Add(statements[plan.Hoisted].WithAdditionalAnnotations(Formatter.Annotation));
        rewritten.Add(statements[plan.Lock]);
        if (plan.Hoisted >= 0 && !plan.HoistBeforeLock)
            rewritten.Add(statements[plan.Hoisted].WithAdditionalAnnotations(Formatter.Annotation));
        rewritten.Add(tryStatement);
        rewritten.AddRange(statements.Skip(plan.ReleaseEnd + 1));
        return document.WithSyntaxRoot(root.ReplaceNode(plan.Block, plan.Block.WithStatements(SyntaxFactory.List(rewritten))));
    }
}
