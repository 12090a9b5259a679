using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Transactions;
using PgBorrow.Generators.Transactions;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB324: the body method of a [PgTransaction] method is missing, or its signature does not match.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionBodyDoesNotMatchAnalyzer : PgTransactionRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionBodyDoesNotMatch,
        title: "[PgTransaction] body method is missing or does not match",
        messageFormat: "'{0}' has no body method to run: {1}",
        category: RuleCategories.Transactions,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated scope calls the body method (by convention the method's name without Async plus Body, or the one named by Body = nameof(...)) with the PgTx first and then the method's other parameters, in order and of the same types, and returns its task. When no method of that name has that shape, no implementation is generated.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionBodyDoesNotMatch));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgTransactionProblemKind Kind => PgTransactionProblemKind.Body;
}
