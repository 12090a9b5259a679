using System.ComponentModel;

namespace PgBorrow;

/// <summary>
/// One mapped member of a row type, as the [PgRow] generator describes it: used to find its column
/// and to name it in error messages. Generated code creates these; user code has no need to.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PgRowMember
{
    /// <summary>Describes a member.</summary>
    /// <param name="member">The member's name in C# (<c>OrderId</c>).</param>
    /// <param name="column">The column it reads (<c>order_id</c>).</param>
    /// <param name="clrType">The member's C# type as written in messages (<c>int</c>, <c>string?</c>).</param>
    public PgRowMember(string member, string column, string clrType)
    {
        Member = member;
        Column = column;
        ClrType = clrType;
    }

    /// <summary>The member's name in C#.</summary>
    public string Member { get; }

    /// <summary>The column it reads.</summary>
    public string Column { get; }

    /// <summary>The member's C# type, for messages.</summary>
    public string ClrType { get; }
}
