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
                if (leftCompleted is not ISymbol completion || ClearedBefore(facts, pair.Key, use, assignment))
                    continue;
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
    static bool ClearedBefore(OwnedMembers facts, ISymbol member, OwnedMembers.MemberUse use, OwnedMembers.Assignment assignment)
    {
        var root = assignment.Operation;
        while (root.Parent is not null)
            root = root.Parent;
        var position = assignment.Operation.Syntax.SpanStart;
        foreach (var operation in root.DescendantsAndSelf())
        {
            if (operation.Syntax.SpanStart >= position || operation.Syntax.SyntaxTree != assignment.Operation.Syntax.SyntaxTree)
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
            if (release.Operation.Syntax.SyntaxTree == assignment.Operation.Syntax.SyntaxTree && release.Operation.Syntax.SpanStart < position && SameRoot(release.Operation, root))
                return true;
        }
        foreach (var reset in use.Resets)
        {
            if (reset.Operation.Syntax.SyntaxTree == assignment.Operation.Syntax.SyntaxTree && reset.Operation.Syntax.SpanStart < position && SameRoot(reset.Operation, root))
                return true;
        }
        return false;
    }

    static bool SameRoot(IOperation operation, IOperation root)
    {
        while (operation.Parent is not null)
            operation = operation.Parent;
        return operation == root;
    }

    static bool Mentions(OwnedMembers facts, IOperation condition, ISymbol member)
        => condition.DescendantsAndSelf().Any(operation => SymbolEqualityComparer.Default.Equals(facts.MemberOf(operation), member));

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
