using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Transactions;
using PgBorrow.Generators.Transactions;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB322: a [PgTransaction] method whose first parameter is not an NpgsqlDataSource or NpgsqlConnection.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionMethodSourceMissingAnalyzer : PgTransactionRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionMethodSourceMissing,
        title: "[PgTransaction] method must take a data source or connection first",
        messageFormat: "'{0}' has nothing to run its transaction on: {1}",
        category: RuleCategories.Transactions,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated scope opens its transaction on the method's first parameter: an NpgsqlDataSource (a pooled connection per attempt) or an open NpgsqlConnection. Without one, no implementation is generated.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionMethodSourceMissing));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgTransactionProblemKind Kind => PgTransactionProblemKind.Source;
}
