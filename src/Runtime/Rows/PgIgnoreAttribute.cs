using System;

namespace PgBorrow;

/// <summary>
/// Leaves a settable property out of the row mapping: no column is read for it, and it keeps the
/// value its initializer gives it. A constructor parameter or a <c>required</c> member cannot be
/// ignored (the generator then emits no mapping for the type).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter, AllowMultiple = false, Inherited = false)]
public sealed class PgIgnoreAttribute : Attribute
{
}
