using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using PgBorrow.Analyzers.Infrastructure;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>How a tracked value stopped being usable.</summary>
internal enum CompletionKind
{
    Committed,
    RolledBack,
    Disposed,
}

/// <summary>A value the engine tracks: a local or parameter holding a transaction, connection or reader.</summary>
internal sealed class TrackedResource
{
    public TrackedResource(ISymbol? symbol, string name, ResourceKind kind, Location location, bool isOwned)
    {
        Symbol = symbol;
        Name = name;
        Kind = kind;
        Location = location;
        IsOwned = isOwned;
    }

    /// <summary>The local or parameter; null for a created value that is discarded at once.</summary>
    public ISymbol? Symbol { get; }

    /// <summary>The declared type of the local or parameter (null for a discarded creation).</summary>
    public ITypeSymbol? DeclaredType => Symbol switch
    {
        ILocalSymbol local => local.Type,
        IParameterSymbol parameter => parameter.Type,
        _ => null,
    };

    public string Name { get; }

    public ResourceKind Kind { get; }

    /// <summary>Where diagnostics about the value as a whole are reported: its declarator, or the creation.</summary>
    public Location Location { get; set; }

    /// <summary>Owned values must be completed or moved on every path; borrowed ones (parameters) need not.</summary>
    public bool IsOwned { get; set; }

    /// <summary>The connection the value was begun or executed on, when the method names it (a local, parameter or field).</summary>
    public ISymbol? Connection { get; set; }

    public int Index { get; set; }

    /// <summary>For advisory locks: every lock call seen is a pg_try_advisory_lock*, whose result the engine cannot follow.</summary>
    public bool OnlyTryLocks { get; set; } = true;

    /// <summary>For advisory locks: the function that took the lock, for messages.</summary>
    public string? LockFunction { get; set; }

    /// <summary>For transactions: the isolation level named at Begin or set by SQL, upper case ("SERIALIZABLE").</summary>
    public string? IsolationLevel { get; set; }

    /// <summary>
    /// For transactions begun with a level that is not a constant: SERIALIZABLE or REPEATABLE READ when
    /// the argument can be one on some path (<see cref="IsolationLevels.Possible"/>); a level set by SQL
    /// (<see cref="IsolationLevel"/>) overrides it.
    /// </summary>
    public string? PossibleIsolationLevel { get; set; }

    /// <summary>Where <see cref="PossibleIsolationLevel"/> came from, for messages: "parameter 'isolation' (default Serializable)".</summary>
    public string? IsolationSource { get; set; }

    /// <summary>For transactions: DEFERRABLE was set by SQL.</summary>
    public bool Deferrable { get; set; }

    /// <summary>For transactions: a statement that writes or locks rows ran in it on some path.</summary>
    public bool EverHoldsLocks { get; set; }

    /// <summary>For transactions: where Begin was called.</summary>
    public SyntaxNode? BeginSyntax { get; set; }

    /// <summary>A value of the enclosing method captured by a lambda or local function.</summary>
    public bool IsCaptured { get; set; }

    /// <summary>
    /// A connection the method borrows (a parameter, or a local naming the caller's connection) but opens
    /// itself and closes on some path: closed until the Open, and owed a Close on every normal path after it.
    /// </summary>
    public bool OpenedHere { get; set; }
}

/// <summary>An owned value still open when a normal path leaves the method.</summary>
internal readonly record struct OpenAtExit(TrackedResource Resource, int ExitLine);

/// <summary>An owned value still open when the exception thrown by <paramref name="ThrowingOperation"/> leaves the method.</summary>
internal readonly record struct OpenOnException(TrackedResource Resource, string ThrowingOperation, int Line);

/// <summary>A use of a value after it was committed, rolled back or disposed on every path that reaches the use.</summary>
internal readonly record struct UseAfterCompletion(TrackedResource Resource, Location UseLocation, string UsedBy, CompletionKind Completion, int CompletionLine);

/// <summary>
/// A transaction parameter completed on a path where it still holds the caller's transaction, in a method that
/// begins one of its own when none is given (PGB003: the caller's later Commit or command finds it completed).
/// </summary>
internal readonly record struct CallersTransactionCompleted(TrackedResource Parameter, Location Location, CompletionKind Completion, int Line);

/// <summary>BeginTransaction on a connection whose transaction begun in this method is still open.</summary>
internal readonly record struct NestedBegin(Location BeginLocation, string ConnectionName, TrackedResource OpenTransaction, int OpenTransactionLine);

/// <summary>A command run on a connection while a reader on that connection is open.</summary>
internal readonly record struct ReaderStillOpen(TrackedResource Reader, Location CommandLocation, string CommandName, string ConnectionName, int Line);

/// <summary>
/// An await of something that is not database work while a transaction that has run statements is
/// open on every path to it. <paramref name="AwaitedMember"/> is "Namespace.Type.Method" (for
/// configuration); <paramref name="LockStatement"/> describes the first statement that took locks,
/// null when the transaction holds no known locks.
/// </summary>
internal readonly record struct AwaitWhileOpen(TrackedResource Transaction, Location AwaitLocation, string AwaitedMember, string AwaitedDisplay, int Line, string? LockStatement, int LockLine);

/// <summary>
/// A statement that writes or locks runs on another connection while <paramref name="Transaction"/>
/// holds locks on its own connection.
/// </summary>
internal readonly record struct SecondConnectionWrite(TrackedResource Transaction, Location Location, string Operation, string OtherConnection, string LockStatement, int LockLine);

/// <summary>A read-committed transaction read a table without a row lock and later updated it.</summary>
internal readonly record struct ReadModifyWrite(TrackedResource Transaction, Location Location, string Table, int ReadLine);

