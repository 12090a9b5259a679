using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;

namespace PgBorrow.Tests.Infrastructure;

/// <summary>Runs every PgBorrow analyzer at once, the way a user's build does.</summary>
internal static class VerifyAllRules
{
    public static IReadOnlyList<DiagnosticAnalyzer> CreateAnalyzers()
        => typeof(PgBorrow.Analyzers.RuleIdentifiers).Assembly.GetTypes()
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToList();

    public static async Task AnalyzerAsync(string source, params DiagnosticResult[] expected)
    {
        var testCode = Verify<PgBorrow.Analyzers.Rules.TransactionMayBeLeftOpenAnalyzer>.Usings + source;
        var test = new Test { TestCode = testCode };
        test.ExpectedDiagnostics.AddRange(MarkupLines.Resolve(testCode, expected));
        await test.RunAsync();
    }

    sealed class Test : CSharpAnalyzerTest<PgBorrow.Analyzers.Rules.TransactionMayBeLeftOpenAnalyzer, DefaultVerifier>
    {
        public Test()
        {
            ReferenceAssemblies = TestReferences.Net100;
            TestState.AdditionalReferences.AddRange(TestReferences.Libraries);
        }

        protected override IEnumerable<DiagnosticAnalyzer> GetDiagnosticAnalyzers() => CreateAnalyzers();
    }
}
