using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;
using PgBorrow.Analyzers.Ownership;

namespace PgBorrow.Analyzers.Rules;

/// <summary>
/// PGB011: a method stores a new connection, transaction or reader into a member the type owns while the member
/// may still hold the previous one, open or completed but not disposed: the previous one is lost without being
/// released. Rust: assigning to a field drops its old value first; C# does not.
/// </summary>
/// <remarks>
/// Two shapes are reported, both read for sure: a type whose Commit/Rollback completes the member without
/// disposing it or setting it to null (directly or through a helper of the type), and a method whose Begin stores
/// into the member when nothing in it before that (a dispose, a close, <c>_tx = null</c>, a helper of the type
/// that does one of those, or any test of the member: <c>if (_tx != null) throw</c>, <c>if (_tx == null)</c>)
/// clears it; and a method that stores into the member twice in a row in one block. Constructors, lazy
/// initialisation (<c>_conn ??= ...</c>) and members the type hands on (returns, passes out) are not judged.
/// </remarks>
[DiagnosticAnalyzer(LanguageNames.CSharp)]
public sealed class OwnedFieldOverwrittenWhileOpenAnalyzer : OwnedMembersRuleAnalyzer
{
    public static readonly DiagnosticDescriptor Descriptor = new(
        id: RuleIdentifiers.OwnedFieldOverwrittenWhileOpen,
        title: "Owned field overwritten while open",
        messageFormat: "'{0}' stores a new {1} in '{2}' while it may still hold the previous one: {3}; dispose the previous one first, or dispose it and set '{2}' to null where it completes",
        category: RuleCategories.Ownership,
        defaultSeverity: DiagnosticSeverity.Warning,
        isEnabledByDefault: true,
        description: "Storing a new connection, transaction or reader into a field that still holds the previous one loses the previous one without disposing it: an uncommitted transaction stays open on its connection, a connection stays out of the pool.",
        helpLinkUri: RuleIdentifiers.GetHelpUri(RuleIdentifiers.OwnedFieldOverwrittenWhileOpen));

    private protected override DiagnosticDescriptor Rule => Descriptor;

    private protected override void Report(INamedTypeSymbol type, OwnedMembers facts, SymbolAnalysisContext end)
    {
        var disposing = facts.Reachable(OwnedMembers.DisposeEntries(type).Concat(OwnedMembers.Overrides(type).Where(m => m.MethodKind == MethodKind.Destructor)));
        foreach (var pair in facts.Members)
        {
            var use = pair.Value;
            if (!use.IsOwned || use.HandedOn)
                continue;
            var noun = use.Kind switch
            {
                ResourceKind.Connection => "connection",
                ResourceKind.Transaction => "transaction",
                _ => "data reader",
            };
            var leftCompleted = CompletesWithoutReleasing(facts, use, disposing);
            var reported = new HashSet<IOperation>();
            foreach (var assignment in use.Assignments)
            {
                if (!assignment.Creates || assignment.Lazy || assignment.Method is not IMethodSymbol method
                    || method.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor || disposing.Contains(method)
                    || facts.OnlyConstructorsCall(method))
                    continue;
                if (SecondInARow(facts, pair.Key, use, assignment) is int line && reported.Add(assignment.Operation))
                {
                    end.ReportDiagnostic(Diagnostic.Create(Descriptor, assignment.Operation.Syntax.GetLocation(),
                        method.Name, noun, pair.Key.Name, $"the {noun} stored at line {line} is still there and nothing released it"));
                    continue;
                }
                if (ClearedBefore(facts, pair.Key, use, assignment.Operation))
                    continue;
                if (leftCompleted is not ISymbol completion)
                {
                    if (!KeptAfter(use, method) || RunsAgain(facts, pair.Key, use, method, disposing, depth: 0) is not string again || !reported.Add(assignment.Operation))
                        continue;
                    end.ReportDiagnostic(Diagnostic.Create(Descriptor, assignment.Operation.Syntax.GetLocation(),
                        method.Name, noun, pair.Key.Name, $"{again}, and nothing before that releases, clears or tests '{pair.Key.Name}'"));
                    continue;
                }
                if (reported.Add(assignment.Operation))
                    end.ReportDiagnostic(Diagnostic.Create(Descriptor, assignment.Operation.Syntax.GetLocation(),
                        method.Name, noun, pair.Key.Name,
                        $"'{completion.Name}' completes it without disposing it or setting '{pair.Key.Name}' to null, and nothing here clears it before storing the next"));
            }
        }
    }

    /// <summary>
    /// A method outside Dispose that commits or rolls the member back and never disposes it or sets it to null (nor
    /// calls a helper of the type that does): after it, the member holds a completed transaction nobody disposes.
    /// </summary>
    static ISymbol? CompletesWithoutReleasing(OwnedMembers facts, OwnedMembers.MemberUse use, HashSet<ISymbol> disposing)
    {
        foreach (var method in use.CompletedIn.OrderBy(m => m.Locations.Length > 0 ? m.Locations[0].SourceSpan.Start : 0))
        {
            if (disposing.Contains(method) || method is not IMethodSymbol completing)
                continue;
            if (OwnedMembers.ReleasesOrResets(use, facts.Reachable(new[] { completing })))
                continue;
            // A private step (RollbackLocal) whose every caller in the type also releases or clears the member
            // (Rollback: RollbackLocal(), then Dispose() in a finally) leaves nothing behind.
            var callers = facts.Callers(completing);
            if (completing.DeclaredAccessibility == Accessibility.Private && callers.Count > 0
                && callers.All(caller => caller is IMethodSymbol from && OwnedMembers.ReleasesOrResets(use, facts.Reachable(new[] { from }))))
                continue;
            return method;
        }
        return null;
    }

