using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>
/// Whether a delegate or a task made in a function (its "home") can still run after the home has gone on:
/// PGB008 asks it of a transaction scope's body (can it run after the scope commits?), the engine of a method
/// that completes its own transaction (PGB003 across time). One policy, read from <see cref="DelegateFates"/>,
/// so that both report the same escapes in the same words.
/// </summary>
/// <remarks>
/// Precision first: passing a delegate to a method is a borrow (the callee runs it, or is judged on its own);
/// a store the home overwrites again (<c>_onError = null</c> when done), a collection the home empties, a task
/// the home keeps and reads again (awaits it, hands it to WhenAll), a cancellation registration the home keeps
/// (and so disposes) and a query materialized in the home do not escape.
/// </remarks>
internal static class DelegateEscapes
{
    /// <summary>A call that puts its argument into the collection it is called on (not a database API's Add).</summary>
    public static bool IsCollectionAdd(IInvocationOperation invocation)
        => invocation.Instance is not null
        && s_collectionAdds.Contains(invocation.TargetMethod.Name)
        && !IsDatabaseType(invocation.TargetMethod.ContainingType);

    static readonly ImmutableHashSet<string> s_collectionAdds = ImmutableHashSet.Create(
        "Add", "AddRange", "Insert", "InsertRange", "Enqueue", "Push", "TryAdd", "TryAddLast", "AddLast", "AddFirst", "Set", "TryWrite", "WriteAsync");

    /// <summary>Enumerable methods that run their lambda only when the query is enumerated.</summary>
    static readonly ImmutableHashSet<string> s_deferredLinq = ImmutableHashSet.Create(
        "Select", "SelectMany", "Where", "OrderBy", "OrderByDescending", "ThenBy", "ThenByDescending", "GroupBy",
        "Join", "GroupJoin", "TakeWhile", "SkipWhile", "Zip", "DistinctBy", "UnionBy", "IntersectBy", "ExceptBy");

    /// <summary>
    /// How the delegate made at <paramref name="function"/> (a lambda, or a method reference to a local function)
    /// outlives <paramref name="home"/>, as a phrase ("is stored in the field '_later'"); null when it runs inside.
    /// <paramref name="homeFunction"/> is the home's symbol, whose parameters count as declared in it.
    /// </summary>
    public static string? HowItOutlives(IOperation function, IOperation home, ISymbol? homeFunction)
    {
        var fate = DelegateFates.OfFunction(function);
        switch (fate.Kind)
        {
            case FateKind.Argument when fate.Argument!.Parent is IInvocationOperation invocation:
            {
                var name = invocation.TargetMethod.Name;
                switch (DelegateFates.RunnerOf(invocation))
                {
                    case DelegateRunner.StartedTask:
                        return HowTaskOutlives(invocation, home, homeFunction) is string how ? $"runs on the thread pool through '{name}', whose task {how}" : null;
                    case DelegateRunner.ThreadPool:
                        return $"is queued to the thread pool by '{name}'";
                    case DelegateRunner.CancellationCallback:
                        // A registration the home keeps is disposed with it (using var registration = ...).
                        return DelegateFates.Of(invocation).Kind is FateKind.Dropped ? "is registered as a cancellation callback" : null;
                }
                if (IsCollectionAdd(invocation) && IsOutside(invocation.Instance, home, homeFunction) && !IsEmptiedLater(invocation.Instance!, invocation, home))
                    return $"is added to '{Operations.Shorten(invocation.Instance!.Syntax.ToString())}', which outlives the body";
                if (IsDeferredQuery(invocation) && HowQueryOutlives(invocation) is string query)
                    return $"is deferred by '{name}', whose query {query}";
                return null;
            }
            case FateKind.Argument when fate.Argument!.Parent is IObjectCreationOperation creation:
                return DelegateFates.RunnerOf(creation) switch
                {
                    DelegateRunner.Thread => "runs on a new Thread",
                    DelegateRunner.Timer => "runs on a Timer",
                    DelegateRunner.TaskConstructor => HowTaskOutlives(creation, home, homeFunction) is string how ? $"runs as a Task that {how}" : null,
                    _ => null,
                };
            case FateKind.Assigned:
                return fate.Target switch
                {
                    IFieldReferenceOperation field when !IsStoredAgain(field.Field, fate.Receiver!, home) => $"is stored in the field '{field.Field.Name}'",
                    IPropertyReferenceOperation property when !IsStoredAgain(property.Property, fate.Receiver!, home) => $"is stored in the property '{property.Property.Name}'",
                    ILocalReferenceOperation local when !IsDeclaredIn(local.Local, home, homeFunction) => $"is stored in '{local.Local.Name}', declared outside the body",
                    _ => null,
                };
            case FateKind.EventHandler when fate.EventAssignment is { Adds: true } subscription:
                return $"is subscribed to the event '{subscription.EventReference.Syntax}'";
            case FateKind.Returned or FateKind.YieldReturned when !IsAwaitable(fate.Value.Type):
                return "is returned";
            default:
                return null;
        }
    }

