using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Transactions;
using PgBorrow.Generators.Transactions;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB321: a [PgTransaction] method the generator cannot implement (not partial, has a body, a containing type not partial, generic, by-reference parameters).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionMethodCannotBeGeneratedAnalyzer : PgTransactionRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionMethodCannotBeGenerated,
        title: "[PgTransaction] method must be a partial declaration the generator can implement",
        messageFormat: "The [PgTransaction] generator cannot implement '{0}': {1}",
        category: RuleCategories.Transactions,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The generator writes the body of a partial method declared without one, in a second part of every enclosing type. A method that is not partial, already has a body, is generic, takes parameters by reference, or sits in a type that is not partial (or is file-local, an interface, or a struct for an instance method) gets no implementation, and the project does not compile.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionMethodCannotBeGenerated));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgTransactionProblemKind Kind => PgTransactionProblemKind.CannotImplement;
}
