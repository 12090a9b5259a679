using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>
/// Lists of methods named in .editorconfig (PGB101's database awaits, PGB106's retried methods,
/// PGB201's extra sinks): comma- or semicolon-separated entries "Namespace.Type.Method",
/// "Type.Method", "Namespace.Type.*" or "Type.*".
/// </summary>
internal static class MemberList
{
    public static IReadOnlyList<string> Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
            return Array.Empty<string>();
        var entries = new List<string>();
        foreach (var part in value!.Split(new[] { ',', ';' }, StringSplitOptions.RemoveEmptyEntries))
        {
            var trimmed = part.Trim();
            if (trimmed.Length > 0)
                entries.Add(trimmed);
        }
        return entries;
    }

    /// <summary>"Namespace.Type.Member", without type arguments, so that entries can name generic types as `Cache.*`.</summary>
    public static string NameOf(ISymbol member)
    {
        var type = member.ContainingType;
        if (type is null)
            return member.Name;
        var ns = type.ContainingNamespace is { IsGlobalNamespace: false } containing ? containing.ToDisplayString() + "." : "";
        return ns + type.Name + "." + member.Name;
    }

    /// <summary>Whether "Namespace.Type.Member" matches one of the entries.</summary>
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
