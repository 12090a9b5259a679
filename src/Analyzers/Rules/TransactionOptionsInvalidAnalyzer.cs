using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Transactions;
using PgBorrow.Generators.Transactions;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB325: [PgTransaction] options the runtime would refuse (Deferrable without ReadOnly and Serializable, MaxAttempts below 1, negative or inverted delays, Chaos).</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class TransactionOptionsInvalidAnalyzer : PgTransactionRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.TransactionOptionsInvalid,
        title: "[PgTransaction] options are invalid",
        messageFormat: "The [PgTransaction] options of '{0}' cannot work: {1}",
        category: RuleCategories.Transactions,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "The attribute's options become a PgTransactionOptions made once. Options the runtime would refuse on the first call (DEFERRABLE that PostgreSQL ignores, no attempt at all, a negative or inverted backoff, an isolation level PostgreSQL lacks) are reported at build time instead, and no implementation is generated.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.TransactionOptionsInvalid));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgTransactionProblemKind Kind => PgTransactionProblemKind.Options;
}