    /// <summary>
    /// How a task started in <paramref name="home"/> gets away from it ("is not awaited", "is discarded", "is stored
    /// outside the body", "is never awaited"); null when the home awaits it, returns it, hands it on, or keeps it in
    /// a local it reads again.
    /// </summary>
    public static string? HowTaskOutlives(IOperation task, IOperation home, ISymbol? homeFunction)
    {
        var fate = DelegateFates.OfTask(task);
        switch (fate.Kind)
        {
            case FateKind.Dropped:
                return "is not awaited";
            case FateKind.Assigned:
                return fate.Target switch
                {
                    IDiscardOperation => "is discarded",
                    ILocalReferenceOperation local when IsDeclaredIn(local.Local, home, homeFunction) => IsReadAgain(local.Local, fate.Receiver!, home) ? null : "is never awaited",
                    IFieldReferenceOperation or IPropertyReferenceOperation => "is stored outside the body",
                    ILocalReferenceOperation or IParameterReferenceOperation => "is stored outside the body",
                    _ => null,
                };
            case FateKind.Declared when fate.Declarator is IVariableDeclaratorOperation declarator:
                return IsReadAgain(declarator.Symbol, declarator, home) ? null : "is never awaited";
            default:
                return null; // awaited, returned, passed on (Task.WhenAll, a list): the home hands it on
        }
    }

    /// <summary>Whether the symbol is a parameter of the home's function or is declared inside the home's text.</summary>
    public static bool IsDeclaredIn(ISymbol symbol, IOperation home, ISymbol? homeFunction)
    {
        if (symbol is IParameterSymbol parameter && homeFunction is not null && SymbolEqualityComparer.Default.Equals(parameter.ContainingSymbol, homeFunction))
            return true;
        foreach (var reference in symbol.DeclaringSyntaxReferences)
        {
            if (reference.SyntaxTree == home.Syntax.SyntaxTree && home.Syntax.Span.Contains(reference.Span))
                return true;
        }
        return false;
    }

    /// <summary>A field, property or static, or a variable declared outside the home: what is put there outlives the home.</summary>
    public static bool IsOutside(IOperation? value, IOperation home, ISymbol? homeFunction)
        => Operations.Unwrap(value) switch
        {
            IFieldReferenceOperation field => field.Field.IsStatic || IsOutsideInstance(field.Instance, home, homeFunction),
            IPropertyReferenceOperation property => property.Property.IsStatic || IsOutsideInstance(property.Instance, home, homeFunction),
            ILocalReferenceOperation local => !IsDeclaredIn(local.Local, home, homeFunction),
            IParameterReferenceOperation parameter => !IsDeclaredIn(parameter.Parameter, home, homeFunction),
            _ => false,
        };

    static bool IsOutsideInstance(IOperation? instance, IOperation home, ISymbol? homeFunction)
        => instance is IInstanceReferenceOperation { ReferenceKind: InstanceReferenceKind.ContainingTypeInstance } || IsOutside(instance, home, homeFunction);

    /// <summary>Where the query built on a deferred Enumerable call goes: returned or stored outside, unenumerated.</summary>
    static string? HowQueryOutlives(IInvocationOperation call)
    {
        IOperation query = call;
        while (true)
        {
            var fate = DelegateFates.Of(query);
            if (fate.Kind == FateKind.Argument && fate.Argument!.Parent is IInvocationOperation next && IsDeferredQuery(next)
                && next.Arguments.Length > 0 && next.Arguments[0] == fate.Argument)
            {
                query = next; // chained: rows.Where(...).Select(...)
                continue;
            }
            return fate.Kind switch
            {
                FateKind.Returned when !IsAwaitable(fate.Value.Type) => "is returned unenumerated",
                FateKind.Assigned when fate.Target is IFieldReferenceOperation or IPropertyReferenceOperation => "is stored unenumerated outside the body",
                _ => null,
            };
        }
    }

    static bool IsDeferredQuery(IInvocationOperation invocation)
        => s_deferredLinq.Contains(invocation.TargetMethod.Name)
        && SymbolNames.IsType(invocation.TargetMethod.ContainingType, "System.Linq", "Enumerable");

    /// <summary>The home assigns the member again elsewhere (typically <c>= null</c> once the work is done): the stored delegate is dropped.</summary>
    static bool IsStoredAgain(ISymbol member, IOperation store, IOperation home)
    {
        foreach (var node in home.Descendants())
        {
            if (node is ISimpleAssignmentOperation assignment && assignment != store
                && SymbolEqualityComparer.Default.Equals(Operations.NamedSymbol(assignment.Target), member))
                return true;
        }
        return false;
    }

    /// <summary>The home empties the collection after adding to it (Clear, Remove, a dequeue).</summary>
    static bool IsEmptiedLater(IOperation collection, IOperation add, IOperation home)
    {
        var symbol = Operations.NamedSymbol(collection);
        if (symbol is null)
            return false;
        foreach (var node in home.Descendants())
        {
            if (node is IInvocationOperation { TargetMethod.Name: "Clear" or "Remove" or "RemoveAt" or "RemoveAll" or "TryDequeue" or "Dequeue" or "TryPop" or "Pop" } call
                && call != add && SymbolEqualityComparer.Default.Equals(Operations.NamedSymbol(call.Instance), symbol))
                return true;
        }
        return false;
    }

    static bool IsReadAgain(ISymbol local, IOperation declaration, IOperation home)
    {
        foreach (var node in home.Descendants())
        {
            if (node is ILocalReferenceOperation reference && SymbolEqualityComparer.Default.Equals(reference.Local, local)
                && !declaration.Syntax.Span.Contains(reference.Syntax.Span))
                return true;
        }
        return false;
    }

    static bool IsDatabaseType(INamedTypeSymbol? type)
    {
        var ns = type?.ContainingNamespace;
        while (ns is { ContainingNamespace.IsGlobalNamespace: false })
            ns = ns.ContainingNamespace;
        return ns?.Name is "Npgsql" or "PgBorrow";
    }

    /// <summary>Task, ValueTask and their generic forms.</summary>
    public static bool IsAwaitable(ITypeSymbol? type)
        => type is INamedTypeSymbol { Name: "Task" or "ValueTask", ContainingType: null } named
        && named.ContainingNamespace is { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } };
}
