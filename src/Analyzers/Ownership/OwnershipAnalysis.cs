using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// The ownership engine: one forward data-flow analysis over a <see cref="ControlFlowGraph"/>,
/// shared by every lifetime rule.
/// </summary>
/// <remarks>
/// <para>The state (<see cref="FlowState"/>) is, per tracked value, the set of things it may be on
/// the paths reaching a point. Blocks are processed operation by operation, because several
/// statements can share a block.</para>
/// <para>Exceptions have no edges in Roslyn's graph. Every operation that can throw (invocation,
/// object creation, await, throw) sends the state at that point outward through the enclosing
/// regions: into catch handlers, through finally regions (run on that state), and out of the
/// method, where it is an exceptional exit.</para>
/// <para>Finally regions have no predecessors either: a branch lists the finally regions it runs,
/// and the engine runs them on the branch's state (<see cref="RunFinally"/>), so that the normal and
/// the exceptional paths through one finally stay apart.</para>
/// <para>The analysis runs to a fixed point first and reports only in a last pass over the final
/// states, so that no finding comes from a state a later iteration would widen.</para>
/// </remarks>
internal sealed partial class OwnershipAnalysis
{
    /// <summary>Upper bound on block visits per graph, as a multiple of its block count.</summary>
    const int VisitBudgetPerBlock = 40;

    readonly MethodScope _scope;
    readonly OwnershipTakingMethods _takers;
    readonly OwnershipReport _report;
    readonly int _depth;
    readonly Dictionary<IMethodSymbol, LocalFunctionSummary> _localFunctions = new(SymbolEqualityComparer.Default);
    readonly Dictionary<IFlowAnonymousFunctionOperation, HashSet<ISymbol>> _lambdaTakes = new();
    readonly HashSet<(TrackedResource, Location)> _reportedUses = new();
    readonly HashSet<TrackedResource> _reportedExits = new();
    readonly Dictionary<(int Region, FinallyPass Pass, FlowState Input), FlowState> _finallyResults = new();
    int _visits;
    bool _reporting;

    /// <summary>How many finally runs entered by an exception are on the stack (their disposes are not normal-path disposes).</summary>
    int _exceptionalFinallyRuns;

    /// <summary>
    /// Which pass runs a finally region, for memoizing its result: the reporting pass records what a
    /// using's Dispose finds on normal paths, so it keeps normal and exceptional entries apart.
    /// </summary>
    enum FinallyPass : byte
    {
        Iterating,
        ReportingNormal,
        ReportingExceptional,
    }

    /// <summary>Normal-exit states, for summaries: does the method release a parameter on every path?</summary>
    readonly List<FlowState> _normalExitStates = new();

    /// <summary>Captured values this graph completes, disposes or moves somewhere (lambdas and local functions).</summary>
    readonly HashSet<ISymbol> _touchedCaptures = new(SymbolEqualityComparer.Default);

    OwnershipAnalysis(MethodScope scope, OwnershipTakingMethods takers, OwnershipReport report, int depth)
    {
        _scope = scope;
        _takers = takers;
        _report = report;
        _depth = depth;
    }

    sealed class LocalFunctionSummary
    {
        public HashSet<ISymbol> TouchedCaptures { get; } = new(SymbolEqualityComparer.Default);
        public HashSet<int> TakenParameters { get; } = new();
    }

    sealed class AbortAnalysisException : Exception
    {
    }

    /// <summary>Analyzes a method body and every lambda and local function in it.</summary>
    public static OwnershipReport AnalyzeMethod(ControlFlowGraph graph, NpgsqlSymbols symbols, OwnershipTakingMethods takers, CancellationToken cancellationToken)
    {
        var report = new OwnershipReport();
        try
        {
            var scope = new MethodScope(graph, symbols, takers, 0, Array.Empty<(ISymbol, bool)>(), cancellationToken);
            var analysis = new OwnershipAnalysis(scope, takers, report, depth: 0);
            analysis.Execute();
        }
        catch (AbortAnalysisException)
        {
            // Too large or too deep to finish within budget: say nothing rather than guess.
            return OwnershipReport.Empty;
        }
        return report;
    }

