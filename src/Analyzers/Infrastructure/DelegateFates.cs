using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace PgBorrow.Analyzers.Infrastructure;

/// <summary>What happens to a value where it is made: the parent that receives it.</summary>
internal enum FateKind
{
    /// <summary>Anything below does not describe: an operand, a receiver, an element, a flow capture.</summary>
    Other,

    /// <summary>An expression statement: the value is made and dropped (a task nobody awaits).</summary>
    Dropped,

    /// <summary>Awaited at once.</summary>
    Awaited,

    /// <summary>
    /// Returned (<c>return</c>, an expression body). In a control-flow graph the returned value is the
    /// branch value of its block, which has no parent: a parentless value counts as returned.
    /// </summary>
    Returned,

    /// <summary><c>yield return</c>ed: the caller gets it while the method is suspended.</summary>
    YieldReturned,

    /// <summary>The value of a simple assignment; <see cref="Fate.Target"/> is where it goes.</summary>
    Assigned,

    /// <summary>The initializer of a declared variable; <see cref="Fate.Declarator"/> is the variable.</summary>
    Declared,

    /// <summary>An argument; <see cref="Fate.Argument"/>'s parent is the call or the creation.</summary>
    Argument,

    /// <summary>A handler added to or removed from an event; <see cref="Fate.EventAssignment"/> says which.</summary>
    EventHandler,
}

/// <summary>What a shared question found out about one value: the kind, the value as its receiver sees it, and the receiver.</summary>
internal readonly struct Fate
{
    public Fate(FateKind kind, IOperation value)
    {
        Kind = kind;
        Value = value;
    }

    public FateKind Kind { get; }

    /// <summary>
    /// The value with the wrappers the question looks through (conversions; the delegate creation of a
    /// function; ConfigureAwait of a task): the operation its receiver holds.
    /// </summary>
    public IOperation Value { get; }

    /// <summary>The operation that receives the value, null when it is the root of a control-flow graph's branch.</summary>
    public IOperation? Receiver => Value.Parent;

    public IOperation? Target => (Receiver as ISimpleAssignmentOperation)?.Target;

    public IVariableDeclaratorOperation? Declarator => Receiver?.Parent as IVariableDeclaratorOperation;

    public IArgumentOperation? Argument => Receiver as IArgumentOperation;

    public IEventAssignmentOperation? EventAssignment => Receiver as IEventAssignmentOperation;

    /// <summary>The local the value is put in, as it is: declared with it, or assigned it.</summary>
    public ILocalSymbol? Local => Kind switch
    {
        FateKind.Declared => Declarator?.Symbol,
        FateKind.Assigned => (Target as ILocalReferenceOperation)?.Local,
        _ => null,
    };
}

/// <summary>Who runs a delegate handed to a call or a constructor.</summary>
internal enum DelegateRunner
{
    None,

    /// <summary><c>Parallel.For</c>/<c>ForEach</c>/<c>Invoke</c>: several bodies at once, all finished when the call returns.</summary>
    Parallel,

    /// <summary><c>Task.Run</c>, <c>Task.Factory.StartNew</c>: the thread pool, from now until the returned task completes.</summary>
    StartedTask,

    /// <summary><c>new Task(body)</c>: runs once somebody starts the task.</summary>
    TaskConstructor,

    /// <summary><c>ThreadPool.QueueUserWorkItem</c> and friends: later, and nobody can wait for it.</summary>
    ThreadPool,

    /// <summary><c>CancellationToken.Register</c>: whenever the token is cancelled.</summary>
    CancellationCallback,

    /// <summary><c>new Thread(body)</c>.</summary>
    Thread,

    /// <summary><c>new Timer(callback)</c>: again and again, until the timer is disposed.</summary>
    Timer,
}

/// <summary>What makes the code at a point run more than once per run of its method.</summary>
internal enum Repetition
{
    None,

    /// <summary>A loop of the same function encloses the point.</summary>
    Loop,

    /// <summary>
    /// The point is in a lambda or local function (before any loop): it runs as often as that function
    /// is called, which may be any number of times.
    /// </summary>
    NestedFunction,
}