/// <summary>
/// An await of something that is not database work while a data reader or a database query stream
/// (<c>await foreach</c> over QueryStreamAsync) is open and is read again after it.
/// <paramref name="Reader"/> describes it for messages ("Data reader 'reader'").
/// </summary>
internal readonly record struct ReaderAcrossAwait(string Reader, Location AwaitLocation, string AwaitedMember, string AwaitedDisplay, int Line);

/// <summary>
/// A runtime handle created and thrown away at once (<c>await conn.AdvisoryLockAsync(key, ct);</c>):
/// nothing can ever dispose it. <paramref name="Connection"/> is the receiver's name, when it is one.
/// </summary>
internal readonly record struct DiscardedHandle(ResourceKind Kind, Location Location, string Method, string? Connection);

/// <summary>
/// An owned transaction that work ran in (a statement that writes or is not known, or a call it was handed
/// to), that no path commits, rolls back or hands on, and that every normal path disposes: whatever ran in
/// it is rolled back, silently. <paramref name="DisposeLine"/> is where a normal path disposes it.
/// </summary>
internal readonly record struct NeverCommitted(TrackedResource Transaction, int DisposeLine, string Work, int WorkLine);

/// <summary>
/// A lambda that uses <paramref name="Transaction"/> (at <paramref name="UseLocation"/>, inside it) escaped the
/// method (<paramref name="How"/>, on <paramref name="DelegateLine"/>), and the method then completed the
/// transaction on a path the escape was on: the delegate can run against a completed transaction.
/// </summary>
internal readonly record struct DelegateOutlivesTransaction(TrackedResource Transaction, Location UseLocation, string How, int DelegateLine, CompletionKind Completion, int CompletionLine);

/// <summary>
/// A deferred query (an <c>IAsyncEnumerable</c>, an unbuffered or iterator <c>IEnumerable</c>) made by
/// <paramref name="Query"/> on <paramref name="QueryLine"/> with <paramref name="Transaction"/>, enumerated at
/// <paramref name="Location"/> after the transaction completed on every path: the query runs only now, outside it.
/// </summary>
internal readonly record struct DeferredQueryAfterCompletion(TrackedResource Transaction, Location Location, string Query, int QueryLine, CompletionKind Completion, int CompletionLine);

/// <summary>
/// A wait that blocks the thread (<paramref name="Name"/>: Thread.Sleep, WaitOne, Result, Wait, GetResult)
/// while <paramref name="Transaction"/> is open on every path to it. <paramref name="TaskCall"/> is the
/// database call whose task is waited for (task waits only); <paramref name="Active"/>: the transaction has
/// run a statement; <paramref name="LockStatement"/> describes the first statement that took locks.
/// </summary>
internal readonly record struct BlockingWaitWhileOpen(TrackedResource Transaction, SyntaxNode Site, BlockingWaitKind Kind, string Name, string? TaskCall, bool Active, string? LockStatement, int LockLine);

/// <summary>Everything the ownership engine found in one method body, its lambdas and local functions.</summary>
internal sealed class OwnershipReport
{
    public static readonly OwnershipReport Empty = new();

    public List<OpenAtExit> OpenAtExit { get; } = new();

    public List<OpenOnException> OpenOnException { get; } = new();

    public List<UseAfterCompletion> UsesAfterCompletion { get; } = new();

    public List<CallersTransactionCompleted> CallersTransactionsCompleted { get; } = new();

    public List<NestedBegin> NestedBegins { get; } = new();

    public List<ReaderStillOpen> ReadersStillOpen { get; } = new();

    public List<AwaitWhileOpen> AwaitsWhileOpen { get; } = new();

    public List<SecondConnectionWrite> SecondConnectionWrites { get; } = new();

    public List<ReadModifyWrite> ReadModifyWrites { get; } = new();

    public List<ReaderAcrossAwait> ReadersAcrossAwaits { get; } = new();

    public List<DiscardedHandle> DiscardedHandles { get; } = new();

    public List<NeverCommitted> NeverCommitted { get; } = new();

    public List<DelegateOutlivesTransaction> DelegatesOutliving { get; } = new();

    /// <summary>Deferred queries enumerated after the transaction they were handed completed (PGB003 across time).</summary>
    public List<DeferredQueryAfterCompletion> DeferredQueriesAfterCompletion { get; } = new();

    /// <summary>Thread-blocking waits while a transaction is open (PGB005).</summary>
    public List<BlockingWaitWhileOpen> BlockingWaits { get; } = new();

    /// <summary>Transactions begun in the method (for rules about how they are begun, such as PGB106).</summary>
    public List<TrackedResource> BegunTransactions { get; } = new();

    /// <summary>
    /// Values that a <c>using</c> disposes on a normal path while they, or for a connection a
    /// transaction or reader begun on it, may still be open: that Dispose makes a round trip (ROLLBACK,
    /// or reading the rest of the rows). A value absent from the set is completed whenever its using
    /// ends normally (PGB005 reads this for sync <c>using</c> in async code).
    /// </summary>
    public HashSet<ISymbol> OpenAtUsingDispose { get; } = new(SymbolEqualityComparer.Default);

    /// <summary>True when the engine found nothing any rule reads.</summary>
    public bool IsEmpty
        => OpenAtExit.Count + OpenOnException.Count + UsesAfterCompletion.Count + NestedBegins.Count + ReadersStillOpen.Count
            + AwaitsWhileOpen.Count + BegunTransactions.Count + SecondConnectionWrites.Count + ReadModifyWrites.Count
            + ReadersAcrossAwaits.Count + DiscardedHandles.Count + OpenAtUsingDispose.Count + NeverCommitted.Count
            + DelegatesOutliving.Count + BlockingWaits.Count + CallersTransactionsCompleted.Count + DeferredQueriesAfterCompletion.Count == 0;
}
