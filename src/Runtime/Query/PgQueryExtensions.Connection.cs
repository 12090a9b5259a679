using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Query methods on connections, transactions and data sources. SQL comes in as <see cref="PgSql"/>:
/// the holes of an interpolated string become typed <c>$n</c> parameters. Rows are read through the
/// static members the [PgRow] generator implements (<see cref="IPgRow{TSelf}"/>), with no reflection.
/// </summary>
/// <remarks>
/// On a connection: it must be open and it stays open; commands run in its current transaction, if
/// any. On a transaction: the command runs on its connection, inside it. On a data source: a pooled
/// connection is opened for the command and returned once the results are read.
/// </remarks>
public static partial class PgQueryExtensions
{
    /// <summary>Runs the query and reads every row of its result into a list.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The rows, in the order the query returned them.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    public static Task<List<T>> QueryAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(connection), sql.Take(), cancellationToken);

    /// <summary>Runs the query and reads its only row.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The row.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    /// <exception cref="System.InvalidOperationException">The query returned no row, or more than one.</exception>
    public static Task<T> QuerySingleAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QuerySingleAsync<T>(PgTarget.Of(connection), sql.Take(), cancellationToken);

    /// <summary>Runs the query with <see cref="System.Data.CommandBehavior.SingleRow"/> and reads its first row, if any.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The first row, or <see langword="default"/> when there is none (<see langword="null"/> for a class, a zeroed value for a struct).</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryFirstOrDefaultAsync<T>(PgTarget.Of(connection), sql.Take(), cancellationToken);

    /// <summary>
    /// Streams the rows of the query: each row is read from the connection when the enumeration asks
    /// for it, so memory stays flat however many rows there are. The command runs when the
    /// enumeration starts.
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command and the enumeration (as does a token given to <c>WithCancellation</c>).</param>
    /// <returns>The rows. Enumerate them once; the connection is busy until the enumeration ends or is disposed.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    public static IAsyncEnumerable<T> QueryStreamAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryStreamAsync<T>(PgTarget.Of(connection), sql.Take(), cancellationToken);

    /// <summary>Runs a statement and returns the number of rows it affected.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The number of rows the statement inserted, updated or deleted (-1 for other statements).</returns>
    public static Task<int> ExecuteAsync(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(connection), sql.Take(), cancellationToken);

    /// <summary>Runs the query and reads the first column of its first row as <typeparamref name="T"/>, without boxing.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The value; <see langword="default"/> when there is no row or the value is NULL (ask for <c>int?</c> rather than <c>int</c> to tell those apart from 0).</returns>
    public static Task<T?> ExecuteScalarAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(connection), sql.Take(), cancellationToken);
}
