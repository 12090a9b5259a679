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
using PgBorrow.Analyzers.Sql;

namespace PgBorrow.CodeFixes;

/// <summary>
/// PGB201: turns every non-constant hole of an interpolated command text into a positional
/// parameter. <c>var cmd = new NpgsqlCommand($"... WHERE name = '{name}'", conn);</c> becomes
/// <c>... WHERE name = $1</c> plus <c>cmd.Parameters.Add(new NpgsqlParameter&lt;string&gt; { TypedValue = name });</c>
/// right after the declaration. Offered for a command declared as a local with the interpolated
/// text passed to its constructor (the shape where the parameters have an obvious home).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ParameterizeSqlCodeFix)), Shared]
public sealed class ParameterizeSqlCodeFix : SpanCodeFixProvider
{
    const string ActionTitle = "Pass the values as parameters ($n)";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SqlBuiltFromNonConstantText);

    protected override string Title => ActionTitle;

    protected override bool NeedsSemanticModel => true;

    protected override bool CanFix(SyntaxNode root, SemanticModel? model, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
        => model is not null && Target(root, model, span, cancellationToken) is not null;

    sealed class FixTarget
    {
        public FixTarget(InterpolatedStringExpressionSyntax text, StatementSyntax statement, string command)
        {
            Text = text;
            Statement = statement;
            Command = command;
        }

        public InterpolatedStringExpressionSyntax Text { get; }
        /// <summary>The statement that sets the text; the parameters are added right after it.</summary>
        public StatementSyntax Statement { get; }
        public string Command { get; }
    }

    static FixTarget? Target(SyntaxNode root, SemanticModel model, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var node = root.FindNode(span, getInnermostNodeForTie: true);
        var text = node.FirstAncestorOrSelf<InterpolatedStringExpressionSyntax>();
        if (text is null)
            return null;
        // The command must not already get positional parameters we would collide with.
        if (text.Contents.OfType<InterpolatedStringTextSyntax>().Any(t => t.TextToken.ValueText.Contains("$1")))
            return null;

        // var cmd = new NpgsqlCommand($"...", conn);
        if (text.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: BaseObjectCreationExpressionSyntax creation } }
            && IsNpgsqlCommand(model.GetTypeInfo(creation, cancellationToken).Type)
            && creation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            && declarator.Parent?.Parent is LocalDeclarationStatementSyntax declaration
            && declaration.Parent is BlockSyntax)
        {
            return new FixTarget(text, declaration, declarator.Identifier.ValueText);
        }

        // cmd.CommandText = $"...";
        if (text.Parent is AssignmentExpressionSyntax { Left: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CommandText", Expression: IdentifierNameSyntax command } member, Parent: ExpressionStatementSyntax statement }
            && statement.Parent is BlockSyntax
            && IsNpgsqlCommand(model.GetTypeInfo(member.Expression, cancellationToken).Type))
        {
            return new FixTarget(text, statement, command.Identifier.ValueText);
        }
        return null;
    }

    static bool IsNpgsqlCommand(ITypeSymbol? type) => type?.ToDisplayString() == "Npgsql.NpgsqlCommand";


    protected override async Task<Document> FixAsync(Document document, Microsoft.CodeAnalysis.Text.TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || Target(root, model, span, cancellationToken) is not FixTarget target)
            return document;

        var contents = target.Text.Contents.ToList();
        // Positions are read from the text as written, before any quote around a value is removed.
        var positions = contents.Select((_, i) => PositionOf(contents, i)).ToArray();
        var rewritten = new List<InterpolatedStringContentSyntax>();
        var parameters = new List<StatementSyntax>();
        for (var i = 0; i < contents.Count; i++)
        {
            if (contents[i] is not InterpolationSyntax hole || model.GetConstantValue(hole.Expression, cancellationToken).HasValue
                || positions[i] != SqlHolePosition.Value)
            {
                // Constants stay, and so do identifiers and fragments: a table name cannot be a parameter.
                rewritten.Add(contents[i]);
                continue;
            }

            // '{name}' becomes $n: the quotes belonged to the SQL literal the value was spliced into.
            var quoted = rewritten.Count > 0 && rewritten[rewritten.Count - 1] is InterpolatedStringTextSyntax before && before.TextToken.ValueText.EndsWith("'")
                && i + 1 < contents.Count && contents[i + 1] is InterpolatedStringTextSyntax after && after.TextToken.ValueText.StartsWith("'");
            if (quoted)
            {
                var before2 = (InterpolatedStringTextSyntax)rewritten[rewritten.Count - 1];
                rewritten[rewritten.Count - 1] = Text(before2.TextToken.Text.Substring(0, before2.TextToken.Text.Length - 1));
                var after2 = (InterpolatedStringTextSyntax)contents[i + 1];
                contents[i + 1] = Text(after2.TextToken.Text.Substring(1));
            }

            var number = parameters.Count + 1;
            rewritten.Add(Text("$" + number));
            var type = model.GetTypeInfo(hole.Expression, cancellationToken).Type;
            var typeName = type is null ? "object" : type.ToMinimalDisplayString(model, hole.SpanStart);
            parameters.Add(SyntaxFactory.ParseStatement(
                    $"{target.Command}.Parameters.Add(new NpgsqlParameter<{typeName}> {{ TypedValue = {hole.Expression.WithoutTrivia()} }});")
                .WithLeadingTrivia(target.Statement.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)))
                .WithTrailingTrivia(target.Statement.GetTrailingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation));
        }
        if (parameters.Count == 0)
            return document;

        // Merge adjacent text parts, so that the string reads as one piece of SQL again.
        var merged = new List<InterpolatedStringContentSyntax>();
        foreach (var part in rewritten)
        {
            if (part is InterpolatedStringTextSyntax text && merged.Count > 0 && merged[merged.Count - 1] is InterpolatedStringTextSyntax previous)
                merged[merged.Count - 1] = Text(previous.TextToken.Text + text.TextToken.Text);
            else
                merged.Add(part);
        }

        var newText = target.Text.WithContents(SyntaxFactory.List(merged));
        var newStatement = target.Statement.ReplaceNode(target.Text, newText);
        var block = (BlockSyntax)target.Statement.Parent!;
        var index = block.Statements.IndexOf(target.Statement);
        var statements = block.Statements.RemoveAt(index).Insert(index, newStatement).InsertRange(index + 1, parameters);
        return document.WithSyntaxRoot(root.ReplaceNode(block, block.WithStatements(statements)));
    }

    /// <summary>Where hole <paramref name="index"/> lands in the SQL, read from the text around it (as PGB201 reads it).</summary>
    static SqlHolePosition PositionOf(List<InterpolatedStringContentSyntax> contents, int index)
    {
        string TextOf(int from, int to)
        {
            var text = new System.Text.StringBuilder();
            for (var i = from; i < to; i++)
                text.Append(contents[i] is InterpolatedStringTextSyntax part ? part.TextToken.ValueText : SqlHolePositions.Placeholder);
            return text.ToString();
        }
        return SqlHolePositions.Classify(TextOf(0, index), TextOf(index + 1, contents.Count));
    }

    static InterpolatedStringTextSyntax Text(string rawText)
        => SyntaxFactory.InterpolatedStringText(
            SyntaxFactory.Token(default, SyntaxKind.InterpolatedStringTextToken, rawText, rawText, default));
}
