using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.Diagnostics;
using Xunit;

namespace PgBorrow.Tests.Infrastructure;

/// <summary>
/// One code-fix test: the source with its diagnostics as markup, and the source after the fix and Fix All.
/// Each fix's test class declares its cases as static properties, so that the same cases both verify the fix's
/// exact output (through <see cref="Verify{TAnalyzer}"/>) and feed the checks that hold for every fix.
/// </summary>
internal sealed class CodeFixCase
{
    CodeFixCase(Type codeFix, string source, string fixedSource, Func<Task> verify)
    {
        CodeFix = codeFix;
        Source = source;
        FixedSource = fixedSource;
        Verifier = verify;
    }

    public Type CodeFix { get; }

    /// <summary>The source with markup, without <see cref="Verify{TAnalyzer}.Usings"/>.</summary>
    public string Source { get; }

    public string FixedSource { get; }

    /// <summary>Verifies the diagnostics of the one analyzer, the fix of each and Fix All against <see cref="FixedSource"/>.</summary>
    public Func<Task> Verifier { get; }

    public static CodeFixCase Of<TAnalyzer, TCodeFix>(string source, string fixedSource, int? iterations = null)
        where TAnalyzer : DiagnosticAnalyzer, new()
        where TCodeFix : CodeFixProvider, new()
        => new(typeof(TCodeFix), source, fixedSource, () => Verify<TAnalyzer>.CodeFixAsync<TCodeFix>(source, fixedSource, iterations));

    static readonly Regex s_markup = new(@"\{\|[^:|{}]*:|\|\}|\[\||\|\]", RegexOptions.Compiled);

    /// <summary>Source text as the compiler sees it: the usings, and the markup taken out.</summary>
    public static string WithoutMarkup(string source) => s_markup.Replace(Verify<PgBorrow.Analyzers.Rules.TransactionMayBeLeftOpenAnalyzer>.Usings + source, "");

    /// <summary>The cases a test class declares (static properties of this type), by property name.</summary>
    public static IReadOnlyDictionary<string, CodeFixCase> In(Type testClass)
        => testClass.GetProperties(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
            .Where(p => p.PropertyType == typeof(CodeFixCase))
            .OrderBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(p => p.Name, p => (CodeFixCase)p.GetValue(null)!);

    /// <summary>Every case of every test class, named "Class.Case".</summary>
    public static IReadOnlyList<(string Name, CodeFixCase Case)> All { get; } =
        typeof(CodeFixCase).Assembly.GetTypes()
            .OrderBy(t => t.Name, StringComparer.Ordinal)
            .SelectMany(t => In(t).Select(c => (t.Name + "." + c.Key, c.Value)))
            .ToList();

    public static TheoryData<string> NamesIn<TTestClass>()
    {
        var names = new TheoryData<string>();
        foreach (var name in In(typeof(TTestClass)).Keys)
            names.Add(name);
        return names;
    }

    public static Task VerifyAsync<TTestClass>(string name) => In(typeof(TTestClass))[name].Verifier();
}
