using System.Collections.Generic;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// What one type does with the fields and auto-properties that hold a connection, transaction or reader: how each
/// is assigned, where it is released or completed, where it escapes, and which of the type's own methods call
/// which (so that "Dispose releases it" can follow Dispose into the helpers it calls). Filled from every member
/// body of the type by a symbol-start action (PGB010), read at the type's end.
/// </summary>
internal sealed class OwnedMembers
{
    static readonly SymbolEqualityComparer Comparer = SymbolEqualityComparer.Default;

    /// <summary>A Dispose/Close/Complete of the member, a <c>using</c> of it, or handing it to a method of the type.</summary>
    internal sealed class Release
    {
        public Release(ISymbol? method, IOperation operation, ITypeSymbol? triedAs)
        {
            Method = method;
            Operation = operation;
            TriedAs = triedAs;
        }

        public ISymbol? Method { get; }
        public IOperation Operation { get; }
        /// <summary>The type of an <c>as</c>-cast or type pattern the release goes through: null when it is not that type.</summary>
        public ITypeSymbol? TriedAs { get; }
    }

    /// <summary>An assignment of a new resource (or of anything else) to the member.</summary>
    internal sealed class Assignment
    {
        public Assignment(ISymbol? method, IOperation operation, bool creates, bool lazy)
        {
            Method = method;
            Operation = operation;
            Creates = creates;
            Lazy = lazy;
        }

        public ISymbol? Method { get; }
        public IOperation Operation { get; }
        public bool Creates { get; }
        /// <summary><c>_x ??= new ...</c>: fills the member only when it is empty.</summary>
        public bool Lazy { get; }
    }

    internal sealed class MemberUse
    {
        public ResourceKind Kind;
        public int CreatedLine;
        /// <summary>Assigned something the type did not create: a parameter, another member, an unknown factory.</summary>
        public bool OtherValue;
        /// <summary>Returned, stored elsewhere, passed to a method outside the type: someone else may own it now.</summary>
        public bool HandedOn;
        /// <summary>
        /// Returned by one of the type's members (a getter, <c>GetOrBeginTransaction()</c>). Settled at the end: lent when
        /// the type completes or releases the member itself (the caller borrows it), handed on otherwise.
        /// </summary>
        public bool Returned;
        public readonly List<Release> Releases = new();
        public readonly List<Assignment> Assignments = new();
        /// <summary>The types of the values the type stores, and whether each is exactly that type (<c>new</c>, or sealed).</summary>
        public readonly List<(ITypeSymbol Type, bool Exact)> CreatedTypes = new();
        /// <summary>`_x = null;` assignments: the member holds nothing after them.</summary>
        public readonly List<(ISymbol? Method, IOperation Operation)> Resets = new();
        /// <summary>The methods that commit or roll it back, in the order first seen.</summary>
        public readonly List<ISymbol> CompletedIn = new();

        /// <summary>Made by the type in some cases only: <c>shared ?? new NpgsqlConnection(cs)</c>, <c>owns ? new ... : shared</c>.</summary>
        public bool MadeWhenNoneGiven;

        /// <summary>
        /// Created by the type, and never anything else; or created in some cases and borrowed in others when
        /// something decides which (<see cref="FlagDecided"/>).
        /// </summary>
        public bool IsOwned => CreatedLine != 0 && (!OtherValue || FlagDecided);

        /// <summary>Both created and borrowed, and a `shared ?? new X()`, an if/else, or an ownership flag of the type decides which.</summary>
        public bool FlagDecided;

        /// <summary>Created on one branch of an if/else and borrowed on the other: the condition decides whose it is.</summary>
        public bool BranchDecided;
    }

