using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.FlowAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

internal sealed partial class OwnershipAnalysis
{
    /// <summary>
    /// A worklist over the blocks of the method (outside every finally region), or over the blocks of
    /// one finally region (outside the finally regions nested in it).
    /// </summary>
    sealed class Run
    {
        readonly OwnershipAnalysis _analysis;
        readonly ControlFlowRegion? _finallyRegion;
        // Indexed by block ordinal. A run is made for every finally region entered with a new state,
        // so these are plain arrays (a dictionary and a sorted set allocated per run cost more than
        // the run): the worklist is the set of pending ordinals, taken lowest first.
        readonly FlowState?[] _inputs;
        readonly bool[] _pending;
        int _pendingCount;
        int _lowestPending;

        public Run(OwnershipAnalysis analysis, ControlFlowRegion? finallyRegion)
        {
            _analysis = analysis;
            _finallyRegion = finallyRegion;
            var blockCount = analysis._scope.Graph.Blocks.Length;
            _inputs = new FlowState?[blockCount];
            _pending = new bool[blockCount];
            _lowestPending = blockCount;
        }

        void AddPending(int ordinal)
        {
            if (_pending[ordinal])
                return;
            _pending[ordinal] = true;
            _pendingCount++;
            if (ordinal < _lowestPending)
                _lowestPending = ordinal;
        }

        int TakeLowestPending()
        {
            var ordinal = _lowestPending;
            while (!_pending[ordinal])
                ordinal++;
            _pending[ordinal] = false;
            _pendingCount--;
            _lowestPending = ordinal + 1;
            return ordinal;
        }

        /// <summary>The state leaving the finally region (only for finally runs).</summary>
        public FlowState? FinallyExit { get; private set; }

        ControlFlowGraph Graph => _analysis._scope.Graph;

        public void Join(BasicBlock block, FlowState state)
        {
            if (!Owns(block))
                return;
            if (_inputs[block.Ordinal] is FlowState existing)
            {
                if (existing.JoinWith(state))
                    AddPending(block.Ordinal);
            }
            else
            {
                _inputs[block.Ordinal] = state.Clone();
                AddPending(block.Ordinal);
            }
        }

        public void Iterate()
        {
            while (_pendingCount > 0)
            {
                var ordinal = TakeLowestPending();
                _analysis.CountVisit();
                Process(Graph.Blocks[ordinal], _inputs[ordinal]!.Clone());
            }
        }

        /// <summary>One more pass over the fixed point, with reporting on.</summary>
        public void ReportPass()
        {
            foreach (var block in Graph.Blocks)
            {
                if (_inputs[block.Ordinal] is FlowState input)
                    Process(block, input.Clone());
            }
        }

        bool Owns(BasicBlock block) => InnermostFinally(block.EnclosingRegion) == _finallyRegion;

        static ControlFlowRegion? InnermostFinally(ControlFlowRegion? region)
        {
            for (; region is not null; region = region.EnclosingRegion)
            {
                if (region.Kind == ControlFlowRegionKind.Finally)
                    return region;
            }
            return null;
        }

        void Process(BasicBlock block, FlowState state)
        {
            if (block.Kind == BasicBlockKind.Exit)
                return;

            var context = new TransferContext(_analysis, this, block);
            foreach (var operation in block.Operations)
                context.Transfer(operation, state);

            var branch = block.FallThroughSuccessor;
            if (block.BranchValue is not null)
            {
                context.Transfer(block.BranchValue, state);
                if (block.ConditionKind == ControlFlowConditionKind.None && branch?.Semantics == ControlFlowBranchSemantics.Return)
                    _analysis.Move(block.BranchValue, state);
            }

            if (block.ConditionKind != ControlFlowConditionKind.None)
            {
                var whenConditionHolds = state.Clone();
                var otherwise = state;
                if (!_analysis.Refine(block.BranchValue!, block.ConditionKind == ControlFlowConditionKind.WhenTrue, whenConditionHolds, otherwise, out var conditionalFeasible, out var fallThroughFeasible))
                {
                    conditionalFeasible = true;
                    fallThroughFeasible = true;
                }
                if (conditionalFeasible && block.ConditionalSuccessor is not null)
                    Flow(block, block.ConditionalSuccessor, whenConditionHolds);
                if (fallThroughFeasible && branch is not null)
                    Flow(block, branch, otherwise);
                return;
            }

            if (branch is not null)
                Flow(block, branch, state);
        }

