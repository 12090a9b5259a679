using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>Reads a rule's .editorconfig option for the file that declares the analyzed member.</summary>
internal static class RuleOptions
{
    public static string? Get(OperationBlockAnalysisContext context, string key)
    {
        var tree = context.OwningSymbol.Locations.Length > 0 ? context.OwningSymbol.Locations[0].SourceTree : null;
        return Get(context.Options, tree, key);
    }

    /// <summary>The option as it applies to <paramref name="tree"/>, or null when the tree or the key is missing.</summary>
    public static string? Get(AnalyzerOptions options, SyntaxTree? tree, string key)
        => tree is not null && options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(key, out var value)
            ? value
            : null;
}
