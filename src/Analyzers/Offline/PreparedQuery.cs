using System;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Analyzers.Offline;

/// <summary>How a statement stands in <c>.pgborrow/</c>.</summary>
internal enum PreparedQueryState
{
    /// <summary>Its file is there and describes its statement.</summary>
    Found,

    /// <summary>No file has its statement's name: a new query, or one edited since <c>prepare</c> ran.</summary>
    Missing,

    /// <summary>
    /// A file has its name but is not the description of its statement (edited by hand, damaged): another text,
    /// or another number of parameter types than the statement has placeholders.
    /// </summary>
    NotItsStatement,
}

/// <summary>
/// A [PgQuery] method the generator implements, with what <c>pgborrow prepare</c> recorded for its statement: the
/// common first step of the PGB33x rules. Methods the generator does not implement (PGB311-PGB316 say why) are never
/// handed to a rule, and nor is anything in a project without <c>.pgborrow/*.json</c> (it does not use offline checks).
/// </summary>
internal sealed class PreparedQuery
{
    private PreparedQuery(IMethodSymbol method, PgQueryMethodCheck check, Location location, StatementLookup file)
    {
        Method = method;
        Check = check;
        Location = location;
        File = file;
    }

    public IMethodSymbol Method { get; }

    /// <summary>The generator's own reading of the method: its SQL as sent, parameter roles and result.</summary>
    public PgQueryMethodCheck Check { get; }

    /// <summary>The method's [PgQuery] attribute.</summary>
    public Location Location { get; }

    /// <summary>The statement's file (<c>.pgborrow/&lt;hash&gt;.json</c>), whether it describes the statement, and its description.</summary>
    public StatementLookup File { get; }

    /// <summary>Runs <paramref name="analyze"/> on every [PgQuery] method the generator implements, in a project that keeps prepared statements.</summary>
    public static void Register(AnalysisContext context, Action<SymbolAnalysisContext, PreparedQuery> analyze)
    {
        context.RegisterCompilationStartAction(start =>
        {
            if (start.Compilation.GetTypeByMetadataName(PgQueryMethodCheck.AttributeName) is not INamedTypeSymbol attributeType)
                return;
            var statements = PreparedStatements.From(start.Options);
            if (!statements.Any)
                return;
            start.RegisterSymbolAction(symbolContext =>
            {
                if (Find(symbolContext, attributeType, statements) is { } query)
                    analyze(symbolContext, query);
            }, SymbolKind.Method);
        });
    }

    private static PreparedQuery? Find(SymbolAnalysisContext context, INamedTypeSymbol attributeType, PreparedStatements statements)
    {
        var method = (IMethodSymbol)context.Symbol;
        // A partial method is analyzed once, through its defining part.
        if (method.PartialDefinitionPart is not null)
            return null;
        var attribute = method.GetAttributes().FirstOrDefault(a => SymbolEqualityComparer.Default.Equals(a.AttributeClass, attributeType));
        var attributeSyntax = attribute?.ApplicationSyntaxReference?.GetSyntax(context.CancellationToken);
        if (attribute is null || attributeSyntax?.FirstAncestorOrSelf<MethodDeclarationSyntax>() is not { } declaration)
            return null;

        var check = PgQueryMethodCheck.Run(declaration, method, attribute, context.CancellationToken);
        if (check.Blocks || check.SqlText is null)
            return null;

        // The generator numbers the distinct placeholders $1..$n without gaps, so a file with another parameter count
        // was not written by prepare for this text. (This is all the described count can add to PGB202 here: the count
        // follows from the text.)
        var file = statements.Find(check.SqlText.CommandText, check.SqlText.Names.Count, context.CancellationToken);
        return new PreparedQuery(method, check, attributeSyntax.GetLocation(), file);
    }
}
