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
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(dataSource), sql.Take(), cancellationToken);

    /// <inheritdoc cref="QuerySingleAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T> QuerySingleAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QuerySingleAsync<T>(PgTarget.Of(dataSource), sql.Take(), cancellationToken);

    /// <inheritdoc cref="QueryFirstOrDefaultAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryFirstOrDefaultAsync<T>(PgTarget.Of(dataSource), sql.Take(), cancellationToken);

    /// <inheritdoc cref="QueryStreamAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static IAsyncEnumerable<T> QueryStreamAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryStreamAsync<T>(PgTarget.Of(dataSource), sql.Take(), cancellationToken);

    /// <inheritdoc cref="ExecuteAsync(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<int> ExecuteAsync(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(dataSource), sql.Take(), cancellationToken);

    /// <inheritdoc cref="ExecuteScalarAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> ExecuteScalarAsync<T>(this NpgsqlDataSource dataSource, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(dataSource), sql.Take(), cancellationToken);
}
