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
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(tx), sql.Take(), cancellationToken);

    /// <inheritdoc cref="QuerySingleAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T> QuerySingleAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QuerySingleAsync<T>(PgTarget.Of(tx), sql.Take(), cancellationToken);

    /// <inheritdoc cref="QueryFirstOrDefaultAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryFirstOrDefaultAsync<T>(PgTarget.Of(tx), sql.Take(), cancellationToken);

    /// <inheritdoc cref="QueryStreamAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static IAsyncEnumerable<T> QueryStreamAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryStreamAsync<T>(PgTarget.Of(tx), sql.Take(), cancellationToken);

    /// <inheritdoc cref="ExecuteAsync(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<int> ExecuteAsync(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(tx), sql.Take(), cancellationToken);

    /// <inheritdoc cref="ExecuteScalarAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    public static Task<T?> ExecuteScalarAsync<T>(this PgTx tx, PgSql sql, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(tx), sql.Take(), cancellationToken);
}