        void Flow(BasicBlock source, ControlFlowBranch branch, FlowState state)
        {
            switch (branch.Semantics)
            {
                case ControlFlowBranchSemantics.Throw:
                case ControlFlowBranchSemantics.Rethrow:
                    _analysis.PropagateException(source.EnclosingRegion, state, ThrowName(source), source.BranchValue?.Syntax ?? LastSyntax(source), this);
                    return;
                case ControlFlowBranchSemantics.StructuredExceptionHandling:
                    if (_finallyRegion is not null)
                    {
                        if (FinallyExit is null)
                            FinallyExit = state.Clone();
                        else
                            FinallyExit.JoinWith(state);
                    }
                    return;
                case ControlFlowBranchSemantics.Error:
                case ControlFlowBranchSemantics.ProgramTermination:
                case ControlFlowBranchSemantics.None:
                    return;
            }

            foreach (var finallyRegion in branch.FinallyRegions)
                state = _analysis.RunFinally(finallyRegion, state);

            if (branch.Destination is null)
                return;
            if (branch.Destination.Kind == BasicBlockKind.Exit)
            {
                _analysis.NormalExit(source, state);
                return;
            }
            Join(branch.Destination, state);
        }

        static string ThrowName(BasicBlock block)
            => block.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Rethrow ? "throw;" : "throw";

        SyntaxNode LastSyntax(BasicBlock block)
            => block.Operations.Length > 0 ? block.Operations[block.Operations.Length - 1].Syntax : Graph.OriginalOperation.Syntax;

        /// <summary>Joins an exception's state into a catch or filter handler of this run.</summary>
        public void JoinHandler(ControlFlowRegion handler, FlowState state)
            => Join(Graph.Blocks[handler.FirstBlockOrdinal], state);
    }

    /// <summary>
    /// Runs a finally region on <paramref name="state"/> and returns the state leaving it. Every
    /// throwing point inside a few nested <c>using</c>s runs the same finally regions on the same
    /// state, so results are memoized per region and input (separately for the reporting pass,
    /// whose first run of a region and state reports what that run finds).
    /// </summary>
    /// <remarks>
    /// Neither <paramref name="state"/> nor the result is changed here, and the result may be the
    /// memoized state itself: callers only read it or join it into a block (which copies), so no
    /// copy is made per throwing point (copies were a third of the engine's time).
    /// </remarks>
    FlowState RunFinally(ControlFlowRegion finallyRegion, FlowState state)
    {
        var pass = !_reporting ? FinallyPass.Iterating
            : _exceptionalFinallyRuns > 0 ? FinallyPass.ReportingExceptional
            : FinallyPass.ReportingNormal;
        var key = (finallyRegion.FirstBlockOrdinal, pass, state);
        if (_finallyResults.TryGetValue(key, out var cached))
            return cached;

        // The caller goes on changing its state after this: the memo keeps copies of what it was.
        var input = state.Clone();
        var run = new Run(this, finallyRegion);
        run.Join(_scope.Graph.Blocks[finallyRegion.FirstBlockOrdinal], state);
        run.Iterate();
        if (_reporting)
            run.ReportPass();
        var result = run.FinallyExit ?? input;
        _finallyResults[(finallyRegion.FirstBlockOrdinal, pass, input)] = result;
        return result;
    }