    /// <summary>
    /// Whether the method, before the assignment, clears the member or looks at it: a release or `= null` of it, a
    /// call to a helper of the type that does one, or a condition that tests it (a guard that throws or returns
    /// when it is set, or an `if (_tx == null)` around the assignment). Any test counts: silence over guessing.
    /// </summary>
    static bool ClearedBefore(OwnedMembers facts, ISymbol member, OwnedMembers.MemberUse use, IOperation at)
    {
        var root = at;
        while (root.Parent is not null)
            root = root.Parent;
        var position = at.Syntax.SpanStart;
        foreach (var operation in root.DescendantsAndSelf())
        {
            if (operation.Syntax.SpanStart >= position || operation.Syntax.SyntaxTree != at.Syntax.SyntaxTree)
                continue;
            switch (operation)
            {
                case IInvocationOperation { Instance: null or IInstanceReferenceOperation } call when facts.IsOwn(call.TargetMethod):
                    if (OwnedMembers.ReleasesOrResets(use, facts.Reachable(new[] { call.TargetMethod })))
                        return true;
                    break;
                case IConditionalOperation branch when Mentions(facts, branch.Condition, member):
                    return true;
                case ISwitchOperation choice when Mentions(facts, choice.Value, member):
                    return true;
                case IWhileLoopOperation loop when loop.Condition is not null && Mentions(facts, loop.Condition, member):
                    return true;
            }
        }
        foreach (var release in use.Releases)
        {
            if (release.Operation.Syntax.SyntaxTree == at.Syntax.SyntaxTree && release.Operation.Syntax.SpanStart < position && SameRoot(release.Operation, root))
                return true;
        }
        foreach (var reset in use.Resets)
        {
            if (reset.Operation.Syntax.SyntaxTree == at.Syntax.SyntaxTree && reset.Operation.Syntax.SpanStart < position && SameRoot(reset.Operation, root))
                return true;
        }
        return false;
    }

    /// <summary>The method leaves the value in the member: it does not release it or set it to null itself (a scoped use).</summary>
    static bool KeptAfter(OwnedMembers.MemberUse use, IMethodSymbol method)
        => !OwnedMembers.ReleasesOrResets(use, new HashSet<ISymbol>(SymbolEqualityComparer.Default) { method.OriginalDefinition });

    /// <summary>
    /// Why the storing method can run again while the member still holds what it stored last time, read from the type's
    /// own calls to it: two calls with nothing before either that releases, clears or tests the member (<c>GetRepository</c>
    /// and <c>GetGuidRepository</c> both begin a transaction into it), or a call in a loop whose body does not release it
    /// on every round (an election loop that retries after a failed lock attempt). Followed up through private callers
    /// with a single call each (at most three levels); null when neither can be read.
    /// </summary>
    static string? RunsAgain(OwnedMembers facts, ISymbol member, OwnedMembers.MemberUse use, IMethodSymbol method, HashSet<ISymbol> disposing, int depth)
    {
        var open = new List<(ISymbol Caller, IInvocationOperation Call)>();
        // Call sites are recorded as the type's methods are read, in no fixed order: read them in source order so
        // the message names the same callers on every build.
        var sites = facts.CallSites(method).OrderBy(site => site.Call.Syntax.SyntaxTree.FilePath, System.StringComparer.Ordinal).ThenBy(site => site.Call.Syntax.SpanStart);
        foreach (var site in sites)
        {
            if (site.Caller is not IMethodSymbol caller || caller.MethodKind is MethodKind.Constructor or MethodKind.StaticConstructor || disposing.Contains(caller)
                || SymbolEqualityComparer.Default.Equals(caller, method.OriginalDefinition) || ClearedBefore(facts, member, use, site.Call))
                continue;
            if (LoopAround(site.Call) is IOperation loop)
            {
                if (!ReleasedEveryRound(facts, use, loop))
                    return depth == 0 ? $"'{caller.Name}' calls it in a loop" : $"'{caller.Name}' calls it in a loop (through '{method.Name}')";
                continue;
            }
            // A caller that releases or clears the member itself (after the call) uses it for the call's length only.
            if (!ReleasesOutside(use, facts.Reachable(new[] { caller }), method))
                open.Add(site);
        }
        if (open.Count >= 2)
        {
            var callers = open.Select(site => site.Caller.Name).Distinct().ToList();
            return callers.Count == 1 ? $"'{callers[0]}' calls it {open.Count} times" : $"'{callers[0]}' and '{callers[1]}' both call it";
        }
        return open.Count == 1 && depth < 2 && open[0].Caller is IMethodSymbol { DeclaredAccessibility: Accessibility.Private } next
            ? RunsAgain(facts, member, use, next, disposing, depth + 1)
            : null;
    }