    readonly INamedTypeSymbol _type;
    readonly NpgsqlSymbols _symbols;
    readonly System.Func<IMethodSymbol, ResourceKind?> _factoryKind;
    readonly object _gate = new();
    readonly Dictionary<ISymbol, HashSet<ISymbol>> _calls = new(Comparer);
    readonly Dictionary<ISymbol, HashSet<ISymbol>> _flagsSetTrue = new(Comparer);
    readonly Dictionary<ISymbol, List<(ISymbol Caller, IInvocationOperation Call)>> _callSites = new(Comparer);

    /// <param name="factoryKind">
    /// What a method of the compilation returns to its caller to own (<see cref="OwnershipTakingMethods.ReturnedOwnedKind(IMethodSymbol, int)"/>):
    /// a member filled from the project's own factory (<c>_connection = await _connections.OpenAsync(ct)</c>) is created by the type too.
    /// </param>
    public OwnedMembers(INamedTypeSymbol type, NpgsqlSymbols symbols, System.Func<IMethodSymbol, ResourceKind?> factoryKind)
    {
        _type = type;
        _symbols = symbols;
        _factoryKind = factoryKind;
        foreach (var member in type.GetMembers())
        {
            var memberType = member switch
            {
                // Static members are process-lifetime on purpose (a listener's connection); not judged.
                IFieldSymbol { IsImplicitlyDeclared: false, IsStatic: false } field => field.Type,
                IPropertySymbol { IsAbstract: false, IsStatic: false } property when IsAutoProperty(property) => property.Type,
                _ => null,
            };
            if (symbols.KindOfVariableType(memberType) is ResourceKind kind and (ResourceKind.Connection or ResourceKind.Transaction or ResourceKind.DataReader))
                Members[member] = new MemberUse { Kind = kind };
            else if (OwnershipFlag is null && memberType?.SpecialType == SpecialType.System_Boolean && IsOwnershipFlagName(member.Name))
                OwnershipFlag = member;
        }
    }

    /// <summary>
    /// A bool member named the way real code names "this type owns what it holds" (<c>_ownsConnection</c>,
    /// <c>leaveOpen</c>, <c>disposeConnection</c>, <c>isOwner</c>); <c>_disposed</c> is not one.
    /// </summary>
    public ISymbol? OwnershipFlag { get; }

    static bool IsOwnershipFlagName(string name)
    {
        var lower = name.ToLowerInvariant();
        return lower.Contains("owns") || lower.Contains("owner") || lower.Contains("owned") || lower.Contains("leaveopen") || lower.Contains("keepopen")
            || lower.Contains("closeconnection") || (lower.Contains("dispose") && !lower.Contains("disposed"));
    }

    /// <summary>Settles which members an ownership flag decides; call once, at the type's end.</summary>
    public void Settle()
    {
        foreach (var use in Members.Values)
        {
            use.BranchDecided = use.Assignments.Any(made => made.Creates && use.Assignments.Any(given => !given.Creates && OnOtherBranches(made.Operation, given.Operation)));
            use.FlagDecided = use.CreatedLine != 0 && use.OtherValue && (use.MadeWhenNoneGiven || use.BranchDecided || OwnershipFlag is not null);
            // A member the type returns and also commits, rolls back or disposes itself stays the type's: callers borrow it.
            if (use.Returned && use.CompletedIn.Count == 0 && use.Releases.Count == 0)
                use.HandedOn = true;
        }
    }

    public Dictionary<ISymbol, MemberUse> Members { get; } = new(Comparer);

    /// <summary>
    /// <c>if (owns) _conn = new NpgsqlConnection(cs); else _conn = shared;</c>: the two assignments sit on the two branches of one
    /// if/else (or conditional expression), so the condition decides which value the member holds.
    /// </summary>
    static bool OnOtherBranches(IOperation first, IOperation second)
    {
        var ancestors = new Dictionary<IOperation, IOperation>();
        for (IOperation child = first, parent = first.Parent!; parent is not null; child = parent, parent = parent.Parent!)
            ancestors[parent] = child;
        for (IOperation child = second, parent = second.Parent!; parent is not null; child = parent, parent = parent.Parent!)
        {
            if (ancestors.TryGetValue(parent, out var firstChild))
                return parent is IConditionalOperation branch && firstChild != child
                    && (firstChild == branch.WhenTrue || firstChild == branch.WhenFalse) && (child == branch.WhenTrue || child == branch.WhenFalse);
        }
        return false;
    }