/// <summary>
/// Where a lambda, local function, delegate or task goes from the point it is made: invoked or awaited at
/// once, handed to a runner (<c>Task.Run</c>, <c>Parallel.*</c>, the thread pool, a timer...), stored
/// (field, property, local), returned, dropped. Pure readings of the operation tree (or of a control-flow
/// graph, whose returned values have no parent), shared by the engine and the rules so that each rule asks
/// the same facts and keeps only its own policy: which fates it reports, and what it says.
/// </summary>
internal static class DelegateFates
{
    /// <summary>Where a value goes, seen through conversions only.</summary>
    public static Fate Of(IOperation value) => Classify(SkipConversions(value));

    /// <summary>
    /// Where a task goes, seen through conversions and <c>ConfigureAwait</c> (the awaitable it makes
    /// completes with the task).
    /// </summary>
    public static Fate OfTask(IOperation task)
    {
        var value = SkipConversions(task);
        while (value.Parent is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure && configure.Instance == value)
            value = SkipConversions(configure);
        return Classify(value);
    }

    /// <summary>Where a lambda or a method reference (a local function made into a delegate) goes, seen through its delegate creation.</summary>
    public static Fate OfFunction(IOperation function)
    {
        var value = function;
        while (value.Parent is IDelegateCreationOperation or IConversionOperation)
            value = value.Parent;
        return Classify(value);
    }

    static Fate Classify(IOperation value)
    {
        var kind = value.Parent switch
        {
            null => FateKind.Returned,
            IExpressionStatementOperation => FateKind.Dropped,
            IAwaitOperation => FateKind.Awaited,
            IReturnOperation { Kind: OperationKind.YieldReturn } => FateKind.YieldReturned,
            IReturnOperation => FateKind.Returned,
            ISimpleAssignmentOperation assignment when assignment.Value == value => FateKind.Assigned,
            IVariableInitializerOperation => FateKind.Declared,
            IArgumentOperation => FateKind.Argument,
            IEventAssignmentOperation => FateKind.EventHandler,
            _ => FateKind.Other,
        };
        return new Fate(kind, value);
    }

    static IOperation SkipConversions(IOperation operation)
    {
        while (operation.Parent is IConversionOperation conversion && conversion.Operand == operation)
            operation = conversion;
        return operation;
    }

    /// <summary>Who runs a delegate passed to this call or creation.</summary>
    public static DelegateRunner RunnerOf(IOperation call)
    {
        switch (call)
        {
            case IInvocationOperation invocation:
            {
                var method = invocation.TargetMethod;
                var type = method.ContainingType;
                if (SymbolNames.IsType(type, "System.Threading.Tasks", "Parallel"))
                    return DelegateRunner.Parallel;
                if (method.Name is "Run" or "StartNew"
                    && (SymbolNames.IsType(type, "System.Threading.Tasks", "Task") || SymbolNames.IsType(type, "System.Threading.Tasks", "TaskFactory")))
                    return DelegateRunner.StartedTask;
                if (SymbolNames.IsType(type, "System.Threading", "ThreadPool"))
                    return DelegateRunner.ThreadPool;
                if (method.Name is "Register" or "UnsafeRegister" && SymbolNames.IsType(type, "System.Threading", "CancellationToken"))
                    return DelegateRunner.CancellationCallback;
                return DelegateRunner.None;
            }
            case IObjectCreationOperation creation:
            {
                var type = creation.Type;
                if (SymbolNames.IsType(type, "System.Threading", "Thread"))
                    return DelegateRunner.Thread;
                if (SymbolNames.IsType(type, "System.Threading", "Timer") || SymbolNames.IsType(type, "System.Threading", "PeriodicTimer"))
                    return DelegateRunner.Timer;
                if (SymbolNames.IsType(type, "System.Threading.Tasks", "Task"))
                    return DelegateRunner.TaskConstructor;
                return DelegateRunner.None;
            }
        }
        return DelegateRunner.None;
    }

    /// <summary>The innermost reason the code at <paramref name="operation"/> may run several times per run of its method.</summary>
    public static Repetition RepetitionAt(IOperation operation)
    {
        for (var parent = operation.Parent; parent is not null; parent = parent.Parent)
        {
            if (parent is ILoopOperation)
                return Repetition.Loop;
            if (parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
                return Repetition.NestedFunction;
        }
        return Repetition.None;
    }
}
