using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Queries;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB311: a [PgQuery] method that is not partial, has no connection-like parameter, or has options the generator cannot use.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class QueryMethodCannotBeGeneratedAnalyzer : PgQueryRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.QueryMethodCannotBeGenerated,
        title: "[PgQuery] method cannot be generated",
        messageFormat: "'{0}' cannot be implemented by the [PgQuery] generator: {1}",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator writes the body of a partial method marked [PgQuery] that takes exactly one NpgsqlConnection, NpgsqlTransaction, NpgsqlDataSource or PgTx to run on. Without a partial declaration, a partial type around it, that parameter or valid options, no implementation is generated.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QueryMethodCannotBeGenerated));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgQueryProblemKind Kind => PgQueryProblemKind.CannotImplement;
}