    /// <summary>Reads one member body (thread-safe: bodies of a type are analysed concurrently).</summary>
    public void Read(ISymbol? owner, System.Collections.Immutable.ImmutableArray<IOperation> blocks)
    {
        var method = owner?.OriginalDefinition;
        lock (_gate)
        {
            foreach (var root in blocks)
            {
                foreach (var operation in root.DescendantsAndSelf())
                {
                    switch (operation)
                    {
                        case IInvocationOperation { Instance: null or IInstanceReferenceOperation } call when method is not null && IsOwn(call.TargetMethod):
                            Edge(method, call.TargetMethod);
                            if (!_callSites.TryGetValue(call.TargetMethod.OriginalDefinition, out var sites))
                                _callSites[call.TargetMethod.OriginalDefinition] = sites = new List<(ISymbol, IInvocationOperation)>();
                            sites.Add((method, call));
                            continue;
                        case IMethodReferenceOperation { Instance: null or IInstanceReferenceOperation } reference when method is not null && IsOwn(reference.Method):
                            Edge(method, reference.Method);
                            continue;
                        case ISimpleAssignmentOperation { Target: IFieldReferenceOperation { Field.Type.SpecialType: SpecialType.System_Boolean } flag, Value.ConstantValue: { HasValue: true, Value: true } } when method is not null:
                            if (!_flagsSetTrue.TryGetValue(method, out var flags))
                                _flagsSetTrue[method] = flags = new HashSet<ISymbol>(Comparer);
                            flags.Add(flag.Field.OriginalDefinition);
                            continue;
                    }
                    if (MemberOf(operation) is ISymbol member && Members.TryGetValue(member, out var use))
                        Record(method, operation, use);
                }
            }
        }
    }

    public bool IsOwn(IMethodSymbol method) => Comparer.Equals(method.OriginalDefinition.ContainingType, _type.OriginalDefinition);

    void Edge(ISymbol from, IMethodSymbol to)
    {
        if (!_calls.TryGetValue(from, out var callees))
            _calls[from] = callees = new HashSet<ISymbol>(Comparer);
        callees.Add(to.OriginalDefinition);
    }

    /// <summary>A reference to one of the type's own fields or properties (on this instance, or static).</summary>
    public ISymbol? MemberOf(IOperation operation)
    {
        var member = operation switch
        {
            IFieldReferenceOperation field when field.Instance is null or IInstanceReferenceOperation => (ISymbol)field.Field,
            IPropertyReferenceOperation property when property.Instance is null or IInstanceReferenceOperation => property.Property,
            _ => null,
        };
        return member is not null && Comparer.Equals(member.ContainingType, _type) ? member.OriginalDefinition : null;
    }

