using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// Per-compilation home of the engine: the resolved Npgsql symbols, the callee summaries, and one
/// report per analyzed member, so that the engine runs once per method whatever the number of
/// rules reading its result.
/// </summary>
internal sealed class OwnershipAnalysisCache
{
    static readonly ConditionalWeakTable<Compilation, Holder> s_caches = new();

    readonly NpgsqlSymbols _symbols;
    readonly OwnershipTakingMethods _takers;
    readonly ConcurrentDictionary<SyntaxNode, System.Lazy<OwnershipReport>> _reports = new();

    OwnershipAnalysisCache(Compilation compilation, NpgsqlSymbols symbols)
    {
        _symbols = symbols;
        _takers = new OwnershipTakingMethods(compilation, symbols);
        BlockingHelpers = new BlockingHelpers(compilation, symbols, _takers);
    }

    /// <summary>What a method of this compilation hands its caller to own, if anything (a factory summary).</summary>
    public ResourceKind? FactoryKind(IMethodSymbol method) => _takers.ReturnedOwnedKind(method, 0);

    /// <summary>The compilation's synchronous helpers that block on the database (PGB005).</summary>
    public BlockingHelpers BlockingHelpers { get; }

    sealed class Holder
    {
        public Holder(OwnershipAnalysisCache? cache) => Cache = cache;

        public OwnershipAnalysisCache? Cache { get; }
    }

    /// <summary>The cache for a compilation, or null when it does not reference Npgsql.</summary>
    public static OwnershipAnalysisCache? For(Compilation compilation, AnalyzerOptions options)
        => s_caches.GetValue(compilation, c => new Holder(NpgsqlSymbols.TryCreate(c, options) is NpgsqlSymbols symbols ? new OwnershipAnalysisCache(c, symbols) : null)).Cache;

    public OwnershipReport Analyze(OperationBlockAnalysisContext context)
    {
        foreach (var block in context.OperationBlocks)
        {
            // Method bodies arrive as the body's block, whose parent is the IMethodBodyOperation; the
            // context builds (and caches) the graph of the whole body from any of its blocks.
            var root = block;
            while (root.Parent is not null)
                root = root.Parent;
            if (root is IMethodBodyBaseOperation or IFieldInitializerOperation or IPropertyInitializerOperation)
                {
                // Lazy: rules run concurrently on the same body, and the engine must run only once.
                var lazy = _reports.GetOrAdd(root.Syntax, _ => new System.Lazy<OwnershipReport>(() => Compute(context, block)));
                try
                {
                    return lazy.Value;
                }
                catch (System.OperationCanceledException)
                {
                    // The run that was computing it belonged to a cancelled request (an IDE
                    // keystroke). Forget it; compute again unless this request is cancelled too.
                    _reports.TryRemove(root.Syntax, out _);
                    context.CancellationToken.ThrowIfCancellationRequested();
                    return Compute(context, block);
                }
            }
        }
        return OwnershipReport.Empty;
    }

    OwnershipReport Compute(OperationBlockAnalysisContext context, IOperation block)
    {
        if (!MentionsNpgsql(block))
            return OwnershipReport.Empty;
        ControlFlowGraph graph;
        try
        {
            graph = context.GetControlFlowGraph(block);
        }
        catch (System.ArgumentException)
        {
            return OwnershipReport.Empty; // not a body the compiler can build a graph for
        }
        var report = OwnershipAnalysis.AnalyzeMethod(graph, _symbols, _takers, context.CancellationToken);
        return report.IsEmpty ? OwnershipReport.Empty : report;
    }

    /// <summary>Cheap pre-filter: build a graph only for bodies that touch an Npgsql or ADO.NET type.</summary>
    bool MentionsNpgsql(IOperation block)
    {
        foreach (var operation in block.Descendants())
        {
            if (operation is IInvocationOperation or IObjectCreationOperation or IAwaitOperation or ILocalReferenceOperation or IParameterReferenceOperation or IFieldReferenceOperation or IPropertyReferenceOperation
                && _symbols.IsDatabaseType(operation.Type))
            {
                return true;
            }
        }
        return false;
    }
}
