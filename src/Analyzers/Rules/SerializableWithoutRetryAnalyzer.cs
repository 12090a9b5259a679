using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB106: a SERIALIZABLE transaction (read-only ones too, unless DEFERRABLE), or a REPEATABLE READ
/// one that writes or locks rows, begun with no retry around it.
/// </summary>
/// <remarks>
/// Retry counts when the Begin sits in a loop whose catch handles serialization failures (a filter
/// or handler that reads SqlState against 40001/40P01, <c>PostgresErrorCodes.SerializationFailure</c>
/// or <c>DeadlockDetected</c>, or <c>IsTransient</c>), or inside a lambda or local function (the
/// shape of every retry API: Polly pipelines, EF Core execution strategies, a team's own wrapper;
/// precision first: a lambda is assumed to be retried).
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class SerializableWithoutRetryAnalyzer : OwnershipRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.SerializableWithoutRetry,
        title: "Serializable or repeatable-read transaction without retry",
        messageFormat: "{0} transaction '{1}'{2} can fail with a serialization failure (40001) or deadlock (40P01), and nothing retries it: wrap the whole transaction in a retry loop that catches those SQLSTATEs",
        category: RuleCategories.Concurrency,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "PostgreSQL guarantees serializable and repeatable-read isolation by aborting transactions that would break it, with SQLSTATE 40001. The manual says applications using these levels must be prepared to retry. Without a retry, a normal concurrent workload turns into user-visible errors.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.SerializableWithoutRetry));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    /// <summary>
    /// Methods whose transactions their callers retry (a team's retry policy around a repository
    /// method, say): "Namespace.Type.Method", "Type.Method", "Namespace.Type.*" or "Type.*".
    /// </summary>
    public const string RetriedMethodsOption = "dotnet_code_quality.PGB106.retried_methods";

    private protected override void Report(OwnershipReport report, OperationBlockAnalysisContext context)
    {
        if (report.BegunTransactions.Count == 0 || IsRetriedByCallers(context))
            return;
        foreach (var transaction in report.BegunTransactions)
        {
            if (transaction.BeginSyntax is not SyntaxNode begin)
                continue;
            // A level set by SQL, or a constant one, is the level; else what the argument can be on some path.
            var level = transaction.IsolationLevel ?? transaction.PossibleIsolationLevel;
            var source = transaction.IsolationLevel is null && transaction.IsolationSource is string from ? $", isolation level from {from}," : "";
            var mustRetry = level == "SERIALIZABLE" && !transaction.Deferrable
                || level == "REPEATABLE READ" && transaction.EverHoldsLocks;
            if (!mustRetry || IsRetried(begin))
                continue;
            var name = level == "SERIALIZABLE" ? "Serializable" : "Repeatable-read";
            context.ReportDiagnostic(Diagnostic.Create(Descriptor, begin.GetLocation(), name, transaction.Name, source));
        }
    }

    static bool IsRetried(SyntaxNode begin)
    {
        foreach (var ancestor in begin.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax:
                    return true;
                case ForStatementSyntax or ForEachStatementSyntax or WhileStatementSyntax or DoStatementSyntax:
                    if (CatchesSerializationFailures(ancestor))
                        return true;
                    break;
                case MemberDeclarationSyntax:
                    return false;
            }
        }
        return false;
    }

    static bool CatchesSerializationFailures(SyntaxNode loop)
    {
        foreach (var catchClause in loop.DescendantNodes().OfType<CatchClauseSyntax>())
        {
            if (RetryCatch.HandlesSerializationFailures(catchClause))
                return true;
        }
        return false;
    }

    static bool IsRetriedByCallers(OperationBlockAnalysisContext context)
        => RuleOptions.Get(context, RetriedMethodsOption) is string value
        && MemberList.Matches(MemberList.NameOf(context.OwningSymbol), MemberList.Parse(value));
}