    void Record(ISymbol? method, IOperation reference, MemberUse use)
    {
        var parent = reference.Parent;
        ITypeSymbol? triedAs = null;
        while (parent is IConversionOperation or IParenthesizedOperation)
        {
            if (parent is IConversionOperation { IsTryCast: true } tryCast)
                triedAs = tryCast.Type;
            reference = parent;
            parent = parent.Parent;
        }
        switch (parent)
        {
            case ISimpleAssignmentOperation assignment when assignment.Target == reference:
                RecordAssignment(method, assignment, assignment.Value, use, lazy: false);
                return;
            case ICoalesceAssignmentOperation assignment when assignment.Target == reference:
                RecordAssignment(method, assignment, assignment.Value, use, lazy: true);
                return;
            case IInvocationOperation call when call.Instance == reference:
                RecordCall(method, call, use, triedAs);
                return;
            case IConditionalAccessOperation access when access.Operation == reference:
                foreach (var inner in access.WhenNotNull.DescendantsAndSelf())
                {
                    if (inner is IInvocationOperation { Instance: IConditionalAccessInstanceOperation } call)
                    {
                        RecordCall(method, call, use, triedAs);
                        break;
                    }
                }
                return;
            case IArgumentOperation argument when argument.Parent is IInvocationOperation or IObjectCreationOperation:
                var callee = (argument.Parent as IInvocationOperation)?.TargetMethod ?? (argument.Parent as IObjectCreationOperation)?.Constructor;
                if (callee is not null && IsOwn(callee))
                    use.Releases.Add(new Release(method, argument, triedAs)); // a helper of the type: followed as a release where it is called
                else if (callee is null || !NpgsqlSymbols.IsBorrowingLibrary(callee))
                    use.HandedOn = true; // a helper that disposes it, or a new owner; Npgsql's and Dapper's APIs only borrow
                return;
            case IUsingOperation:
                use.Releases.Add(new Release(method, parent, triedAs));
                return;
            case IIsPatternOperation { Pattern: IDeclarationPatternOperation { DeclaredSymbol: not null } or IRecursivePatternOperation { DeclaredSymbol: not null } } test when test.Value == reference:
                // `_x is IAsyncDisposable d`: the release goes through the pattern's variable.
                var matched = (test.Pattern as IDeclarationPatternOperation)?.MatchedType ?? (test.Pattern as IRecursivePatternOperation)?.MatchedType;
                use.Releases.Add(new Release(method, test, matched));
                return;
            case IReturnOperation:
                use.Returned = true; // lent or handed on: settled at the type's end
                return;
            case IVariableInitializerOperation:
            case ISimpleAssignmentOperation:
            case ICoalesceAssignmentOperation:
                use.HandedOn = true; // returned or kept elsewhere: someone else may own it now
                return;
        }
    }

    void RecordAssignment(ISymbol? method, IOperation assignment, IOperation value, MemberUse use, bool lazy)
    {
        var unwrapped = Operations.Unwrap(value);
        if (unwrapped is null || unwrapped.ConstantValue is { HasValue: true, Value: null } || unwrapped is IDefaultValueOperation)
        {
            use.Resets.Add((method, assignment)); // `_tx = null;` after disposing it: nothing held
            return;
        }
        if (NpgsqlCalls.TryGetCreation(value, _symbols, _factoryKind, out _, out _, out _))
        {
            if (use.CreatedLine == 0)
                use.CreatedLine = assignment.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            if (unwrapped.Type is ITypeSymbol created)
                use.CreatedTypes.Add((created, NpgsqlCalls.UnwrapAwaited(value) is IObjectCreationOperation || created.IsSealed));
            use.Assignments.Add(new Assignment(method, assignment, creates: true, lazy));
        }
        else if (CreatedWhenNoneGiven(unwrapped) is IOperation made)
        {
            // `shared ?? new NpgsqlConnection(cs)`: the type owns the one it makes, not the one it is given.
            if (use.CreatedLine == 0)
                use.CreatedLine = assignment.Syntax.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
            use.OtherValue = true;
            use.MadeWhenNoneGiven = true;
            use.Assignments.Add(new Assignment(method, assignment, creates: true, lazy));
        }
        else
        {
            use.OtherValue = true; // a parameter, another member, a factory: not (only) the type's own
            use.Assignments.Add(new Assignment(method, assignment, creates: false, lazy));
        }
    }

    IOperation? CreatedWhenNoneGiven(IOperation value)
    {
        IOperation? Made(IOperation? side) => NpgsqlCalls.TryGetCreation(side, _symbols, _factoryKind, out _, out _, out _) ? side : null;
        return value switch
        {
            ICoalesceOperation coalesce => Made(coalesce.WhenNull),
            IConditionalOperation { WhenFalse: not null } choice => Made(choice.WhenTrue) ?? Made(choice.WhenFalse),
            _ => null,
        };
    }

