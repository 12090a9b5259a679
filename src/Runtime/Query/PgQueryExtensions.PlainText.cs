using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

// Overloads taking SQL as a plain string, on connections only: the one receiver Dapper extends too. In a
// file that imports both Dapper and PgBorrow, a call with SQL text and nothing else matches Dapper's
// (IDbConnection, string, ...) overload and PgBorrow's (NpgsqlConnection, PgSql, ...) one equally well
// (CS0121): each wins on one argument. A string overload wins on both, so it settles the call for
// PgBorrow, and is offered only where no Dapper call can land on it:
// - the Query methods require a [PgRow] type (IPgRow<T>), which a Dapper row type is not, so a Dapper
//   query keeps binding to Dapper;
// - ExecuteAsync and ExecuteScalarAsync take a string only beside PgQueryOptions, which no Dapper call
//   passes. Their string-only shape stays ambiguous on purpose: Dapper opens a closed connection and
//   converts scalars with Convert.ChangeType, so taking those calls over could break them at run time.
// An interpolated string with holes still binds to the PgSql overloads (a handler conversion is better
// than a conversion to string), so its holes stay parameters.
public static partial class PgQueryExtensions
{
    /// <inheritdoc cref="QueryAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<List<T>> QueryAsync<T>(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(connection), Constant(sql), default, cancellationToken);

    /// <inheritdoc cref="QueryAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<List<T>> QueryAsync<T>(this NpgsqlConnection connection, string sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryAsync<T>(PgTarget.Of(connection), Constant(sql), options, cancellationToken);

    /// <inheritdoc cref="QueryFirstAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<T> QueryFirstAsync<T>(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), Constant(sql), default, PgCardinality.First, cancellationToken)!;

    /// <inheritdoc cref="QueryFirstAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<T> QueryFirstAsync<T>(this NpgsqlConnection connection, string sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), Constant(sql), options, PgCardinality.First, cancellationToken)!;

    /// <inheritdoc cref="QueryFirstOrDefaultAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), Constant(sql), default, PgCardinality.FirstOrDefault, cancellationToken);

    /// <inheritdoc cref="QueryFirstOrDefaultAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<T?> QueryFirstOrDefaultAsync<T>(this NpgsqlConnection connection, string sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), Constant(sql), options, PgCardinality.FirstOrDefault, cancellationToken);

    /// <inheritdoc cref="QuerySingleAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<T> QuerySingleAsync<T>(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), Constant(sql), default, PgCardinality.Single, cancellationToken)!;

    /// <inheritdoc cref="QuerySingleAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<T> QuerySingleAsync<T>(this NpgsqlConnection connection, string sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), Constant(sql), options, PgCardinality.Single, cancellationToken)!;

    /// <inheritdoc cref="QuerySingleOrDefaultAsync{T}(NpgsqlConnection, PgSql, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this NpgsqlConnection connection, string sql, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), Constant(sql), default, PgCardinality.SingleOrDefault, cancellationToken);

    /// <inheritdoc cref="QuerySingleOrDefaultAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this NpgsqlConnection connection, string sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => PgQueryCore.QueryOneAsync<T>(PgTarget.Of(connection), Constant(sql), options, PgCardinality.SingleOrDefault, cancellationToken);

    /// <inheritdoc cref="ExecuteAsync(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<int> ExecuteAsync(this NpgsqlConnection connection, string sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteAsync(PgTarget.Of(connection), Constant(sql), options, cancellationToken);

    /// <inheritdoc cref="ExecuteScalarAsync{T}(NpgsqlConnection, PgSql, PgQueryOptions, CancellationToken)"/>
    /// <param name="connection">An open connection.</param>
    /// <param name="sql">Constant SQL with no parameters (for parameters, pass an interpolated string: its holes become <c>$n</c> parameters).</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public static Task<T?> ExecuteScalarAsync<T>(this NpgsqlConnection connection, string sql, PgQueryOptions options, CancellationToken cancellationToken = default)
        => PgQueryCore.ExecuteScalarAsync<T>(PgTarget.Of(connection), Constant(sql), options, cancellationToken);

    /// <summary>The statement of constant SQL text, as the string conversion to <see cref="PgSql"/> makes it.</summary>
    private static PgStatement Constant(string sql)
    {
        PgSql text = sql;
        return text.Take();
    }
}
