using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Transactions;
using PgBorrow.Generators.Transactions;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB323: a [PgTransaction] method that does not return Task or Task&lt;T&gt;.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionMethodReturnTypeNotSupportedAnalyzer : PgTransactionRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionMethodReturnTypeNotSupported,
        title: "[PgTransaction] method must return Task or Task<T>",
        messageFormat: "'{0}' cannot return the scope's outcome: {1}",
        category: RuleCategories.Transactions,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generated scope completes when COMMIT has completed, and hands back the body's result from the attempt that committed. It is a Task (or Task<T> for a result); any other return type gets no implementation.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionMethodReturnTypeNotSupported));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgTransactionProblemKind Kind => PgTransactionProblemKind.ReturnType;
}
