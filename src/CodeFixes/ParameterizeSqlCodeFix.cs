using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Composition;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Text;
using PgBorrow.Analyzers;
using PgBorrow.Analyzers.Sql;

namespace PgBorrow.CodeFixes;

/// <summary>
/// PGB201: turns the values spliced into a command's text into positional parameters. Both shapes:
/// <c>new NpgsqlCommand($"... WHERE name = '{name}'", conn)</c> and
/// <c>new NpgsqlCommand("... WHERE name = '" + name + "'", conn)</c> become <c>"... WHERE name = $1"</c> plus
/// <c>cmd.Parameters.Add(new NpgsqlParameter&lt;string&gt; { TypedValue = name });</c> right after the statement.
/// The quotes around a value go (they belonged to the SQL literal it was spliced into), and a string left with
/// no holes loses its <c>$</c>.
/// </summary>
/// <remarks>
/// Offered for a command declared as a local with the text passed to its constructor, or a
/// <c>CommandText</c> assignment (the shapes where the parameters have an obvious home), and only when the
/// diagnosed piece becomes a parameter. Pieces that stay as they are: constants; names and SQL fragments (a
/// table name cannot be a parameter); a value that is only part of a SQL literal (<c>'%{name}%'</c>); a hole with
/// a format or alignment. No fix when the text already has <c>$1</c>, or a concatenation mixes kinds of literal.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ParameterizeSqlCodeFix)), Shared]
public sealed class ParameterizeSqlCodeFix : SpanCodeFixProvider
{
    const string ActionTitle = "Pass the values as parameters ($n)";

    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.SqlBuiltFromNonConstantText);

    protected override string Title => ActionTitle;

    protected override bool NeedsSemanticModel => true;

    protected override bool CanFix(SyntaxNode root, SemanticModel? model, TextSpan span, CancellationToken cancellationToken)
        => model is not null && Target(root, model, span, cancellationToken) is not null;

    /// <summary>The rewrite: <see cref="Text"/> becomes <see cref="NewText"/>, and each of <see cref="Values"/> ($1, $2, ...) a parameter.</summary>
    sealed record Plan(ExpressionSyntax Text, ExpressionSyntax NewText, List<ExpressionSyntax> Values, StatementSyntax Statement, string Command);

    /// <summary>The text and what it becomes, written in the kind of string it was written in.</summary>
    sealed record Rewrite(ExpressionSyntax NewText, List<ExpressionSyntax> Values);

    static Plan? Target(SyntaxNode root, SemanticModel model, TextSpan span, CancellationToken cancellationToken)
    {
        var node = root.FindNode(span, getInnermostNodeForTie: true);
        ExpressionSyntax? text = node.FirstAncestorOrSelf<InterpolationSyntax>()?.Parent as InterpolatedStringExpressionSyntax;
        if (text is null && node is ExpressionSyntax operand && operand.Parent is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression })
        {
            text = operand;
            while (text.Parent is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } sum && IsString(model, sum, cancellationToken))
                text = sum;
        }
        if (text is null || Sink(text, model, cancellationToken) is not (StatementSyntax statement, string command))
            return null;

        var rewrite = text is InterpolatedStringExpressionSyntax interpolated
            ? RewriteInterpolated(interpolated, model, cancellationToken)
            : RewriteConcatenation(text, model, cancellationToken);
        if (rewrite is null || !rewrite.Values.Any(value => value.Span.Contains(span)))
            return null; // the diagnosed piece would stay as it is
        return new Plan(text, rewrite.NewText, rewrite.Values, statement, command);
    }

    /// <summary>
    /// The statement that sets the text (the parameters go right after it) and the command's name:
    /// <c>var cmd = new NpgsqlCommand(text, conn);</c> or <c>cmd.CommandText = text;</c>, in a block.
    /// </summary>
    static (StatementSyntax Statement, string Command)? Sink(ExpressionSyntax text, SemanticModel model, CancellationToken cancellationToken)
    {
        if (text.Parent is ArgumentSyntax { Parent: ArgumentListSyntax { Parent: BaseObjectCreationExpressionSyntax creation } }
            && IsNpgsqlCommand(model.GetTypeInfo(creation, cancellationToken).Type)
            && creation.Parent is EqualsValueClauseSyntax { Parent: VariableDeclaratorSyntax declarator }
            && declarator.Parent?.Parent is LocalDeclarationStatementSyntax declaration
            && declaration.Parent is BlockSyntax)
        {
            return (declaration, declarator.Identifier.ValueText);
        }

        if (text.Parent is AssignmentExpressionSyntax { Left: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "CommandText", Expression: IdentifierNameSyntax command } member, Parent: ExpressionStatementSyntax statement }
            && statement.Parent is BlockSyntax
            && IsNpgsqlCommand(model.GetTypeInfo(member.Expression, cancellationToken).Type))
        {
            return (statement, command.Identifier.ValueText);
        }
        return null;
    }

    static bool IsNpgsqlCommand(ITypeSymbol? type) => type?.ToDisplayString() == "Npgsql.NpgsqlCommand";

    static bool IsString(SemanticModel model, ExpressionSyntax expression, CancellationToken cancellationToken)
        => model.GetTypeInfo(expression, cancellationToken).Type?.SpecialType == SpecialType.System_String;

    /// <summary>
    /// Where each piece goes: <see cref="Piece.Sql"/> is the SQL text of a constant part (null for a hole);
    /// a hole becomes a parameter when it is not constant and PostgreSQL reads a whole value there.
    /// </summary>
    sealed record Piece(string? Sql, ExpressionSyntax? Hole, bool Constant);

    /// <summary>For each piece, whether it becomes a parameter, and whether the quotes around it go with it.</summary>
    static (bool Parameter, bool Quoted)[] Decide(List<Piece> pieces)
    {
        string TextOf(int from, int to)
        {
            var text = new StringBuilder();
            for (var i = from; i < to; i++)
                text.Append(pieces[i].Sql ?? SqlHolePositions.Placeholder);
            return text.ToString();
        }

        var decisions = new (bool, bool)[pieces.Count];
        for (var i = 0; i < pieces.Count; i++)
        {
            if (pieces[i].Hole is null || pieces[i].Constant)
                continue;
            var before = TextOf(0, i);
            var after = TextOf(i + 1, pieces.Count);
            if (SqlHolePositions.Classify(before, after) != SqlHolePosition.Value)
                continue; // a name or a fragment: a parameter cannot stand there
            var insideLiteral = before.Count(c => c == '\'') % 2 == 1;
            var quoted = insideLiteral && before.EndsWith("'", StringComparison.Ordinal) && after.StartsWith("'", StringComparison.Ordinal)
                && !after.StartsWith("''", StringComparison.Ordinal);
            if (insideLiteral && !quoted)
                continue; // part of a literal ('%{name}%'): the whole literal would have to be the parameter
            if (!insideLiteral && s_dollarQuote.IsMatch(before))
                continue; // possibly inside a dollar-quoted string
            decisions[i] = (true, quoted);
        }
        return decisions;
    }

    static readonly Regex s_dollarQuote = new(@"\$[A-Za-z_]*\$", RegexOptions.CultureInvariant);

    static Rewrite? RewriteInterpolated(InterpolatedStringExpressionSyntax text, SemanticModel model, CancellationToken cancellationToken)
    {
        var contents = text.Contents.ToList();
        // The command must not already get positional parameters we would collide with.
        if (contents.OfType<InterpolatedStringTextSyntax>().Any(t => t.TextToken.ValueText.Contains("$1")))
            return null;
        var pieces = contents.Select(part => part is InterpolationSyntax hole
                ? new Piece(null, hole.Expression, Constant: hole.AlignmentClause is not null || hole.FormatClause is not null
                    || model.GetConstantValue(hole.Expression, cancellationToken).HasValue)
                : new Piece(((InterpolatedStringTextSyntax)part).TextToken.ValueText, null, Constant: true))
            .ToList();
        var decisions = Decide(pieces);

        // Work on the text as written (escapes and all): a quote is one character in any kind of string.
        var raw = contents.Select(part => part is InterpolatedStringTextSyntax t ? t.TextToken.Text : null).ToArray();
        var rewritten = new List<InterpolatedStringContentSyntax>();
        var values = new List<ExpressionSyntax>();
        for (var i = 0; i < contents.Count; i++)
        {
            if (!decisions[i].Parameter)
            {
                rewritten.Add(raw[i] is string kept ? Text(kept) : contents[i]);
                continue;
            }
            if (decisions[i].Quoted)
            {
                var previous = (InterpolatedStringTextSyntax)rewritten[rewritten.Count - 1];
                rewritten[rewritten.Count - 1] = Text(previous.TextToken.Text.Substring(0, previous.TextToken.Text.Length - 1));
                raw[i + 1] = raw[i + 1]!.Substring(1);
            }
            values.Add(((InterpolationSyntax)contents[i]).Expression);
            rewritten.Add(Text("$" + values.Count));
        }

        // Merge adjacent text parts, so that the string reads as one piece of SQL again.
        var merged = new List<InterpolatedStringContentSyntax>();
        foreach (var part in rewritten)
        {
            if (part is InterpolatedStringTextSyntax t && merged.Count > 0 && merged[merged.Count - 1] is InterpolatedStringTextSyntax previous)
                merged[merged.Count - 1] = Text(previous.TextToken.Text + t.TextToken.Text);
            else
                merged.Add(part);
        }

        if (merged.Any(part => part is InterpolationSyntax))
            return new Rewrite(text.WithContents(SyntaxFactory.List(merged)), values);

        // No hole left: a plain string of the same kind, without the '$' (and, outside raw strings, with '{{' back to '{').
        var start = text.StringStartToken.Text.Replace("$", "");
        var isRaw = start.StartsWith("\"\"\"", StringComparison.Ordinal);
        var body = string.Concat(merged.Select(part => ((InterpolatedStringTextSyntax)part).TextToken.Text));
        if (!isRaw)
            body = body.Replace("{{", "{").Replace("}}", "}");
        return new Rewrite(SyntaxFactory.ParseExpression(start + body + text.StringEndToken.Text).WithTriviaFrom(text), values);
    }

    static Rewrite? RewriteConcatenation(ExpressionSyntax text, SemanticModel model, CancellationToken cancellationToken)
    {
        var operands = new List<ExpressionSyntax>();
        void Flatten(ExpressionSyntax expression)
        {
            if (expression is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } sum && IsString(model, sum, cancellationToken))
            {
                Flatten(sum.Left);
                Flatten(sum.Right);
            }
            else
            {
                operands.Add(expression);
            }
        }
        Flatten(text);

        // Literal operands are merged, so they must be written alike: all regular, or all verbatim.
        var literals = operands.OfType<LiteralExpressionSyntax>().Where(l => l.IsKind(SyntaxKind.StringLiteralExpression)).ToList();
        if (literals.Count == 0 || literals.Any(l => !l.Token.IsKind(SyntaxKind.StringLiteralToken)))
            return null;
        var verbatim = literals[0].Token.Text.StartsWith("@", StringComparison.Ordinal);
        if (literals.Any(l => l.Token.Text.StartsWith("@", StringComparison.Ordinal) != verbatim))
            return null;
        if (literals.Any(l => l.Token.ValueText.Contains("$1")))
            return null;

        bool IsLiteral(ExpressionSyntax operand) => operand is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression };
        var pieces = operands.Select(operand => IsLiteral(operand)
                ? new Piece(((LiteralExpressionSyntax)operand).Token.ValueText, null, Constant: true)
                : new Piece(null, operand, Constant: model.GetConstantValue(operand, cancellationToken).HasValue))
            .ToList();
        var decisions = Decide(pieces);

        // Each part of the new text: the inside of a literal as written (escapes and all), or an operand kept as it is.
        var opening = verbatim ? 2 : 1;
        var raw = operands.Select(operand => IsLiteral(operand)
            ? ((LiteralExpressionSyntax)operand).Token.Text.Substring(opening, ((LiteralExpressionSyntax)operand).Token.Text.Length - opening - 1)
            : null).ToArray();
        var parts = new List<object>();
        var values = new List<ExpressionSyntax>();
        for (var i = 0; i < operands.Count; i++)
        {
            if (!decisions[i].Parameter)
            {
                parts.Add(raw[i] ?? (object)operands[i]);
                continue;
            }
            if (decisions[i].Quoted)
            {
                var previous = (string)parts[parts.Count - 1];
                parts[parts.Count - 1] = previous.Substring(0, previous.Length - 1);
                raw[i + 1] = raw[i + 1]!.Substring(1);
            }
            values.Add(operands[i]);
            parts.Add("$" + values.Count);
        }

        var merged = new List<object>();
        foreach (var part in parts)
        {
            if (part is string sql && merged.Count > 0 && merged[merged.Count - 1] is string previous)
                merged[merged.Count - 1] = previous + sql;
            else if (!(part is string empty && empty.Length == 0))
                merged.Add(part);
        }
        var prefix = verbatim ? "@\"" : "\"";
        var code = string.Join(" + ", merged.Select(part => part is string sql ? prefix + sql + "\"" : ((ExpressionSyntax)part).WithoutTrivia().ToString()));
        return new Rewrite(SyntaxFactory.ParseExpression(code).WithTriviaFrom(text), values);
    }

    protected override async Task<Document> FixAsync(Document document, TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (root is null || model is null || Target(root, model, span, cancellationToken) is not Plan plan)
            return document;

        var parameters = plan.Values.Select(value =>
        {
            var type = model.GetTypeInfo(value, cancellationToken).Type;
            var typeName = type is null ? "object" : type.ToMinimalDisplayString(model, value.SpanStart);
            return (StatementSyntax)SyntaxFactory.ParseStatement(
                    $"{plan.Command}.Parameters.Add(new NpgsqlParameter<{typeName}> {{ TypedValue = {value.WithoutTrivia()} }});")
                .WithLeadingTrivia(plan.Statement.GetLeadingTrivia().Where(t => t.IsKind(SyntaxKind.WhitespaceTrivia)))
                .WithTrailingTrivia(plan.Statement.GetTrailingTrivia())
                .WithAdditionalAnnotations(Formatter.Annotation);
        });

        var newStatement = plan.Statement.ReplaceNode(plan.Text, plan.NewText);
        var block = (BlockSyntax)plan.Statement.Parent!;
        var index = block.Statements.IndexOf(plan.Statement);
        var statements = block.Statements.RemoveAt(index).Insert(index, newStatement).InsertRange(index + 1, parameters);
        return document.WithSyntaxRoot(root.ReplaceNode(block, block.WithStatements(statements)));
    }

    static InterpolatedStringTextSyntax Text(string rawText)
        => SyntaxFactory.InterpolatedStringText(
            SyntaxFactory.Token(default, SyntaxKind.InterpolatedStringTextToken, rawText, rawText, default));
}
