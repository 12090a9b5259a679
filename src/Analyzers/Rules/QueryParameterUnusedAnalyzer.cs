using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Queries;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB313: a [PgQuery] parameter that no placeholder names.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class QueryParameterUnusedAnalyzer : PgQueryRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.QueryParameterUnused,
        title: "[PgQuery] parameter is not used by the SQL",
        messageFormat: "'{0}' has a parameter the SQL does not use: {1}; write its placeholder where its value belongs, or remove the parameter",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "A parameter of a [PgQuery] method that no @name placeholder names is not sent: usually a misspelt placeholder, or a parameter left over from an earlier version of the query. The method is still implemented.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QueryParameterUnused));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgQueryProblemKind Kind => PgQueryProblemKind.UnusedParameter;
}
