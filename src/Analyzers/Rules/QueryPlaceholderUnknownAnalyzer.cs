using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Queries;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB312: a [PgQuery] placeholder that names no parameter of the method.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class QueryPlaceholderUnknownAnalyzer : PgQueryRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.QueryPlaceholderUnknown,
        title: "[PgQuery] placeholder names no parameter",
        messageFormat: "'{0}' has a placeholder without a parameter: {1}",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "Each @name placeholder of the SQL (outside string constants, quoted identifiers and comments) is bound to the method's parameter of that name. A placeholder naming none would be sent without a value, so no implementation is generated.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QueryPlaceholderUnknown));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgQueryProblemKind Kind => PgQueryProblemKind.UnknownPlaceholder;
}