    static void RecordCall(ISymbol? method, IInvocationOperation call, MemberUse use, ITypeSymbol? triedAs)
    {
        switch (call.TargetMethod.Name)
        {
            case "Dispose" or "DisposeAsync" or "Close" or "CloseAsync" or "Complete" or "CompleteAsync":
                use.Releases.Add(new Release(method, call, triedAs));
                break;
            case "Commit" or "CommitAsync" or "Rollback" or "RollbackAsync" when method is not null:
                if (!use.CompletedIn.Contains(method, Comparer))
                    use.CompletedIn.Add(method);
                break;
        }
    }

    /// <summary>Whether one of the methods releases the member (disposes, closes, hands it to a helper) or sets it to null.</summary>
    public static bool ReleasesOrResets(MemberUse use, HashSet<ISymbol> methods)
        => use.Releases.Any(release => release.Method is not null && methods.Contains(release.Method))
            || use.Resets.Any(reset => reset.Method is not null && methods.Contains(reset.Method));

    /// <summary>The type's own Dispose(), Dispose(bool), DisposeAsync(), DisposeAsyncCore() and explicit implementations.</summary>
    public static List<IMethodSymbol> DisposeEntries(INamedTypeSymbol type)
    {
        var entries = new List<IMethodSymbol>();
        foreach (var member in type.GetMembers())
        {
            if (member is not IMethodSymbol { IsAbstract: false, MethodKind: MethodKind.Ordinary or MethodKind.ExplicitInterfaceImplementation } method
                || method.DeclaringSyntaxReferences.Length == 0)
                continue;
            var name = method.Name.Substring(method.Name.LastIndexOf('.') + 1);
            var isEntry = name switch
            {
                "Dispose" => method.Parameters.Length == 0 || (method.Parameters.Length == 1 && method.Parameters[0].Type.SpecialType == SpecialType.System_Boolean),
                "DisposeAsync" or "DisposeAsyncCore" => method.Parameters.Length == 0,
                _ => false,
            };
            if (isEntry)
                entries.Add(method);
        }
        return entries;
    }

    /// <summary>
    /// Methods a base class may call from its own Dispose: overrides (a <c>Close</c> a DbDataReader subclass
    /// overrides) and the finalizer. Releases there count as releases in Dispose.
    /// </summary>
    public static IEnumerable<IMethodSymbol> Overrides(INamedTypeSymbol type)
        => type.GetMembers().OfType<IMethodSymbol>().Where(m => m.IsOverride || m.MethodKind == MethodKind.Destructor);

    /// <summary>The calls of the type's own methods to the method (not delegates to it), with the method each is in.</summary>
    public List<(ISymbol Caller, IInvocationOperation Call)> CallSites(IMethodSymbol method)
        => _callSites.TryGetValue(method.OriginalDefinition, out var sites) ? sites : new List<(ISymbol, IInvocationOperation)>();

    /// <summary>The type's own methods that call (or take a delegate to) the method.</summary>
    public List<ISymbol> Callers(IMethodSymbol method)
        => _calls.Where(pair => pair.Value.Contains(method.OriginalDefinition)).Select(pair => pair.Key).ToList();

    /// <summary>A private method only the type's constructors call: it runs once per object.</summary>
    public bool OnlyConstructorsCall(IMethodSymbol method)
    {
        if (method.DeclaredAccessibility != Accessibility.Private)
            return false;
        var callers = Callers(method);
        return callers.Count > 0 && callers.All(caller => caller is IMethodSymbol { MethodKind: MethodKind.Constructor });
    }

