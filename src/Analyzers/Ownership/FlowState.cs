using System;

namespace PgBorrow.Analyzers.Ownership;

/// <summary>
/// What may be true of a tracked value at one program point, as a set of possibilities: the
/// union over every path that reaches the point. "May be open" is <c>(flags &amp; Open) != 0</c>;
/// "definitely completed" is a non-empty set holding only completion bits.
/// </summary>
[Flags]
internal enum ValueFlags : byte
{
    None = 0,

    /// <summary>Not assigned yet, or known to be null on this path: nothing is owned.</summary>
    Unset = 1,

    /// <summary>Acquired and not yet completed, disposed or moved.</summary>
    Open = 2,

    Committed = 4,

    RolledBack = 8,

    /// <summary>Disposed (or closed, for connections and readers).</summary>
    Disposed = 16,

    /// <summary>Ownership went elsewhere: returned, stored, passed to a method that takes it.</summary>
    Moved = 32,

    /// <summary>
    /// The connection the value depends on was disposed or closed, which also ends its transaction
    /// and readers. Exception paths count this as released; PGB001 does not, because a commit was
    /// still never written.
    /// </summary>
    EndedWithConnection = 64,

    /// <summary>
    /// Commit or Rollback threw. PostgreSQL ends a transaction whose COMMIT fails, and a broken
    /// connection ends it too, so the value no longer counts as open; but it is not known to be
    /// completed either, so rolling it back in a handler is not a use after completion.
    /// </summary>
    CompletionFailed = 128,

    Completed = Committed | RolledBack | Disposed,
}

/// <summary>
/// What a transaction has made the server do. Npgsql sends BEGIN with the first command, so until a
/// command runs there is no server transaction at all; after it, the session holds a snapshot
/// (REPEATABLE READ and SERIALIZABLE) or at least an open transaction; writes and locking reads also
/// hold row locks until the transaction ends.
/// </summary>
[Flags]
internal enum TransactionActivity : byte
{
    None = 0,
    StatementRun = 1,
    HoldsLocks = 2,

    /// <summary>
    /// Not server activity, but kept beside it because it is per value, per path, and joins the same way: a
    /// lambda that can run after the method has gone on (stored, returned, started and not awaited) uses the
    /// transaction. Completing it on such a path is PGB003 across time.
    /// </summary>
    UsedByEscapedDelegate = 4,

    /// <summary>
    /// Not server activity either: the value on this path is the one the caller passed in, in a method that
    /// replaces a missing one with a transaction it begins itself (<c>if (transaction == null) transaction =
    /// connection.BeginTransaction();</c>). Completing it on such a path ends the caller's transaction.
    /// </summary>
    CallersValue = 8,

    /// <summary>What the transaction has made the server do.</summary>
    OnServer = StatementRun | HoldsLocks,
}

/// <summary>Constant facts about bool locals, so that <c>if (!committed) tx.Rollback();</c> is read per path.</summary>
internal enum BoolValue : byte
{
    True = 1,
    False = 2,
    Unknown = 3,
}

/// <summary>The abstract state of every tracked value and bool local at one program point.</summary>
/// <remarks>
/// The engine copies states at every block and branch, so the byte-sized facts share one array
/// (value flags, then transaction activity, then bools): a copy is two allocations, not four.
/// </remarks>
internal sealed class FlowState : IEquatable<FlowState>
{
    readonly int _valueCount;

    /// <summary><see cref="ValueFlags"/> per value, <see cref="TransactionActivity"/> per value, <see cref="BoolValue"/> per bool.</summary>
    readonly byte[] _facts;
    readonly int[] _completionLines;

    public FlowState(int valueCount, int boolCount)
    {
        _valueCount = valueCount;
        _facts = new byte[(2 * valueCount) + boolCount];
        _completionLines = new int[valueCount];
        for (var i = 2 * valueCount; i < _facts.Length; i++)
            _facts[i] = (byte)BoolValue.Unknown;
    }

    FlowState(FlowState other)
    {
        // Copied into new arrays rather than with Array.Clone, whose MemberwiseClone path is several
        // times slower for arrays this small.
        _valueCount = other._valueCount;
        _facts = new byte[other._facts.Length];
        System.Buffer.BlockCopy(other._facts, 0, _facts, 0, _facts.Length);
        _completionLines = new int[other._completionLines.Length];
        System.Array.Copy(other._completionLines, _completionLines, _completionLines.Length);
    }

    public FlowState Clone() => new(this);

    public ValueFlags this[int index]
    {
        get => (ValueFlags)_facts[index];
        set => _facts[index] = (byte)value;
    }

    /// <summary>The line of the commit, rollback or dispose that ended the value (for messages).</summary>
    public int CompletionLine(int index) => _completionLines[index];

    public void Complete(int index, ValueFlags how, int line)
    {
        _facts[index] = (byte)how;
        _completionLines[index] = line;
    }

    /// <summary>What the transaction has done on the server so far, on some path to this point.</summary>
    public TransactionActivity Activity(int index) => (TransactionActivity)_facts[_valueCount + index];

    public void AddActivity(int index, TransactionActivity activity) => _facts[_valueCount + index] |= (byte)activity;

    public void ClearActivity(int index) => _facts[_valueCount + index] = (byte)TransactionActivity.None;

    public void RemoveActivity(int index, TransactionActivity activity) => _facts[_valueCount + index] &= (byte)~activity;

    public BoolValue GetBool(int index) => (BoolValue)_facts[(2 * _valueCount) + index];

    public void SetBool(int index, BoolValue value) => _facts[(2 * _valueCount) + index] = (byte)value;

    /// <summary>Unions <paramref name="other"/> into this state; true when anything changed.</summary>
    /// <remarks>Flags, activity and bools all join by bitwise or.</remarks>
    public bool JoinWith(FlowState other)
    {
        var changed = false;
        var facts = _facts;
        var otherFacts = other._facts;
        for (var i = 0; i < facts.Length; i++)
        {
            var joined = (byte)(facts[i] | otherFacts[i]);
            if (joined != facts[i])
            {
                facts[i] = joined;
                changed = true;
            }
        }
        for (var i = 0; i < _completionLines.Length; i++)
        {
            if (_completionLines[i] == 0)
                _completionLines[i] = other._completionLines[i];
        }
        return changed;
    }

    public static bool IsDefinitelyCompleted(ValueFlags flags)
        => flags != ValueFlags.None && (flags & ~ValueFlags.Completed) == 0;

    public static bool IsDefinitelyOpen(ValueFlags flags) => flags == ValueFlags.Open;

    public bool Equals(FlowState? other)
    {
        if (other is null)
            return false;
        if (ReferenceEquals(this, other))
            return true;
        var facts = _facts;
        var otherFacts = other._facts;
        if (facts.Length != otherFacts.Length)
            return false;
        for (var i = 0; i < facts.Length; i++)
        {
            if (facts[i] != otherFacts[i])
                return false;
        }
        for (var i = 0; i < _completionLines.Length; i++)
        {
            if (_completionLines[i] != other._completionLines[i])
                return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is FlowState other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        for (var i = 0; i < _valueCount; i++)
            hash = (hash * 31) + _facts[i] + (_facts[_valueCount + i] << 8);
        for (var i = 2 * _valueCount; i < _facts.Length; i++)
            hash = (hash * 31) + _facts[i];
        return hash;
    }
}
