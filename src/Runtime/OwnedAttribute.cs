using System;

namespace PgBorrow;

/// <summary>
/// Marks a parameter that takes ownership of the transaction, connection or data reader passed to it.
/// </summary>
/// <remarks>
/// Parameters are borrowed by default: the caller keeps the obligation to commit, roll back or
/// dispose. A parameter marked <c>[Owned]</c> moves that obligation into the method, so the caller's
/// value counts as moved after the call (PGB001, PGB006, PGB007 stop tracking it there), and the
/// method itself must complete or dispose it on every path.
/// </remarks>
[AttributeUsage(AttributeTargets.Parameter, AllowMultiple = false, Inherited = true)]
public sealed class OwnedAttribute : Attribute
{
}
