using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Queries;
using PgBorrow.Generators.Queries;

namespace PgBorrow.Analyzers.Rules;

/// <summary>PGB314: a [PgQuery] method whose return type is not one the generator reads into.</summary>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class QueryReturnTypeNotSupportedAnalyzer : PgQueryRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.QueryReturnTypeNotSupported,
        title: "[PgQuery] return type is not supported",
        messageFormat: "'{0}' returns a type the [PgQuery] generator cannot read into: {1}",
        category: RuleCategories.Queries,
        defaultSeverity: DiagnosticSeverity.Error,
        isEnabledByDefault: true,
        description: "A [PgQuery] method returns Task<List<T>>, Task<T> (exactly one row), Task<T?> (zero or one), IAsyncEnumerable<T>, Task<int> (affected rows) or Task, or the ValueTask forms, where T is a [PgRow] type or a scalar Npgsql reads. Any other return type gets no implementation.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.QueryReturnTypeNotSupported));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override PgQueryProblemKind Kind => PgQueryProblemKind.ReturnType;
}