    /// <summary>
    /// True when the body releases (completes, disposes or moves) <paramref name="parameter"/> on
    /// every normal path: the method takes ownership of what its caller passes there.
    /// </summary>
    public static bool ReleasesOnEveryPath(ControlFlowGraph graph, IParameterSymbol parameter, NpgsqlSymbols symbols, OwnershipTakingMethods takers, int depth, CancellationToken cancellationToken)
    {
        try
        {
            var scope = new MethodScope(graph, symbols, takers, depth, new[] { ((ISymbol)parameter, true) }, cancellationToken);
            var analysis = new OwnershipAnalysis(scope, takers, new OwnershipReport(), depth);
            analysis.Execute();
            return analysis.Releases(parameter);
        }
        catch (AbortAnalysisException)
        {
            return true; // unknown: precision first, assume the callee takes it.
        }
    }

    bool Releases(ISymbol symbol)
    {
        var resource = _scope.Resource(symbol);
        if (resource is null)
            return false;
        if (_normalExitStates.Count == 0)
            return true; // never returns normally (always throws)
        foreach (var state in _normalExitStates)
        {
            if ((state[resource.Index] & (ValueFlags.Open | ValueFlags.Unset)) != 0)
                return false;
        }
        return true;
    }

    void Execute()
    {
        AnalyzeNestedFunctions();

        var main = new Run(this, finallyRegion: null);
        var entry = _scope.Graph.Blocks[0];
        main.Join(entry, InitialState());
        main.Iterate();

        _reporting = true;
        main.ReportPass();
        ReportNeverCommitted();
    }

    /// <summary>
    /// The first piece of work each owned transaction saw: a statement that writes (or whose SQL is not
    /// known), or a call outside the database libraries it was handed to. A transaction that only ran
    /// known read-only SQL loses nothing when it is rolled back.
    /// </summary>
    readonly Dictionary<TrackedResource, (string Work, int Line)> _workIn = new();

    void WorkRuns(TrackedResource transaction, string work, IOperation site)
    {
        if (transaction.Kind == ResourceKind.Transaction && transaction.IsOwned && !_workIn.ContainsKey(transaction))
            _workIn[transaction] = (work, LineOf(site));
    }

    /// <summary>
    /// An owned transaction with work in it whose every normal exit finds it disposed and nothing else:
    /// never committed, never rolled back on purpose, never handed on (see <see cref="Ownership.NeverCommitted"/>).
    /// </summary>
    void ReportNeverCommitted()
    {
        if (_workIn.Count == 0 || _normalExitStates.Count == 0)
            return;
        foreach (var pair in _workIn)
        {
            var transaction = pair.Key;
            var disposeLine = 0;
            foreach (var state in _normalExitStates)
            {
                if (state[transaction.Index] != ValueFlags.Disposed)
                {
                    disposeLine = -1;
                    break;
                }
                disposeLine = System.Math.Max(disposeLine, state.CompletionLine(transaction.Index));
            }
            if (disposeLine > 0)
                _report.NeverCommitted.Add(new NeverCommitted(transaction, disposeLine, pair.Value.Work, pair.Value.Line));
        }
    }

    FlowState InitialState()
    {
        var state = new FlowState(_scope.Resources.Count, _scope.BoolCount);
        foreach (var resource in _scope.Resources)
        {
            state[resource.Index] = resource.OpenedHere ? ValueFlags.Unset
                : resource.Symbol is IParameterSymbol || !resource.IsOwned ? ValueFlags.Open : ValueFlags.Unset;
            if (resource.Symbol is IParameterSymbol parameter && _scope.ParametersBegunInto.Contains(parameter))
                state.AddActivity(resource.Index, TransactionActivity.CallersValue);
        }
        return state;
    }

