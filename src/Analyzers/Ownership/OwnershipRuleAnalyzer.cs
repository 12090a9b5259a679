using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// Base of every rule that reads the ownership engine's result. The engine runs once per method
/// body and compilation (see <see cref="OwnershipAnalysisCache"/>), however many rules read it;
/// each rule only turns the findings it cares about into diagnostics.
/// </summary>
public abstract class OwnershipRuleAnalyzer : DiagnosticAnalyzer
{
    private protected abstract DiagnosticDescriptor Rule { get; }

    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            var cache = OwnershipAnalysisCache.For(start.Compilation, start.Options);
            if (cache is null)
                return; // Npgsql is not referenced: nothing to track.

            start.RegisterOperationBlockAction(block =>
            {
                var report = cache.Analyze(block);
                if (report != OwnershipReport.Empty)
                    Report(report, block);
            });
        });
    }

    private protected abstract void Report(OwnershipReport report, OperationBlockAnalysisContext context);
}
