using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Queries;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB315: a [PgQuery] parameter whose type cannot be sent as a statement parameter.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class QueryParameterTypeNotSupportedAnalyzer : PgQueryRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.QueryParameterTypeNotSupported,
        title: "[PgQuery] parameter type is not supported",
        messageFormat: "'{0}' has a parameter that cannot be sent: {1}",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The value parameters of a [PgQuery] method are sent as typed statement parameters: scalars, arrays and lists of scalars, and enums, passed by value. A parameter of another type, or passed by reference, gets no implementation.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QueryParameterTypeNotSupported));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgQueryProblemKind Kind => PgQueryProblemKind.ParameterType;
}
