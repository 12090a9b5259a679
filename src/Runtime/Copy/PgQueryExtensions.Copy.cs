using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

public static partial class PgQueryExtensions
{
    #region Binary COPY

    /// <summary>
    /// Bulk-inserts <paramref name="rows"/> into <paramref name="table"/> with one binary
    /// <c>COPY table (columns) FROM STDIN (FORMAT BINARY)</c>: the columns are the row type's mapped
    /// columns, each member written with its typed binary writer, NULL for null values.
    /// </summary>
    /// <remarks>
    /// <para>All or nothing: if enumerating the rows, writing a value or the server fails, or the
    /// token is cancelled, the COPY is cancelled and the table keeps none of the rows.</para>
    /// <para>Binary COPY does not convert types: each member's C# type must match its column's type
    /// (<c>int</c> for <c>integer</c>, <c>long</c> for <c>bigint</c>, <c>DateTime</c> of kind Utc for
    /// <c>timestamptz</c>). A mismatch fails with the server's 22P03 error, which names the column.</para>
    /// <para>On a connection in a transaction, the rows become visible when it commits.</para>
    /// </remarks>
    /// <param name="connection">An open connection.</param>
    /// <param name="table">The table, as SQL names it: <c>orders</c>, <c>sales.orders</c>, <c>"Orders"</c>. Anything else is refused.</param>
    /// <param name="rows">The rows, enumerated once.</param>
    /// <param name="cancellationToken">Cancels the COPY.</param>
    /// <returns>The number of rows the server inserted.</returns>
    /// <exception cref="ArgumentException"><paramref name="table"/> is not a table name.</exception>
    /// <exception cref="PgRowException">A member's value could not be written; the message names the row type, member and column.</exception>
    public static Task<ulong> CopyInAsync<T>(this NpgsqlConnection connection, string table, IEnumerable<T> rows, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        return PgCopyCore.CopyInAsync(connection, table, rows, cancellationToken);
    }

    /// <inheritdoc cref="CopyInAsync{T}(NpgsqlConnection, string, IEnumerable{T}, CancellationToken)"/>
    public static Task<ulong> CopyInAsync<T>(this NpgsqlConnection connection, string table, IAsyncEnumerable<T> rows, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(rows);
        return PgCopyCore.CopyInAsync(connection, table, rows, cancellationToken);
    }

    /// <inheritdoc cref="CopyInAsync{T}(NpgsqlConnection, string, IEnumerable{T}, CancellationToken)"/>
    public static Task<ulong> CopyInAsync<T>(this NpgsqlTransaction transaction, string table, IEnumerable<T> rows, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        return PgCopyCore.CopyInAsync(PgTarget.ConnectionOf(transaction), table, rows, cancellationToken);
    }

    /// <inheritdoc cref="CopyInAsync{T}(NpgsqlConnection, string, IEnumerable{T}, CancellationToken)"/>
    public static Task<ulong> CopyInAsync<T>(this NpgsqlTransaction transaction, string table, IAsyncEnumerable<T> rows, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
    {
        ArgumentNullException.ThrowIfNull(rows);
        return PgCopyCore.CopyInAsync(PgTarget.ConnectionOf(transaction), table, rows, cancellationToken);
    }

    /// <inheritdoc cref="CopyInAsync{T}(NpgsqlConnection, string, IEnumerable{T}, CancellationToken)"/>
    /// <remarks>A pooled connection is opened for the COPY and returned when it ends.</remarks>
    public static Task<ulong> CopyInAsync<T>(this NpgsqlDataSource dataSource, string table, IEnumerable<T> rows, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(rows);
        return PgCopyCore.CopyInAsync(dataSource, table, rows, cancellationToken);
    }

    /// <inheritdoc cref="CopyInAsync{T}(NpgsqlDataSource, string, IEnumerable{T}, CancellationToken)"/>
    public static Task<ulong> CopyInAsync<T>(this NpgsqlDataSource dataSource, string table, IAsyncEnumerable<T> rows, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(rows);
        return PgCopyCore.CopyInAsync(dataSource, table, rows, cancellationToken);
    }

    #endregion

    #region Insert

    /// <summary>
    /// Inserts one row: <c>INSERT INTO table (columns) VALUES ($1, ...)</c> with one typed
    /// <see cref="NpgsqlParameter{T}"/> per mapped member.
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="table">The table, as SQL names it: <c>orders</c>, <c>sales.orders</c>, <c>"Orders"</c>. Anything else is refused.</param>
    /// <param name="row">The row.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The number of rows inserted (1).</returns>
    /// <exception cref="ArgumentException"><paramref name="table"/> is not a table name.</exception>
    public static Task<int> InsertAsync<T>(this NpgsqlConnection connection, string table, T row, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgCopyCore.InsertAsync(PgTarget.Of(connection), table, row, cancellationToken);

    /// <inheritdoc cref="InsertAsync{T}(NpgsqlConnection, string, T, CancellationToken)"/>
    public static Task<int> InsertAsync<T>(this NpgsqlTransaction transaction, string table, T row, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgCopyCore.InsertAsync(PgTarget.Of(transaction), table, row, cancellationToken);

    /// <inheritdoc cref="InsertAsync{T}(NpgsqlConnection, string, T, CancellationToken)"/>
    public static Task<int> InsertAsync<T>(this NpgsqlDataSource dataSource, string table, T row, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgCopyCore.InsertAsync(PgTarget.Of(dataSource), table, row, cancellationToken);

    #endregion
}