    /// <summary>
    /// Sends the state at a throwing point outward: into the catch handlers of enclosing try regions,
    /// through finally regions, and out of the method as an exceptional exit.
    /// </summary>
    void PropagateException(ControlFlowRegion? region, FlowState state, string thrower, SyntaxNode throwSyntax, Run run)
    {
        // While iterating, an exception only matters where a catch handler of this run receives its
        // state; exceptional exits and what finally runs find are read in the reporting pass. Most
        // throwing points (every call in a `using` body) reach no catch, and following them through
        // the finally regions was most of the iteration's work.
        if (!_reporting && !ReachesCatchHandler(region))
            return;
        while (region is not null)
        {
            var parent = region.EnclosingRegion;
            switch (region.Kind)
            {
                case ControlFlowRegionKind.Try when parent?.Kind == ControlFlowRegionKind.TryAndFinally:
                    _exceptionalFinallyRuns++;
                    try
                    {
                        state = RunFinally(parent.NestedRegions[1], state);
                    }
                    finally
                    {
                        _exceptionalFinallyRuns--;
                    }
                    region = parent.EnclosingRegion;
                    continue;

                case ControlFlowRegionKind.Try when parent?.Kind == ControlFlowRegionKind.TryAndCatch:
                    var caughtAll = false;
                    for (var i = 1; i < parent.NestedRegions.Length; i++)
                    {
                        var handler = parent.NestedRegions[i];
                        run.JoinHandler(handler, state);
                        if (handler.Kind == ControlFlowRegionKind.Catch && CatchesEverything(handler.ExceptionType))
                            caughtAll = true;
                    }
                    if (caughtAll)
                        return;
                    region = parent.EnclosingRegion;
                    continue;

                case ControlFlowRegionKind.Catch or ControlFlowRegionKind.Filter or ControlFlowRegionKind.FilterAndHandler:
                    // Thrown by a handler: it leaves the whole try/catch.
                    while (region is not null && region.Kind != ControlFlowRegionKind.TryAndCatch)
                        region = region.EnclosingRegion;
                    region = region?.EnclosingRegion;
                    continue;

                case ControlFlowRegionKind.Finally:
                    // An exception thrown inside a finally block: not followed (rare, and its state
                    // is the one the finally was entered with).
                    return;

                case ControlFlowRegionKind.Root:
                    ExceptionalExit(state, thrower, throwSyntax);
                    return;

                default:
                    region = parent;
                    continue;
            }
        }
    }

    readonly Dictionary<ControlFlowRegion, bool> _reachesCatchHandler = new();

    /// <summary>
    /// Whether an exception thrown in <paramref name="region"/> can reach a catch or filter handler:
    /// the walk of <see cref="PropagateException"/>, without states.
    /// </summary>
    bool ReachesCatchHandler(ControlFlowRegion? start)
    {
        if (start is null)
            return false;
        if (_reachesCatchHandler.TryGetValue(start, out var known))
            return known;
        var reaches = false;
        for (var region = start; region is not null;)
        {
            var parent = region.EnclosingRegion;
            if (region.Kind == ControlFlowRegionKind.Try && parent?.Kind == ControlFlowRegionKind.TryAndCatch)
            {
                reaches = true;
                break;
            }
            if (region.Kind is ControlFlowRegionKind.Finally or ControlFlowRegionKind.Root)
                break;
            if (region.Kind == ControlFlowRegionKind.Try && parent?.Kind == ControlFlowRegionKind.TryAndFinally)
            {
                region = parent.EnclosingRegion;
                continue;
            }
            if (region.Kind is ControlFlowRegionKind.Catch or ControlFlowRegionKind.Filter or ControlFlowRegionKind.FilterAndHandler)
            {
                while (region is not null && region.Kind != ControlFlowRegionKind.TryAndCatch)
                    region = region.EnclosingRegion;
                region = region?.EnclosingRegion;
                continue;
            }
            region = parent;
        }
        _reachesCatchHandler[start] = reaches;
        return reaches;
    }

