using Npgsql;

namespace PgBorrow;

/// <summary>
/// A type that reads itself from a result set, implemented by the [PgRow] generator. The query
/// methods call these static members through the generic constraint <c>where T : IPgRow&lt;T&gt;</c>,
/// so reading rows needs no reflection and is safe for trimming and native AOT.
/// </summary>
/// <typeparam name="TSelf">The row type itself.</typeparam>
public interface IPgRow<TSelf>
    where TSelf : IPgRow<TSelf>
{
    /// <summary>
    /// Matches the row's members to the columns of the reader's current result set. Called once per
    /// result set, before the first row is read.
    /// </summary>
    /// <exception cref="PgRowException">A member's column is not in the result set.</exception>
    static abstract PgOrdinals GetOrdinals(NpgsqlDataReader reader);

    /// <summary>Reads the reader's current row, using the ordinals from <see cref="GetOrdinals"/>.</summary>
    /// <exception cref="PgRowException">A column is NULL for a member that is not nullable, or holds a value of a type the member cannot be read as.</exception>
    static abstract TSelf Read(NpgsqlDataReader reader, PgOrdinals ordinals);
}