    /// <summary>
    /// Lambdas and local functions get their own graphs. What they do to a captured value decides
    /// what creating (lambda) or calling (local function) them does to it in this graph.
    /// </summary>
    void AnalyzeNestedFunctions()
    {
        foreach (var localFunction in _scope.Graph.LocalFunctions)
        {
            var graph = _scope.Graph.GetLocalFunctionControlFlowGraph(localFunction, _scope.CancellationToken);
            var summary = new LocalFunctionSummary();
            _localFunctions[localFunction] = summary;
            var nested = AnalyzeNested(graph, localFunction.Parameters);
            summary.TouchedCaptures.UnionWith(nested._touchedCaptures);
            if (GraphTouchesDatabase(graph))
                _databaseLocalFunctions.Add(localFunction);
            foreach (var parameter in localFunction.Parameters)
            {
                if (nested._scope.Resource(parameter) is not null && nested.Releases(parameter))
                    summary.TakenParameters.Add(parameter.Ordinal);
            }
        }

        foreach (var (node, _) in _scope.Nodes)
        {
            if (node is IFlowAnonymousFunctionOperation lambda)
            {
                var graph = _scope.Graph.GetAnonymousFunctionControlFlowGraph(lambda, _scope.CancellationToken);
                var nested = AnalyzeNested(graph, lambda.Symbol.Parameters);
                _lambdaTakes[lambda] = nested._touchedCaptures;
            }
        }
    }

    OwnershipAnalysis AnalyzeNested(ControlFlowGraph graph, System.Collections.Immutable.ImmutableArray<IParameterSymbol> parameters)
    {
        // Captured values are borrowed inside the nested function: it may use them, and whatever it
        // completes there counts as taken from the enclosing method.
        var outer = new List<(ISymbol, bool)>();
        foreach (var resource in _scope.Resources)
        {
            if (resource.Symbol is not null)
                outer.Add((resource.Symbol, false));
        }
        foreach (var parameter in parameters)
            outer.Add((parameter, _scope.Symbols.IsOwned(parameter)));

        var scope = new MethodScope(graph, _scope.Symbols, _takers, _depth, outer, _scope.CancellationToken);
        foreach (var resource in _scope.Resources)
        {
            if (scope.Resource(resource.Symbol) is TrackedResource captured)
                captured.IsCaptured = true;
        }
        foreach (var pair in _scope.CommandConnections)
            scope.CommandConnections[pair.Key] = pair.Value;
        foreach (var pair in _scope.CommandTransactions)
            scope.CommandTransactions[pair.Key] = pair.Value;
        var nested = new OwnershipAnalysis(scope, _takers, _report, _depth);
        nested.Execute();
        return nested;
    }

    void CountVisit()
    {
        _scope.CancellationToken.ThrowIfCancellationRequested();
        if (++_visits > VisitBudgetPerBlock * (_scope.Graph.Blocks.Length + 10))
            throw new AbortAnalysisException();
    }

    static int LineOf(IOperation operation) => LineOf(operation.Syntax);

    readonly Dictionary<SyntaxNode, int> _completionLines = new();

    /// <summary>
    /// <see cref="LineOf(SyntaxNode)"/>, remembered: every visit of a block (and every finally run)
    /// completes its values again, and mapping a position to a line each time was a visible cost.
    /// </summary>
    /// <summary>Where a completion happens, for messages: a using's implicit Dispose at the end of its scope.</summary>
    int CompletionLineOf(IOperation operation)
    {
        var syntax = operation.Syntax;
        if (!_completionLines.TryGetValue(syntax, out var line))
        {
            line = operation.IsImplicit ? EndOfUsingScope(syntax) : LineOf(syntax);
            _completionLines[syntax] = line;
        }
        return line;
    }

    static int LineOf(SyntaxNode syntax) => syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
}
