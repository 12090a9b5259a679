using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

// The query methods on the borrowed transaction of InTransactionAsync. A PgTx checks, at each call,
// that the scope that lent it is still running its body.
public static partial class PgQueryExtensions
{
    /// <inheritdoc cref="QueryAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<List<T>> QueryAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(tx), sql.Take(), default, cancellationToken);

    /// <inheritdoc cref="QueryAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<List<T>> QueryAsync<T>(this PgTx tx, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(tx), sql.Take(), options, cancellationToken);

    /// <inheritdoc cref="QueryFirstAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T> QueryFirstAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(tx), sql.Take(), default, PgCardinality.First, cancellationToken)!;

    /// <inheritdoc cref="QueryFirstAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T> QueryFirstAsync<T>(this PgTx tx, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(tx), sql.Take(), options, PgCardinality.First, cancellationToken)!;

    /// <inheritdoc cref="QueryFirstOrDefaultAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(tx), sql.Take(), default, PgCardinality.FirstOrDefault, cancellationToken);

    /// <inheritdoc cref="QueryFirstOrDefaultAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this PgTx tx, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(tx), sql.Take(), options, PgCardinality.FirstOrDefault, cancellationToken);

    /// <inheritdoc cref="QuerySingleAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T> QuerySingleAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(tx), sql.Take(), default, PgCardinality.Single, cancellationToken)!;

    /// <inheritdoc cref="QuerySingleAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T> QuerySingleAsync<T>(this PgTx tx, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(tx), sql.Take(), options, PgCardinality.Single, cancellationToken)!;

    /// <inheritdoc cref="QuerySingleOrDefaultAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(tx), sql.Take(), default, PgCardinality.SingleOrDefault, cancellationToken);

    /// <inheritdoc cref="QuerySingleOrDefaultAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this PgTx tx, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(tx), sql.Take(), options, PgCardinality.SingleOrDefault, cancellationToken);

    /// <inheritdoc cref="QueryStreamAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static IAsyncEnumerable<T> QueryStreamAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryStreamAsync<T>(PgTarget.Of(tx), sql.Take(), default, cancellationToken);

    /// <inheritdoc cref="QueryStreamAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static IAsyncEnumerable<T> QueryStreamAsync<T>(this PgTx tx, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryStreamAsync<T>(PgTarget.Of(tx), sql.Take(), options, cancellationToken);

    /// <inheritdoc cref="ExecuteAsync(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<int> ExecuteAsync(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(tx), sql.Take(), default, cancellationToken);

    /// <inheritdoc cref="ExecuteAsync(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<int> ExecuteAsync(this PgTx tx, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(tx), sql.Take(), options, cancellationToken);

    /// <inheritdoc cref="ExecuteScalarAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> ExecuteScalarAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(tx), sql.Take(), default, cancellationToken);

    /// <inheritdoc cref="ExecuteScalarAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T?> ExecuteScalarAsync<T>(this PgTx tx, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(tx), sql.Take(), options, cancellationToken);

    /// <inheritdoc cref="QueryMultipleAsync(NpgsqlConnection, PgBatch, CancellationToken)"/>
    public static Task<PgBatchResults> QueryMultipleAsync(this PgTx tx, PgBatch sql, CancellationToken cancellationToken = default)
        => PgQueryCore.QueryMultipleAsync(PgTarget.Of(tx), sql, default, cancellationToken);

    /// <inheritdoc cref="QueryMultipleAsync(NpgsqlConnection, PgBatch, PgQueryOptions, CancellationToken)"/>
    public static Task<PgBatchResults> QueryMultipleAsync(this PgTx tx, PgBatch sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.QueryMultipleAsync(PgTarget.Of(tx), sql, options, cancellationToken);
}
