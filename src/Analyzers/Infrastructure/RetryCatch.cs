using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>
/// Recognizes the catch of a hand-written retry loop: one that handles serialization failures and
/// deadlocks by SQLSTATE ("40001", "40P01"), by <c>PostgresErrorCodes.SerializationFailure</c> or
/// <c>DeadlockDetected</c>, or by <c>IsTransient</c>. PGB106 reads it to know a transaction is retried,
/// PGB108 to know which code a retry runs again.
/// </summary>
internal static class RetryCatch
{
    static readonly ImmutableHashSet<string> s_markers = ImmutableHashSet.Create(
        "SerializationFailure", "DeadlockDetected", "IsTransient");

    /// <summary>True when the catch clause (its declaration, filter or block) tests for a retryable failure.</summary>
    public static bool HandlesSerializationFailures(CatchClauseSyntax catchClause)
    {
        foreach (var node in catchClause.DescendantNodes())
        {
            switch (node)
            {
                case IdentifierNameSyntax identifier when s_markers.Contains(identifier.Identifier.ValueText):
                    return true;
                case LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression)
                    && literal.Token.ValueText is "40001" or "40P01":
                    return true;
            }
        }
        return false;
    }
}
