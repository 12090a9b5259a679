using System.Collections.Concurrent;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PgBorrow.Analyzers.Sql;

/// <summary>
/// Functions that make text safe to splice into SQL: Npgsql's <c>NpgsqlCommandBuilder.QuoteIdentifier</c>,
/// string methods named <c>Quote*</c> or <c>Escape*</c> (SQL dialects' <c>QuoteForColumnName</c>,
/// <c>QuoteIdentifier</c>, <c>EscapeLiteral</c>, often behind an interface), and methods of this
/// compilation that double a double quote (identifier quoting) or a single quote (string-literal
/// escaping) with <c>Replace</c>, the way PostgreSQL's own <c>quote_ident</c> and <c>quote_literal</c>
/// do. Decided once per method and compilation.
/// </summary>
internal sealed class SqlQuoting
{
    readonly ConcurrentDictionary<IMethodSymbol, bool> _methods = new(SymbolEqualityComparer.Default);

    public bool IsQuotingFunction(IMethodSymbol method)
    {
        method = method.ReducedFrom ?? method;
        if (method.Name == "QuoteIdentifier" && method.ContainingType?.Name == "NpgsqlCommandBuilder")
            return true;
        // A dialect's quoting method, often behind an interface whose implementation lives in another
        // assembly (`_dialect.QuoteForColumnName("Id")`): named for what it does.
        if (method.Name.StartsWith("Quote", System.StringComparison.Ordinal) || method.Name.StartsWith("Escape", System.StringComparison.Ordinal))
            return method.ReturnType.SpecialType == SpecialType.System_String;
        if (method.DeclaringSyntaxReferences.Length == 0)
            return false;
        return _methods.GetOrAdd(method.OriginalDefinition, static m => DoublesAQuote(m));
    }

    /// <summary><c>name.Replace("\"", "\"\"")</c> or <c>value.Replace("'", "''")</c> written in place: quoting by hand, done right.</summary>
    public static bool DoublesAQuote(Microsoft.CodeAnalysis.Operations.IInvocationOperation invocation)
        => invocation is { TargetMethod: { Name: "Replace", ContainingType.SpecialType: SpecialType.System_String }, Arguments.Length: 2 }
            && invocation.Arguments[0].Value.ConstantValue.Value?.ToString() is string from
            && invocation.Arguments[1].Value.ConstantValue.Value?.ToString() is string to
            && (from, to) is ("\"", "\"\"") or ("'", "''");

    static bool DoublesAQuote(IMethodSymbol method)
    {
        foreach (var reference in method.DeclaringSyntaxReferences)
        {
            foreach (var node in reference.GetSyntax().DescendantNodes())
            {
                if (node is InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Replace" }, ArgumentList.Arguments: { Count: 2 } arguments }
                    && Literal(arguments[0].Expression) is string from && Literal(arguments[1].Expression) is string to
                    && (from, to) is ("\"", "\"\"") or ("'", "''"))
                {
                    return true;
                }
            }
        }
        return false;
    }

    static string? Literal(ExpressionSyntax expression)
        => expression is LiteralExpressionSyntax literal && literal.Kind() is SyntaxKind.StringLiteralExpression or SyntaxKind.CharacterLiteralExpression
            ? literal.Token.ValueText
            : null;
}
