using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>What a blocking wait waits for.</summary>
internal enum BlockingWaitKind
{
    /// <summary><c>Thread.Sleep</c>.</summary>
    Sleep,

    /// <summary><c>WaitHandle.WaitOne</c>, <c>WaitAll</c>, <c>WaitAny</c>, and the slim primitives' <c>Wait</c>.</summary>
    WaitHandle,

    /// <summary><c>task.Wait()</c>, <c>task.Result</c>, <c>task.GetAwaiter().GetResult()</c>: <see cref="BlockingWait.Task"/> is the task.</summary>
    Task,
}

/// <summary>A call or property read that blocks the thread until something else happens.</summary>
internal readonly record struct BlockingWait(BlockingWaitKind Kind, string Name, IOperation? Task);

/// <summary>
/// The thread-blocking waits PGB005 reports while a transaction is open: <c>Thread.Sleep</c>, a wait
/// handle's <c>WaitOne</c>/<c>WaitAll</c>/<c>WaitAny</c>, <c>SemaphoreSlim</c>/<c>ManualResetEventSlim</c>/
/// <c>CountdownEvent</c>'s <c>Wait</c>, and a task's <c>Wait()</c>, <c>Result</c> or
/// <c>GetAwaiter().GetResult()</c>. A zero timeout polls and does not block: not a wait.
/// </summary>
internal static class BlockingWaits
{
    public static BlockingWait? Read(IOperation operation)
    {
        switch (operation)
        {
            case IPropertyReferenceOperation { Property.Name: "Result", Instance: { } task } property
                when IsTaskType(property.Property.ContainingType):
                return new BlockingWait(BlockingWaitKind.Task, "Result", TaskOperand(task));
            case IInvocationOperation invocation:
            {
                var method = invocation.TargetMethod;
                switch (method.Name)
                {
                    case "Sleep" when method.IsStatic && IsSystemThreading(method.ContainingType, "Thread") && !PollsOnly(invocation):
                        return new BlockingWait(BlockingWaitKind.Sleep, "Thread.Sleep", null);
                    case "WaitOne" or "WaitAll" or "WaitAny" when DerivesFromWaitHandle(method.ContainingType) && !PollsOnly(invocation):
                        return new BlockingWait(BlockingWaitKind.WaitHandle, method.Name, null);
                    case "Wait" when !method.IsStatic && IsSlimWait(method.ContainingType) && !PollsOnly(invocation):
                        return new BlockingWait(BlockingWaitKind.WaitHandle, method.ContainingType!.Name + ".Wait", null);
                    case "Wait" when !method.IsStatic && invocation.Instance is { } task && IsTaskType(method.ContainingType) && !PollsOnly(invocation):
                        return new BlockingWait(BlockingWaitKind.Task, "Wait", TaskOperand(task));
                    case "GetResult" when method.ContainingType?.Name.EndsWith("Awaiter", System.StringComparison.Ordinal) == true
                        && Operations.Unwrap(invocation.Instance) is IInvocationOperation { TargetMethod.Name: "GetAwaiter", Instance: { } awaited }:
                        return new BlockingWait(BlockingWaitKind.Task, "GetResult", TaskOperand(awaited));
                }
                return null;
            }
            default:
                return null;
        }
    }

    /// <summary>The task under <c>.AsTask()</c> and <c>.ConfigureAwait(...)</c>.</summary>
    static IOperation TaskOperand(IOperation task)
    {
        while (Operations.Unwrap(task) is IInvocationOperation { TargetMethod.Name: "AsTask" or "ConfigureAwait", Instance: { } inner })
            task = inner;
        return Operations.Unwrap(task)!;
    }

    /// <summary>A first argument that is a zero timeout (<c>0</c>, <c>TimeSpan.Zero</c>): the call returns at once.</summary>
    static bool PollsOnly(IInvocationOperation invocation)
    {
        if (invocation.Arguments.Length == 0)
            return false;
        foreach (var argument in invocation.Arguments)
        {
            if (argument.Parameter?.Type.SpecialType == SpecialType.System_Int32 || argument.Parameter?.Type.Name == "TimeSpan")
            {
                var value = Operations.Unwrap(argument.Value);
                return value?.ConstantValue is { HasValue: true, Value: 0 }
                    || value is IFieldReferenceOperation { Field.Name: "Zero" } or IPropertyReferenceOperation { Property.Name: "Zero" };
            }
        }
        return false;
    }

    static bool IsTaskType(INamedTypeSymbol? type)
        => type?.OriginalDefinition is { Name: "Task" or "ValueTask", ContainingNamespace: { Name: "Tasks", ContainingNamespace: { Name: "Threading", ContainingNamespace.Name: "System" } } };

    static bool IsSystemThreading(INamedTypeSymbol? type, string name)
        => type is { ContainingNamespace: { Name: "Threading", ContainingNamespace: { Name: "System", ContainingNamespace.IsGlobalNamespace: true } } } && type.Name == name;

    /// <summary>The slim primitives, which block on <c>Wait</c> without being wait handles.</summary>
    static bool IsSlimWait(INamedTypeSymbol? type)
        => IsSystemThreading(type, "SemaphoreSlim") || IsSystemThreading(type, "ManualResetEventSlim") || IsSystemThreading(type, "CountdownEvent");

    static bool DerivesFromWaitHandle(INamedTypeSymbol? type)
    {
        for (; type is not null; type = type.BaseType)
        {
            if (IsSystemThreading(type, "WaitHandle"))
                return true;
        }
        return false;
    }
}
