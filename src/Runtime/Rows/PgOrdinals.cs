using System;

namespace PgBorrow;

/// <summary>
/// The column ordinal of each member of a row type in one result set, in member order. Made once per
/// result set by <see cref="IPgRow{TSelf}.GetOrdinals"/>; reading a row only indexes it.
/// </summary>
public readonly struct PgOrdinals
{
    private readonly int[] _ordinals;

    internal PgOrdinals(int[] ordinals)
    {
        _ordinals = ordinals;
        var inOrder = true;
        for (var i = 0; i < ordinals.Length && inOrder; i++)
            inOrder = ordinals[i] == i;
        InMemberOrder = inOrder;
    }

    /// <summary>
    /// True when member <c>i</c> reads column <c>i</c> for every member (the query selects the
    /// mapped columns first, in member order): generated readers then use constant ordinals.
    /// </summary>
    public bool InMemberOrder { get; }

    /// <summary>The column ordinal of the member at <paramref name="member"/> (its position in the row type's member list).</summary>
    public int this[int member] => _ordinals[member];

    /// <summary>The number of members.</summary>
    public int Count => _ordinals?.Length ?? 0;

    /// <summary>True for the default value, which holds no ordinals.</summary>
    public bool IsDefault => _ordinals is null;

    internal ReadOnlySpan<int> AsSpan() => _ordinals;
}
