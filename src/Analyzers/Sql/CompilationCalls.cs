using System;
using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace PgBorrow.Analyzers.Sql;

/// <summary>
/// Every call written in a compilation, by the simple name of the method it calls, read in one pass over the
/// syntax trees the first time a rule asks (once per compilation, only when SQL text is built from a parameter
/// of a method the assembly keeps to itself). Lets PGB201 see what the callers of an internal method pass.
/// </summary>
internal sealed class CompilationCalls
{
    readonly Compilation _compilation;
    readonly Lazy<Dictionary<string, List<InvocationExpressionSyntax>>> _byName;

    public CompilationCalls(Compilation compilation)
    {
        _compilation = compilation;
        _byName = new Lazy<Dictionary<string, List<InvocationExpressionSyntax>>>(Read);
    }

    public Compilation Compilation => _compilation;

    /// <summary>The calls whose callee is named <paramref name="name"/> (any receiver, any overload).</summary>
    public IReadOnlyList<InvocationExpressionSyntax> Named(string name)
        => _byName.Value.TryGetValue(name, out var calls) ? calls : Array.Empty<InvocationExpressionSyntax>();

    Dictionary<string, List<InvocationExpressionSyntax>> Read()
    {
        var byName = new Dictionary<string, List<InvocationExpressionSyntax>>(StringComparer.Ordinal);
        foreach (var tree in _compilation.SyntaxTrees)
        {
            foreach (var node in tree.GetRoot().DescendantNodes())
            {
                if (node is not InvocationExpressionSyntax call)
                    continue;
                var name = call.Expression switch
                {
                    MemberAccessExpressionSyntax access => access.Name.Identifier.ValueText,
                    SimpleNameSyntax simple => simple.Identifier.ValueText,
                    MemberBindingExpressionSyntax binding => binding.Name.Identifier.ValueText,
                    _ => null,
                };
                if (name is null)
                    continue;
                if (!byName.TryGetValue(name, out var calls))
                    byName[name] = calls = new List<InvocationExpressionSyntax>();
                calls.Add(call);
            }
        }
        return byName;
    }

    /// <summary>A method no code outside the assembly can call: it, or a type around it, is private or internal.</summary>
    public static bool IsInternalToAssembly(IMethodSymbol method)
    {
        for (ISymbol? symbol = method; symbol is IMethodSymbol or INamedTypeSymbol; symbol = symbol.ContainingType)
        {
            if (symbol.DeclaredAccessibility is Accessibility.Private or Accessibility.Internal or Accessibility.ProtectedAndInternal)
                return true;
        }
        return false;
    }
}
