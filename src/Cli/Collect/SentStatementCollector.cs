using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Sql;

namespace PgBorrow.Cli.Collect;

/// <summary>The statements a project's code sends outside [PgQuery], and how many sends could not be described.</summary>
/// <param name="Statements">Each statement with a constant text, as the server receives it.</param>
/// <param name="NotConstant">Sends whose text is built at run time.</param>
/// <param name="NotPreparable">Sends whose text is not one statement PostgreSQL can describe (DDL, SET, COPY, several statements).</param>
public sealed record SentStatements(IReadOnlyList<CollectedQuery> Statements, int NotConstant, int NotPreparable);

/// <summary>
/// Finds the SQL the project runs through PgBorrow's query API, Npgsql commands and Dapper, with the analyzers' own
/// <see cref="SentStatementFinder"/>: the same sinks as the SQL rules, and the text rewritten the way it is sent.
/// </summary>
public static class SentStatementCollector
{
    private static readonly AnalyzerOptions NoOptions = new(ImmutableArray<AdditionalText>.Empty);

    public static SentStatements Collect(Compilation compilation, string projectFolder)
    {
        var finder = new SentStatementFinder(compilation, NoOptions);
        var statements = new List<CollectedQuery>();
        int notConstant = 0, notPreparable = 0;
        foreach (var tree in compilation.SyntaxTrees.Where(t => ProjectSources.IsProjectSource(t, projectFolder)))
        {
            var model = compilation.GetSemanticModel(tree);
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is not (InvocationExpressionSyntax or BaseObjectCreationExpressionSyntax or AssignmentExpressionSyntax)
                    || model.GetOperation(node) is not { } operation
                    || finder.Find(operation) is not { } sent)
                {
                    continue;
                }
                switch (sent.Skip)
                {
                    case SentStatementSkip.NotConstant:
                        notConstant++;
                        continue;
                    case SentStatementSkip.NotPreparable:
                        notPreparable++;
                        continue;
                }
                var position = node.GetLocation().GetLineSpan().StartLinePosition;
                statements.Add(new CollectedQuery(
                    $"{MemberName(model, node)} ({sent.Sink})",
                    Path.GetRelativePath(projectFolder, tree.FilePath),
                    position.Line + 1,
                    position.Character + 1,
                    sent.CommandText!,
                    sent.CommandText!));
            }
        }
        return new SentStatements(statements, notConstant, notPreparable);
    }

    /// <summary>The member whose code sends the statement (<c>Type.Member</c>), looking through lambdas and local functions.</summary>
    private static string MemberName(SemanticModel model, SyntaxNode node)
    {
        var symbol = model.GetEnclosingSymbol(node.SpanStart);
        while (symbol is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction or MethodKind.LocalFunction })
            symbol = symbol.ContainingSymbol;
        if (symbol is null)
            return "?";
        return symbol.ContainingType is { } type ? type.Name + "." + symbol.Name : symbol.Name;
    }
}