    /// <summary>The methods the roots reach through calls to the type's own methods (cycle-safe, any depth).</summary>
    public HashSet<ISymbol> Reachable(IEnumerable<IMethodSymbol> roots)
    {
        var reached = new HashSet<ISymbol>(Comparer);
        var pending = new Stack<ISymbol>();
        foreach (var root in roots)
        {
            if (reached.Add(root.OriginalDefinition))
                pending.Push(root.OriginalDefinition);
        }
        while (pending.Count > 0)
        {
            if (!_calls.TryGetValue(pending.Pop(), out var callees))
                continue;
            foreach (var callee in callees)
            {
                if (reached.Add(callee))
                    pending.Push(callee);
            }
        }
        return reached;
    }

    /// <summary>
    /// Why a release in Dispose can be skipped although the member holds an open value, when that can be read
    /// for sure; null when it is not (a condition we cannot interpret counts as releasing it).
    /// </summary>
    public string? SkippedBecause(Release release, MemberUse use)
    {
        if (release.TriedAs is ITypeSymbol triedAs && NeverIs(use, triedAs, out var stored))
            return $"tries it as '{triedAs.Name}', which a {stored} never is, so the release is skipped";
        var flags = CompletionFlags(use);
        if (flags.Count == 0)
            return null;
        for (IOperation? child = release.Operation, parent = child.Parent; parent is not null; child = parent, parent = parent.Parent)
        {
            if (parent is IConditionalOperation branch && branch.WhenTrue == child && FlagIn(branch.Condition, flags) is ISymbol flag)
                return $"releases it only when '{flag.Name}' is set, which '{_type.Name}' sets when it completes it";
        }
        return null;
    }

    /// <summary>Bool fields set to true by a method that commits or rolls the member back (`_committed = true`).</summary>
    HashSet<ISymbol> CompletionFlags(MemberUse use)
    {
        var flags = new HashSet<ISymbol>(Comparer);
        foreach (var method in use.CompletedIn)
        {
            if (_flagsSetTrue.TryGetValue(method, out var set))
            {
                foreach (var flag in set)
                {
                    if (flag.Name.IndexOf("dispos", System.StringComparison.OrdinalIgnoreCase) < 0)
                        flags.Add(flag);
                }
            }
        }
        return flags;
    }

    static ISymbol? FlagIn(IOperation condition, HashSet<ISymbol> flags)
        => Operations.Unwrap(condition) switch
        {
            IFieldReferenceOperation field when flags.Contains(field.Field.OriginalDefinition) => field.Field,
            IBinaryOperation { OperatorKind: BinaryOperatorKind.ConditionalAnd } and => FlagIn(and.LeftOperand, flags) ?? FlagIn(and.RightOperand, flags),
            _ => null,
        };

    /// <summary>Whether no value the type stores in the member can be of <paramref name="target"/>.</summary>
    static bool NeverIs(MemberUse use, ITypeSymbol target, out string stored)
    {
        stored = "";
        if (target.TypeKind is TypeKind.Error || use.CreatedTypes.Count == 0 || use.OtherValue)
            return false;
        foreach (var (type, exact) in use.CreatedTypes)
        {
            if (!exact || IsOrImplements(type, target))
                return false;
            stored = type.Name;
        }
        return true;
    }

    static bool IsOrImplements(ITypeSymbol type, ITypeSymbol target)
    {
        for (var current = type; current is not null; current = current.BaseType)
        {
            if (Comparer.Equals(current.OriginalDefinition, target.OriginalDefinition))
                return true;
        }
        return type.AllInterfaces.Any(i => Comparer.Equals(i.OriginalDefinition, target.OriginalDefinition));
    }

    static bool IsAutoProperty(IPropertySymbol property)
    {
        foreach (var member in property.ContainingType.GetMembers())
        {
            if (member is IFieldSymbol { IsImplicitlyDeclared: true } backing && Comparer.Equals(backing.AssociatedSymbol, property))
                return true;
        }
        return false;
    }
}
