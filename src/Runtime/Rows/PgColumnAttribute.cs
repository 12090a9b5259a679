using System;

namespace PgBorrow;

/// <summary>
/// Names the column a row member reads, instead of the name derived from the member
/// (<see cref="PgRowAttribute.Naming"/>). On a positional record parameter it can be written as
/// <c>[PgColumn("name")]</c> or <c>[property: PgColumn("name")]</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class PgColumnAttribute : Attribute
{
    /// <summary>Maps the member to the column <paramref name="name"/> (matched exactly first, then ignoring case).</summary>
    public PgColumnAttribute(string name) => Name = name;

    /// <summary>The column name.</summary>
    public string Name { get; }
}
