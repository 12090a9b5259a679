using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// A type that reads itself from a result set and writes itself to a binary COPY or to command
/// parameters, implemented by the [PgRow] generator. The query and COPY methods call these static
/// members through the generic constraint <c>where T : IPgRow&lt;T&gt;</c>, so neither reading nor
/// writing rows needs reflection: both are safe for trimming and native AOT.
/// </summary>
/// <typeparam name="TSelf">The row type itself.</typeparam>
public interface IPgRow<TSelf>
    where TSelf : IPgRow<TSelf>
{
    /// <summary>The row type's members and their columns, in the order every other member uses them.</summary>
    static abstract PgRowMap Map { get; }

    /// <summary>
    /// Matches the row's members to the columns of the reader's current result set. Called once per
    /// result set, before the first row is read.
    /// </summary>
    /// <exception cref="PgRowException">A member's column is not in the result set.</exception>
    static abstract PgOrdinals GetOrdinals(NpgsqlDataReader reader);

    /// <summary>Reads the reader's current row, using the ordinals from <see cref="GetOrdinals"/>.</summary>
    /// <exception cref="PgRowException">A column is NULL for a member that is not nullable, or holds a value of a type the member cannot be read as.</exception>
    static abstract TSelf Read(NpgsqlDataReader reader, PgOrdinals ordinals);

    /// <summary>
    /// Writes <paramref name="row"/> as one row of a binary COPY whose column list is <see cref="Map"/>'s
    /// columns, in order: starts the row, then writes each member (NULL for null values).
    /// </summary>
    /// <exception cref="System.NotSupportedException">The row type cannot be written: a constructor parameter has no readable property.</exception>
    static abstract Task WriteAsync(NpgsqlBinaryImporter importer, TSelf row, CancellationToken cancellationToken);

    /// <summary>
    /// Adds one typed parameter per member to <paramref name="parameters"/>, in <see cref="Map"/>'s
    /// order, for a statement whose placeholders are <c>$1</c> to <c>$n</c>.
    /// </summary>
    /// <exception cref="System.NotSupportedException">The row type cannot be written: a constructor parameter has no readable property.</exception>
    static abstract void AddParameters(NpgsqlParameterCollection parameters, TSelf row);
}
