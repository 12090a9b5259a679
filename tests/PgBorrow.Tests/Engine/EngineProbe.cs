using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Ownership;
using Xunit;
using Xunit.Abstractions;

namespace PgBorrow.Tests.Engine;

public class EngineProbe(ITestOutputHelper output)
{
    [Fact]
    public async System.Threading.Tasks.Task Probe()
    {
        var source = PgBorrow.Tests.Infrastructure.Verify<PgBorrow.Analyzers.Rules.TransactionMayBeLeftOpenAnalyzer>.Usings + """
            class Orders
            {
                void Place(NpgsqlConnection conn)
                {
                    var tx = conn.BeginTransaction();
                    using var cmd = new NpgsqlCommand("INSERT INTO orders DEFAULT VALUES", conn, tx);
                    cmd.ExecuteNonQuery();
                }
            }
            """;
        var tree = CSharpSyntaxTree.ParseText(source);
        var refs = System.AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!.ToString()!.Split(System.IO.Path.PathSeparator).Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToList();
        refs.AddRange(PgBorrow.Tests.Infrastructure.TestReferences.Libraries);
        var compilation = CSharpCompilation.Create("t", new[] { tree }, refs, new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary));
        var model = compilation.GetSemanticModel(tree);
        var method = tree.GetRoot().DescendantNodes().OfType<MethodDeclarationSyntax>().First();
        var body = (IMethodBodyOperation)model.GetOperation(method)!;
        var graph = ControlFlowGraph.Create(body);
        foreach (var block in graph.Blocks)
        {
            output.WriteLine($"B{block.Ordinal} {block.Kind} region={block.EnclosingRegion.Kind} cond={block.ConditionKind}");
            foreach (var op in block.Operations)
                output.WriteLine("   " + op.Kind + ": " + op.Syntax);
            if (block.BranchValue != null) output.WriteLine("   branch " + block.BranchValue.Kind + ": " + block.BranchValue.Syntax);
        }
        var symbols = NpgsqlSymbols.TryCreate(compilation)!;
        var report = OwnershipAnalysis.AnalyzeMethod(graph, symbols, new OwnershipTakingMethods(compilation, symbols), default);
        output.WriteLine("open at exit: " + report.OpenAtExit.Count + " exc: " + report.OpenOnException.Count);
        Assert.NotEmpty(report.OpenAtExit);
        var withAnalyzers = compilation.WithAnalyzers(System.Collections.Immutable.ImmutableArray.Create<Microsoft.CodeAnalysis.Diagnostics.DiagnosticAnalyzer>(new PgBorrow.Analyzers.Rules.TransactionMayBeLeftOpenAnalyzer()),
            new Microsoft.CodeAnalysis.Diagnostics.CompilationWithAnalyzersOptions(null!, (e, a, d) => output.WriteLine("EXC " + e), false, false));
        foreach (var d in await withAnalyzers.GetAllDiagnosticsAsync()) output.WriteLine("DIAG " + d);
    }
}
