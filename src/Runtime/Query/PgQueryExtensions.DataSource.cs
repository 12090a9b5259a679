using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

public static partial class PgQueryExtensions
{
    /// <inheritdoc cref="QueryAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<List<T>> QueryAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(dataSource), sql.Take(), default, cancellationToken);

    /// <inheritdoc cref="QueryAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<List<T>> QueryAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(dataSource), sql.Take(), options, cancellationToken);

    /// <inheritdoc cref="QueryFirstAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T> QueryFirstAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(dataSource), sql.Take(), default, PgCardinality.First, cancellationToken)!;

    /// <inheritdoc cref="QueryFirstAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T> QueryFirstAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(dataSource), sql.Take(), options, PgCardinality.First, cancellationToken)!;

    /// <inheritdoc cref="QueryFirstOrDefaultAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(dataSource), sql.Take(), default, PgCardinality.FirstOrDefault, cancellationToken);

    /// <inheritdoc cref="QueryFirstOrDefaultAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(dataSource), sql.Take(), options, PgCardinality.FirstOrDefault, cancellationToken);

    /// <inheritdoc cref="QuerySingleAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T> QuerySingleAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(dataSource), sql.Take(), default, PgCardinality.Single, cancellationToken)!;

    /// <inheritdoc cref="QuerySingleAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T> QuerySingleAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(dataSource), sql.Take(), options, PgCardinality.Single, cancellationToken)!;

    /// <inheritdoc cref="QuerySingleOrDefaultAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(dataSource), sql.Take(), default, PgCardinality.SingleOrDefault, cancellationToken);

    /// <inheritdoc cref="QuerySingleOrDefaultAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(dataSource), sql.Take(), options, PgCardinality.SingleOrDefault, cancellationToken);

    /// <inheritdoc cref="QueryStreamAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static IAsyncEnumerable<T> QueryStreamAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryStreamAsync<T>(PgTarget.Of(dataSource), sql.Take(), default, cancellationToken);

    /// <inheritdoc cref="QueryStreamAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static IAsyncEnumerable<T> QueryStreamAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryStreamAsync<T>(PgTarget.Of(dataSource), sql.Take(), options, cancellationToken);

    /// <inheritdoc cref="ExecuteAsync(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<int> ExecuteAsync(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(dataSource), sql.Take(), default, cancellationToken);

    /// <inheritdoc cref="ExecuteAsync(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<int> ExecuteAsync(this NpgsqlDataSource dataSource, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(dataSource), sql.Take(), options, cancellationToken);

    /// <inheritdoc cref="ExecuteScalarAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> ExecuteScalarAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(dataSource), sql.Take(), default, cancellationToken);

    /// <inheritdoc cref="ExecuteScalarAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    public static Task<T?> ExecuteScalarAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(dataSource), sql.Take(), options, cancellationToken);

    /// <inheritdoc cref="QueryMultipleAsync(NpgsqlConnection, PgBatch, CancellationToken)"/>
    public static Task<PgBatchResults> QueryMultipleAsync(this NpgsqlDataSource dataSource, PgBatch sql, CancellationToken cancellationToken = default)
        => PgQueryCore.QueryMultipleAsync(PgTarget.Of(dataSource), sql, default, cancellationToken);

    /// <inheritdoc cref="QueryMultipleAsync(NpgsqlConnection, PgBatch, PgQueryOptions, CancellationToken)"/>
    public static Task<PgBatchResults> QueryMultipleAsync(this NpgsqlDataSource dataSource, PgBatch sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.QueryMultipleAsync(PgTarget.Of(dataSource), sql, options, cancellationToken);
}
