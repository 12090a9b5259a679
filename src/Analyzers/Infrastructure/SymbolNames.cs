using Microsoft.CodeAnalysis;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>
/// Name checks that give the same answer as comparing <c>ToDisplayString()</c> with a dotted name,
/// without building the display string: those checks run for every invocation of every body, and
/// formatting a symbol is far more expensive than walking its containers.
/// </summary>
internal static class SymbolNames
{
    /// <summary>Whether <paramref name="ns"/> displays as <paramref name="dottedName"/> ("System.Threading.Tasks").</summary>
    public static bool IsNamespace(INamespaceSymbol? ns, string dottedName)
    {
        var end = dottedName.Length;
        while (true)
        {
            if (ns is null || ns.IsGlobalNamespace)
                return false;
            var dot = dottedName.LastIndexOf('.', end - 1);
            var start = dot + 1;
            var name = ns.Name;
            if (name.Length != end - start || string.CompareOrdinal(name, 0, dottedName, start, name.Length) != 0)
                return false;
            ns = ns.ContainingNamespace;
            if (dot < 0)
                return ns is null || ns.IsGlobalNamespace;
            end = dot;
        }
    }

    /// <summary>
    /// Whether <paramref name="type"/> displays as <paramref name="namespaceName"/>.<paramref name="typeName"/>:
    /// a top-level, non-generic type of that name in that namespace.
    /// </summary>
    public static bool IsType(ITypeSymbol? type, string namespaceName, string typeName)
        => type is INamedTypeSymbol { Arity: 0, ContainingType: null } named
        && named.Name == typeName
        && IsNamespace(named.ContainingNamespace, namespaceName);
}