    /// <summary>Whether one of the methods, other than the storing method itself, releases or clears the member.</summary>
    static bool ReleasesOutside(OwnedMembers.MemberUse use, IEnumerable<ISymbol> methods, IMethodSymbol storing)
    {
        var others = new HashSet<ISymbol>(methods, SymbolEqualityComparer.Default);
        others.Remove(storing.OriginalDefinition);
        return OwnedMembers.ReleasesOrResets(use, others);
    }

    static IOperation? LoopAround(IOperation operation)
    {
        for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is ILoopOperation)
                return parent;
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
                return null;
        }
        return null;
    }

    /// <summary>The loop's body releases or clears the member in a statement of its own (not under a condition), or in a finally.</summary>
    static bool ReleasedEveryRound(OwnedMembers facts, OwnedMembers.MemberUse use, IOperation loop)
    {
        var body = ((ILoopOperation)loop).Body;
        var statements = body is IBlockOperation block ? block.Operations : System.Collections.Immutable.ImmutableArray.Create(body);
        foreach (var statement in statements)
        {
            var candidates = statement is ITryOperation { Finally: { } always } ? always.DescendantsAndSelf() : new[] { statement }.Concat(Unconditional(statement));
            foreach (var operation in candidates)
            {
                if (operation is IInvocationOperation { Instance: null or IInstanceReferenceOperation } call && facts.IsOwn(call.TargetMethod)
                    && OwnedMembers.ReleasesOrResets(use, facts.Reachable(new[] { call.TargetMethod })))
                    return true;
                if (use.Releases.Any(release => release.Operation.Syntax.Span.IntersectsWith(operation.Syntax.Span) && operation.Syntax.Span.Contains(release.Operation.Syntax.Span))
                    || use.Resets.Any(reset => operation.Syntax.Span.Contains(reset.Operation.Syntax.Span)))
                    return true;
            }
        }
        return false;
    }

    static bool UnderCondition(IOperation operation, IOperation statement)
    {
        for (var parent = operation.Parent; parent is not null && parent != statement; parent = parent.Parent)
        {
            if (parent is IConditionalOperation or IConditionalAccessOperation or ICoalesceOperation)
                return true;
        }
        return false;
    }

    /// <summary>The operations of an expression statement (under awaits), not those nested under conditions.</summary>
    static IEnumerable<IOperation> Unconditional(IOperation statement)
        => statement is IExpressionStatementOperation expression
            ? expression.Operation.DescendantsAndSelf().Where(operation => !UnderCondition(operation, statement))
            : statement is IUsingOperation or IUsingDeclarationOperation ? statement.DescendantsAndSelf() : Enumerable.Empty<IOperation>();

    static bool SameRoot(IOperation operation, IOperation root)
    {
        while (operation.Parent is not null)
            operation = operation.Parent;
        return operation == root;
    }

    /// <summary>
    /// The condition tests the member, or another connection/transaction member of the type: <c>if (_connection == null)
    /// { _connection = ...; _transaction = _connection.BeginTransaction(); }</c> guards both.
    /// </summary>
    static bool Mentions(OwnedMembers facts, IOperation condition, ISymbol member)
        => condition.DescendantsAndSelf().Any(operation => facts.MemberOf(operation) is ISymbol tested
            && (SymbolEqualityComparer.Default.Equals(tested, member) || facts.Members.ContainsKey(tested)));

    /// <summary>
    /// The line of an earlier store of a new value into the member, as the statement just before in the same block
    /// with nothing between that releases, clears or tests it: one path, two values, the first lost.
    /// </summary>
    static int? SecondInARow(OwnedMembers facts, ISymbol member, OwnedMembers.MemberUse use, OwnedMembers.Assignment assignment)
    {
        if (Statement(assignment.Operation) is not IOperation statement || statement.Parent is not IBlockOperation block)
            return null;
        var index = block.Operations.IndexOf(statement);
        for (var i = index - 1; i >= 0; i--)
        {
            var earlier = block.Operations[i];
            foreach (var other in use.Assignments)
            {
                if (other.Creates && !other.Lazy && Statement(other.Operation) == earlier)
                    return other.Operation.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            }
            // Anything between that touches the member or calls into the type (or leaves the block) ends the search.
            if (earlier.DescendantsAndSelf().Any(operation => SymbolEqualityComparer.Default.Equals(facts.MemberOf(operation), member)
                    || operation is IInvocationOperation call && facts.IsOwn(call.TargetMethod)
                    || operation is IReturnOperation or IThrowOperation or IBranchOperation))
                return null;
        }
        return null;
    }

    /// <summary>The expression statement the assignment is (under an await), or null when it is part of something larger.</summary>
    static IOperation? Statement(IOperation assignment)
    {
        var current = assignment;
        while (current.Parent is IAwaitOperation or IConversionOperation)
            current = current.Parent;
        return current.Parent is IExpressionStatementOperation statement ? statement : null;
    }
}
