using System.Collections.Immutable;
using System.Composition;
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
/// PGB203: quote the caller's name where it is spliced into the SQL. Bare (<c>FROM {table}</c>): wrapped in
/// Npgsql's <c>NpgsqlCommandBuilder.QuoteIdentifier</c>, which adds the double quotes and doubles any inside.
/// Already between double quotes in the text (<c>"{schema}".jobs</c>): only the doubling, so the quotes the
/// text has stay the only ones.
/// </summary>
/// <remarks>
/// Offered, never silent: a quoted name is case-sensitive and cannot be qualified (<c>public.orders</c> passed
/// as one name stops working), which is why the title says so and an allow-list may be the better fix. Only
/// where the name is the hole of an interpolated string or an operand of <c>+</c>, and only when Npgsql's
/// command builder is referenced.
/// </remarks>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(QuoteIdentifierCodeFix)), Shared]
public sealed class QuoteIdentifierCodeFix : SpanCodeFixProvider
{
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(RuleIdentifiers.IdentifierFromCaller);

    protected override string Title => "Quote the identifier (a quoted name is case-sensitive)";

    protected override bool NeedsSemanticModel => true;

    protected override bool CanFix(SyntaxNode root, SemanticModel? model, TextSpan span, CancellationToken cancellationToken)
    {
        if (model is null || root.FindNode(span, getInnermostNodeForTie: true) is not ExpressionSyntax name)
            return false;
        if (name.Parent is not (InterpolationSyntax { AlignmentClause: null, FormatClause: null } or BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression }))
            return false;
        if (model.GetTypeInfo(name, cancellationToken).Type?.SpecialType != SpecialType.System_String)
            return false;
        return model.Compilation.GetTypeByMetadataName("Npgsql.NpgsqlCommandBuilder") is not null;
    }

    protected override async Task<Document> FixAsync(Document document, TextSpan span, CancellationToken cancellationToken)
    {
        var root = await document.GetSyntaxRootAsync(cancellationToken).ConfigureAwait(false);
        var model = await document.GetSemanticModelAsync(cancellationToken).ConfigureAwait(false);
        if (model is null || root?.FindNode(span, getInnermostNodeForTie: true) is not ExpressionSyntax name)
            return document;

        var operand = name.WithoutTrivia();
        var needsParentheses = operand is not (IdentifierNameSyntax or MemberAccessExpressionSyntax or InvocationExpressionSyntax or ElementAccessExpressionSyntax);
        ExpressionSyntax quoted = BetweenQuotes(name)
            ? SyntaxFactory.ParseExpression($"{(needsParentheses ? $"({operand})" : operand.ToString())}.Replace(\"\\\"\", \"\\\"\\\"\")")
            : SyntaxFactory.ParseExpression($"new {CommandBuilderName(model, name.SpanStart)}().QuoteIdentifier({operand})");
        quoted = quoted.WithTriviaFrom(name).WithAdditionalAnnotations(Formatter.Annotation);
        return document.WithSyntaxRoot(root.ReplaceNode(name, quoted));
    }

    /// <summary>The shortest name of Npgsql's command builder at the position: unqualified where a using brings it in.</summary>
    static string CommandBuilderName(SemanticModel model, int position)
    {
        foreach (var symbol in model.LookupNamespacesAndTypes(position, name: "NpgsqlCommandBuilder"))
        {
            if (symbol is INamedTypeSymbol { ContainingNamespace.Name: "Npgsql" })
                return "NpgsqlCommandBuilder";
        }
        return "global::Npgsql.NpgsqlCommandBuilder";
    }

    /// <summary>The SQL text right around the name is a double quote on both sides: a quoted identifier already.</summary>
    static bool BetweenQuotes(ExpressionSyntax name)
    {
        switch (name.Parent)
        {
            case InterpolationSyntax hole when hole.Parent is InterpolatedStringExpressionSyntax text:
            {
                var index = text.Contents.IndexOf(hole);
                var before = index > 0 ? text.Contents[index - 1] as InterpolatedStringTextSyntax : null;
                var after = index + 1 < text.Contents.Count ? text.Contents[index + 1] as InterpolatedStringTextSyntax : null;
                return before is not null && after is not null
                    && before.TextToken.ValueText.EndsWith("\"") && after.TextToken.ValueText.StartsWith("\"");
            }
            case BinaryExpressionSyntax sum:
            {
                // "... \"" + name + "\" ..." parses as ((left + name) + right).
                var left = sum.Right == name ? sum.Left : null;
                var right = sum.Parent is BinaryExpressionSyntax outer && outer.Left == sum ? outer.Right : null;
                return LiteralText(RightmostOperand(left)) is string leftText && leftText.EndsWith("\"")
                    && LiteralText(right) is string rightText && rightText.StartsWith("\"");
            }
            default:
                return false;
        }
    }

    static ExpressionSyntax? RightmostOperand(ExpressionSyntax? expression)
        => expression is BinaryExpressionSyntax { RawKind: (int)SyntaxKind.AddExpression } sum ? sum.Right : expression;

    static string? LiteralText(ExpressionSyntax? expression)
        => expression is LiteralExpressionSyntax { RawKind: (int)SyntaxKind.StringLiteralExpression } literal ? literal.Token.ValueText : null;
}