    bool CatchesEverything(ITypeSymbol? exceptionType)
        => exceptionType is null
        || exceptionType.SpecialType == SpecialType.System_Object
        || SymbolEqualityComparer.Default.Equals(exceptionType, _scope.Symbols.SystemException);

    void NormalExit(BasicBlock source, FlowState state)
    {
        if (!_reporting)
        {
            _normalExitStates.Add(state.Clone());
            return;
        }

        foreach (var resource in _scope.Resources)
        {
            if (!resource.IsOwned)
                continue;
            var flags = state[resource.Index];
            var open = (flags & ValueFlags.Open) != 0
                || (resource.Kind == ResourceKind.Transaction && (flags & ValueFlags.EndedWithConnection) != 0);
            // A pg_try_advisory_lock's result decides whether anything is held; the engine does not
            // follow it, so only exception paths are judged for try-only locks.
            if (resource.Kind == ResourceKind.AdvisoryLock && resource.OnlyTryLocks)
                open = false;
            if (open && _reportedExits.Add(resource))
                _report.OpenAtExit.Add(new OpenAtExit(resource, ExitLine(source)));
        }
    }

    int ExitLine(BasicBlock source)
    {
        // `if (x) return;`: the exit leaves from the condition's block; name the return statement.
        if (source.ConditionKind != ControlFlowConditionKind.None && source.BranchValue?.Syntax.Parent is Microsoft.CodeAnalysis.CSharp.Syntax.IfStatementSyntax ifStatement)
        {
            var taken = ifStatement.Statement is Microsoft.CodeAnalysis.CSharp.Syntax.BlockSyntax { Statements.Count: > 0 } block ? block.Statements[0] : ifStatement.Statement;
            if (taken is Microsoft.CodeAnalysis.CSharp.Syntax.ReturnStatementSyntax)
                return LineOf(taken);
            if (ifStatement.Else?.Statement is Microsoft.CodeAnalysis.CSharp.Syntax.ReturnStatementSyntax elseReturn)
                return LineOf(elseReturn);
        }
        if (source.BranchValue is not null)
            return LineOf(source.BranchValue);
        var syntax = _scope.Graph.OriginalOperation.Syntax;
        var lastLine = syntax.GetLocation().GetLineSpan().EndLinePosition.Line + 1;
        if (source.Operations.Length > 0)
        {
            // A `return;` has no operation of its own: the last statement before it is the best anchor.
            var last = source.Operations[source.Operations.Length - 1];
            if (last.Syntax.Parent?.Parent is not null && source.FallThroughSuccessor?.Semantics == ControlFlowBranchSemantics.Regular)
            {
                var returnStatement = FollowingReturn(last.Syntax);
                if (returnStatement is not null)
                    return LineOf(returnStatement);
            }
        }
        return lastLine;
    }

    static SyntaxNode? FollowingReturn(SyntaxNode syntax)
    {
        // Walk up to the statement and look at the next statement in the same block.
        var statement = syntax;
        while (statement.Parent is not null && statement.Parent.RawKind != (int)Microsoft.CodeAnalysis.CSharp.SyntaxKind.Block)
            statement = statement.Parent;
        if (statement.Parent is null)
            return null;
        var found = false;
        foreach (var sibling in statement.Parent.ChildNodes())
        {
            if (found)
                return sibling is Microsoft.CodeAnalysis.CSharp.Syntax.ReturnStatementSyntax ? sibling : null;
            if (sibling == statement)
                found = true;
        }
        return null;
    }

    void ExceptionalExit(FlowState state, string thrower, SyntaxNode throwSyntax)
    {
        if (!_reporting)
            return;
        foreach (var resource in _scope.Resources)
        {
            if (resource.IsOwned && (state[resource.Index] & ValueFlags.Open) != 0)
                _report.OpenOnException.Add(new OpenOnException(resource, thrower, LineOf(throwSyntax)));
        }
    }
}
