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
}

/// <summary>Constant facts about bool locals, so that <c>if (!committed) tx.Rollback();</c> is read per path.</summary>
internal enum BoolValue : byte
{
    True = 1,
    False = 2,
    Unknown = 3,
}

/// <summary>The abstract state of every tracked value and bool local at one program point.</summary>
internal sealed class FlowState : IEquatable<FlowState>
{
    readonly ValueFlags[] _values;
    readonly int[] _completionLines;
    readonly BoolValue[] _bools;
    readonly TransactionActivity[] _activity;

    public FlowState(int valueCount, int boolCount)
    {
        _values = new ValueFlags[valueCount];
        _completionLines = new int[valueCount];
        _activity = new TransactionActivity[valueCount];
        _bools = new BoolValue[boolCount];
        for (var i = 0; i < _bools.Length; i++)
            _bools[i] = BoolValue.Unknown;
    }

    FlowState(FlowState other)
    {
        _values = (ValueFlags[])other._values.Clone();
        _completionLines = (int[])other._completionLines.Clone();
        _bools = (BoolValue[])other._bools.Clone();
        _activity = (TransactionActivity[])other._activity.Clone();
    }

    public FlowState Clone() => new(this);

    public ValueFlags this[int index]
    {
        get => _values[index];
        set => _values[index] = value;
    }

    /// <summary>The line of the commit, rollback or dispose that ended the value (for messages).</summary>
    public int CompletionLine(int index) => _completionLines[index];

    public void Complete(int index, ValueFlags how, int line)
    {
        _values[index] = how;
        _completionLines[index] = line;
    }

    /// <summary>What the transaction has done on the server so far, on some path to this point.</summary>
    public TransactionActivity Activity(int index) => _activity[index];

    public void AddActivity(int index, TransactionActivity activity) => _activity[index] |= activity;

    public void ClearActivity(int index) => _activity[index] = TransactionActivity.None;

    public BoolValue GetBool(int index) => _bools[index];

    public void SetBool(int index, BoolValue value) => _bools[index] = value;

    /// <summary>Unions <paramref name="other"/> into this state; true when anything changed.</summary>
    public bool JoinWith(FlowState other)
    {
        var changed = false;
        for (var i = 0; i < _values.Length; i++)
        {
            var joined = _values[i] | other._values[i];
            if (joined != _values[i])
            {
                _values[i] = joined;
                changed = true;
            }
            if (_completionLines[i] == 0)
                _completionLines[i] = other._completionLines[i];
            var activity = _activity[i] | other._activity[i];
            if (activity != _activity[i])
            {
                _activity[i] = activity;
                changed = true;
            }
        }
        for (var i = 0; i < _bools.Length; i++)
        {
            var joined = _bools[i] | other._bools[i];
            if (joined != _bools[i])
            {
                _bools[i] = joined;
                changed = true;
            }
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
        for (var i = 0; i < _values.Length; i++)
        {
            if (_values[i] != other._values[i] || _completionLines[i] != other._completionLines[i] || _activity[i] != other._activity[i])
                return false;
        }
        for (var i = 0; i < _bools.Length; i++)
        {
            if (_bools[i] != other._bools[i])
                return false;
        }
        return true;
    }

    public override bool Equals(object? obj) => obj is FlowState other && Equals(other);

    public override int GetHashCode()
    {
        var hash = 17;
        for (var i = 0; i < _values.Length; i++)
            hash = (hash * 31) + (int)_values[i] + ((int)_activity[i] << 8);
        foreach (var value in _bools)
            hash = (hash * 31) + (int)value;
        return hash;
    }
}
