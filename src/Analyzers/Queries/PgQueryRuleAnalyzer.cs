using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using PgBorrow.Analyzers.Methods;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Analyzers.Queries;

/// <summary>
/// The shared walk of the PGB311-PGB316 rules: for each method marked [PgQuery], runs
/// <see cref="PgQueryMethodCheck"/> (the generator's own decisions, linked into this assembly) and reports
/// the problems of one kind. The generator implements a method exactly when the check finds no problem other
/// than an unused parameter (PGB313, a warning), so each Error here explains a method left without an implementation.
/// </summary>
public abstract class PgQueryRuleAnalyzer : AttributedMethodRuleAnalyzer
{
    private protected PgQueryRuleAnalyzer()
    {
    }

    /// <summary>The problems this rule reports.</summary>
    private protected abstract PgQueryProblemKind Kind { get; }

    private protected sealed override string AttributeName => PgQueryMethodCheck.AttributeName;

    private protected sealed override object RunCheck(MethodDeclarationSyntax declaration, IMethodSymbol method, AttributeData attribute, CancellationToken cancellationToken)
        => PgQueryMethodCheck.Run(declaration, method, attribute, cancellationToken);

    private protected sealed override IEnumerable<(Location Location, string Detail)> ProblemsOf(object check)
        => ((PgQueryMethodCheck)check).Problems.Where(p => p.Kind == Kind).Select(p => (p.Location, p.Detail));
}
