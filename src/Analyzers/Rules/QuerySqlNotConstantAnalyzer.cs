using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Queries;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB316: [PgQuery] SQL that is empty, holds several statements or uses $n parameters.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class QuerySqlNotConstantAnalyzer : PgQueryRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.QuerySqlNotConstant,
        title: "[PgQuery] SQL must be one constant statement",
        messageFormat: "'{0}' has SQL the [PgQuery] generator cannot use: {1}",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator rewrites the @name placeholders of the attribute's SQL at build time, so the SQL is a non-empty constant holding one statement, with @name placeholders rather than $n parameters.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QuerySqlNotConstant));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgQueryProblemKind Kind => PgQueryProblemKind.Sql;
}
