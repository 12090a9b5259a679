using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// Base of the rules that judge what a type does with the resources it keeps in fields (PGB010, PGB011). For every
/// type with a connection, transaction or reader field or auto-property, the type's bodies are read into one
/// <see cref="OwnedMembers"/> fact set (concurrently, as the compiler analyses them), settled at the type's end,
/// and handed to the rule, which only decides what to report.
/// </summary>
public abstract class OwnedMembersRuleAnalyzer : DiagnosticAnalyzer
{
    private protected abstract DiagnosticDescriptor Rule { get; }

    public sealed override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics => ImmutableArray.Create(Rule);

    public sealed override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterCompilationStartAction(start =>
        {
            if (NpgsqlSymbols.TryCreate(start.Compilation, start.Options) is not NpgsqlSymbols symbols
                || OwnershipAnalysisCache.For(start.Compilation, start.Options) is not OwnershipAnalysisCache cache)
                return;
            start.RegisterSymbolStartAction(type => StartType(type, symbols, cache), SymbolKind.NamedType);
        });
    }

    void StartType(SymbolStartAnalysisContext start, NpgsqlSymbols symbols, OwnershipAnalysisCache cache)
    {
        var type = (INamedTypeSymbol)start.Symbol;
        var facts = new OwnedMembers(type, symbols, cache.FactoryKind);
        if (facts.Members.Count == 0)
            return;
        start.RegisterOperationBlockAction(block => facts.Read(block.OwningSymbol, block.OperationBlocks));
        start.RegisterSymbolEndAction(end =>
        {
            facts.Settle();
            Report(type, facts, end);
        });
    }

    /// <summary>Reports what the rule finds in the settled facts of one type.</summary>
    private protected abstract void Report(INamedTypeSymbol type, OwnedMembers facts, SymbolAnalysisContext end);
}
