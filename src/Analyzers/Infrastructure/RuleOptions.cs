using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>Reads a rule's .editorconfig option for the file that declares the analyzed member.</summary>
internal static class RuleOptions
{
    public static string? Get(OperationBlockAnalysisContext context, string key)
    {
        var tree = context.OwningSymbol.Locations.Length > 0 ? context.OwningSymbol.Locations[0].SourceTree : null;
        return tree is not null && context.Options.AnalyzerConfigOptionsProvider.GetOptions(tree).TryGetValue(key, out var value)
            ? value
            : null;
    }
}
