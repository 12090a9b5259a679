using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace PgBorrow.Tests.Infrastructure;

/// <summary>
/// Analyzer and code-fix verification against net10.0 with Npgsql, Dapper and the PgBorrow runtime
/// referenced. Expected diagnostics are written as markup in the source: <c>{|PGB001:tx|}</c>.
/// Sources get the usings a service file usually has, so test bodies stay short.
/// </summary>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public const string Usings = """
        using System;
        using System.Collections.Generic;
        using System.Data;
        using System.Data.Common;
        using System.Threading;
        using System.Threading.Tasks;
        using Npgsql;
        using PgBorrow;

        """;

    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
        => AnalyzerAsync(source, editorConfig: null, expected);

    public static async Task AnalyzerAsync(string source, string? editorConfig, params DiagnosticResult[] expected)
    {
        var testCode = Usings + source;
        var test = new AnalyzerTest { TestCode = testCode };
        if (editorConfig is not null)
            test.TestState.AnalyzerConfigFiles.Add(("/.editorconfig", "root = true\n[*]\n" + editorConfig));
        test.ExpectedDiagnostics.AddRange(MarkupLines.Resolve(testCode, expected));
        await test.RunAsync();
    }

    /// <summary>Verifies the diagnostics in <paramref name="source"/>, the fix of each one and Fix All.</summary>
    public static async Task CodeFixAsync<TCodeFix>(string source, string fixedSource, int? iterations = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CodeFixTest<TCodeFix> { TestCode = Usings + source, FixedCode = Usings + fixedSource };
        if (iterations is int count)
        {
            test.NumberOfIncrementalIterations = count;
            test.NumberOfFixAllIterations = count;
        }
        await test.RunAsync();
    }

    sealed class AnalyzerTest : CSharpAnalyzerTest<TAnalyzer, DefaultVerifier>
    {
        public AnalyzerTest()
        {
            ReferenceAssemblies = TestReferences.Net100;
            TestState.AdditionalReferences.AddRange(TestReferences.Libraries);
            // A rule may have a second message for the same id (PGB201/PGB203 on text assembled in another member).
            MarkupOptions = MarkupOptions.UseFirstDescriptor;
        }
    }

    sealed class CodeFixTest<TCodeFix> : CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier>
        where TCodeFix : CodeFixProvider, new()
    {
        public CodeFixTest()
        {
            ReferenceAssemblies = TestReferences.Net100;
            TestState.AdditionalReferences.AddRange(TestReferences.Libraries);
            FixedState.AdditionalReferences.AddRange(TestReferences.Libraries);
            // Markup left in the fixed source marks the instances the fix declines: they are expected there.
            FixedState.MarkupHandling = MarkupMode.Allow;
            MarkupOptions = MarkupOptions.UseFirstDescriptor;
        }
    }
}
