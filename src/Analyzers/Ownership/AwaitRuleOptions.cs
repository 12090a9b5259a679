using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// The awaits a team declares to be database work (PGB101, PGB102), from .editorconfig:
/// <c>dotnet_code_quality.PGB101.database_awaits = MyCompany.Outbox.*, AuditLog.WriteAsync</c>.
/// Entries are "Namespace.Type.Method", "Type.Method", "Namespace.Type.*" or "Type.*".
/// </summary>
internal static class AwaitRuleOptions
{
    public const string DatabaseAwaitsOption = "dotnet_code_quality.PGB101.database_awaits";
    public const string DatabaseAwaitsOptionForPgb102 = "dotnet_code_quality.PGB102.database_awaits";

    public static IReadOnlyList<string> DatabaseAwaits(OperationBlockAnalysisContext context)
    {
        var tree = context.OwningSymbol.Locations.Length > 0 ? context.OwningSymbol.Locations[0].SourceTree : null;
        if (tree is null)
            return Array.Empty<string>();
        var options = context.Options.AnalyzerConfigOptionsProvider.GetOptions(tree);
        var entries = new List<string>();
        foreach (var key in new[] { DatabaseAwaitsOption, DatabaseAwaitsOptionForPgb102 })
        {
            if (!options.TryGetValue(key, out var value))
                continue;
            foreach (var part in value.Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries))
            {
                var trimmed = part.Trim();
                if (trimmed.Length > 0)
                    entries.Add(trimmed);
            }
        }
        return entries;
    }

    /// <summary>Whether "Namespace.Type.Method" matches one of the configured entries.</summary>
    public static bool Matches(string member, IReadOnlyList<string> entries)
    {
        foreach (var entry in entries)
        {
            if (entry.EndsWith(".*", StringComparison.Ordinal))
            {
                var prefix = entry.Substring(0, entry.Length - 1); // keep the dot
                if (member.StartsWith(prefix, StringComparison.Ordinal) || member.IndexOf("." + prefix, StringComparison.Ordinal) >= 0)
                    return true;
            }
            else if (member == entry || member.EndsWith("." + entry, StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }
}
