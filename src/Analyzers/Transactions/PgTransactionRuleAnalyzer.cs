using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Analyzers.Methods;
using PgBorrow.Generators.Transactions;

namespace PgBorrow.Analyzers.Transactions;

/// <summary>
/// The shared walk of the PGB321-PGB325 rules: for each method marked [PgTransaction], runs
/// <see cref="PgTransactionMethodCheck"/> (the generator's own decisions, linked into this assembly) and
/// reports the problems of one kind. The generator implements a method exactly when the check finds no
/// problem, so each Error here explains a method left without an implementation.
/// </summary>
public abstract class PgTransactionRuleAnalyzer : AttributedMethodRuleAnalyzer
{
    private protected PgTransactionRuleAnalyzer()
    {
    }

    /// <summary>The problems this rule reports.</summary>
    private protected abstract PgTransactionProblemKind Kind { get; }

    private protected sealed override string AttributeName => PgTransactionMethodCheck.AttributeName;

    private protected sealed override object RunCheck(MethodDeclarationSyntax declaration, IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
        => PgTransactionMethodCheck.Run(declaration, method, attribute, cancellationToken);

    private protected sealed override IEnumerable<(Location Location, string Detail)> ProblemsOf(object check)
        => ((PgTransactionMethodCheck)check).Problems.Where(p => p.Kind == Kind).Select(p => (p.Location, p.Detail));
}
