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
/// connection is opened for the command and returned once the results are read. On the PgTx of a
/// scope: the command runs in the scope's transaction.
/// Every method has an overload taking <see cref="PgQueryOptions"/> (a command timeout, explicit
/// preparation); <c>QueryMultipleAsync</c> sends the statements of a <see cref="PgBatch"/> in one round trip.
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
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(connection), sql.Take(), default, cancellationToken);

    /// <summary>Runs the query and reads every row of its result into a list.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The rows, in the order the query returned them.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    public static Task<List<T>> QueryAsync<T>(this NpgsqlConnection connection, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(connection), sql.Take(), options, cancellationToken);

    /// <summary>Runs the query with <see cref="System.Data.CommandBehavior.SingleRow"/> and reads its first row.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The first row.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    /// <exception cref="System.InvalidOperationException">The query returned no row.</exception>
    public static Task<T> QueryFirstAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), sql.Take(), default, PgCardinality.First, cancellationToken)!;

    /// <summary>Runs the query with <see cref="System.Data.CommandBehavior.SingleRow"/> and reads its first row.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The first row.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    /// <exception cref="System.InvalidOperationException">The query returned no row.</exception>
    public static Task<T> QueryFirstAsync<T>(this NpgsqlConnection connection, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), sql.Take(), options, PgCardinality.First, cancellationToken)!;

    /// <summary>Runs the query with <see cref="System.Data.CommandBehavior.SingleRow"/> and reads its first row, if any.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The first row, or <see langword="default"/> when there is none (<see langword="null"/> for a class, a zeroed value for a struct).</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), sql.Take(), default, PgCardinality.FirstOrDefault, cancellationToken);

    /// <summary>Runs the query with <see cref="System.Data.CommandBehavior.SingleRow"/> and reads its first row, if any.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The first row, or <see langword="default"/> when there is none (<see langword="null"/> for a class, a zeroed value for a struct).</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this NpgsqlConnection connection, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), sql.Take(), options, PgCardinality.FirstOrDefault, cancellationToken);

    /// <summary>Runs the query and reads its only row.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The row.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    /// <exception cref="System.InvalidOperationException">The query returned no row, or more than one.</exception>
    public static Task<T> QuerySingleAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), sql.Take(), default, PgCardinality.Single, cancellationToken)!;

    /// <summary>Runs the query and reads its only row.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The row.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    /// <exception cref="System.InvalidOperationException">The query returned no row, or more than one.</exception>
    public static Task<T> QuerySingleAsync<T>(this NpgsqlConnection connection, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), sql.Take(), options, PgCardinality.Single, cancellationToken)!;

    /// <summary>Runs the query and reads its only row, if any.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The row, or <see langword="default"/> when there is none (<see langword="null"/> for a class, a zeroed value for a struct).</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    /// <exception cref="System.InvalidOperationException">The query returned more than one row.</exception>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), sql.Take(), default, PgCardinality.SingleOrDefault, cancellationToken);

    /// <summary>Runs the query and reads its only row, if any.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The row, or <see langword="default"/> when there is none (<see langword="null"/> for a class, a zeroed value for a struct).</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    /// <exception cref="System.InvalidOperationException">The query returned more than one row.</exception>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this NpgsqlConnection connection, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), sql.Take(), options, PgCardinality.SingleOrDefault, cancellationToken);

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
        => PgQueryCore.QueryStreamAsync<T>(PgTarget.Of(connection), sql.Take(), default, cancellationToken);

    /// <summary>
    /// Streams the rows of the query: each row is read from the connection when the enumeration asks
    /// for it, so memory stays flat however many rows there are. The command runs when the
    /// enumeration starts.
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command and the enumeration (as does a token given to <c>WithCancellation</c>).</param>
    /// <returns>The rows. Enumerate them once; the connection is busy until the enumeration ends or is disposed.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    public static IAsyncEnumerable<T> QueryStreamAsync<T>(this NpgsqlConnection connection, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryStreamAsync<T>(PgTarget.Of(connection), sql.Take(), options, cancellationToken);

    /// <summary>Runs a statement and returns the number of rows it affected.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The number of rows the statement inserted, updated or deleted (-1 for other statements).</returns>
    public static Task<int> ExecuteAsync(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(connection), sql.Take(), default, cancellationToken);

    /// <summary>Runs a statement and returns the number of rows it affected.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The number of rows the statement inserted, updated or deleted (-1 for other statements).</returns>
    public static Task<int> ExecuteAsync(this NpgsqlConnection connection, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(connection), sql.Take(), options, cancellationToken);

    /// <summary>Runs the query and reads the first column of its first row as <typeparamref name="T"/>, without boxing.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The value; <see langword="default"/> when there is no row or the value is NULL (ask for <c>int?</c> rather than <c>int</c> to tell those apart from 0).</returns>
    public static Task<T?> ExecuteScalarAsync<T>(this NpgsqlConnection connection, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(connection), sql.Take(), default, cancellationToken);

    /// <summary>Runs the query and reads the first column of its first row as <typeparamref name="T"/>, without boxing.</summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The SQL; holes of an interpolated string become <c>$n</c> parameters.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The value; <see langword="default"/> when there is no row or the value is NULL (ask for <c>int?</c> rather than <c>int</c> to tell those apart from 0).</returns>
    public static Task<T?> ExecuteScalarAsync<T>(this NpgsqlConnection connection, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(connection), sql.Take(), options, cancellationToken);

    /// <summary>
    /// Sends the statements of <paramref name="sql"/> in one round trip (an <see cref="NpgsqlBatch"/>, each
    /// statement with its own parameters) and returns their results, to read in order (Dapper's <c>QueryMultiple</c>):
    /// <code>
    /// await using var results = await connection.QueryMultipleAsync(new PgBatch
    /// {
    ///     $"SELECT * FROM customers WHERE id = {id}",
    ///     $"SELECT * FROM orders WHERE customer_id = {id}",
    /// }, ct);
    /// var customer = await results.ReadSingleAsync&lt;Customer&gt;(ct);
    /// var orders = await results.ReadAsync&lt;Order&gt;(ct);
    /// </code>
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The statements; a batch is consumed by the call that runs it.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The results, which hold the reader open: dispose them (<c>await using</c>) before the connection runs anything else.</returns>
    /// <exception cref="System.ArgumentException">The batch is empty.</exception>
    /// <exception cref="System.InvalidOperationException">The batch has already been run.</exception>
    public static Task<PgBatchResults> QueryMultipleAsync(this NpgsqlConnection connection, PgBatch sql, CancellationToken cancellationToken = default)
        => PgQueryCore.QueryMultipleAsync(PgTarget.Of(connection), sql, default, cancellationToken);

    /// <summary>
    /// Sends the statements of <paramref name="sql"/> in one round trip (an <see cref="NpgsqlBatch"/>, each
    /// statement with its own parameters) and returns their results, to read in order (Dapper's <c>QueryMultiple</c>):
    /// <code>
    /// await using var results = await connection.QueryMultipleAsync(new PgBatch
    /// {
    ///     $"SELECT * FROM customers WHERE id = {id}",
    ///     $"SELECT * FROM orders WHERE customer_id = {id}",
    /// }, ct);
    /// var customer = await results.ReadSingleAsync&lt;Customer&gt;(ct);
    /// var orders = await results.ReadAsync&lt;Order&gt;(ct);
    /// </code>
    /// </summary>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">The statements; a batch is consumed by the call that runs it.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    /// <returns>The results, which hold the reader open: dispose them (<c>await using</c>) before the connection runs anything else.</returns>
    /// <exception cref="System.ArgumentException">The batch is empty.</exception>
    /// <exception cref="System.InvalidOperationException">The batch has already been run.</exception>
    public static Task<PgBatchResults> QueryMultipleAsync(this NpgsqlConnection connection, PgBatch sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.QueryMultipleAsync(PgTarget.Of(connection), sql, options, cancellationToken);
}
