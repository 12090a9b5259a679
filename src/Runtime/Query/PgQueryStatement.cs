using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// One [PgQuery] method's statement: its name (for messages), its SQL with <c>$n</c> placeholders and its
/// options, made once per method in a static field of the generated code, which calls one read method per
/// call. Used by the code the [PgQuery] generator writes; not meant to be called by hand.
/// </summary>
/// <remarks>
/// The read methods make the command on the target (the connection's cached command where Npgsql has one),
/// run it with the given parameters, and read the result with the [PgRow] reader or
/// <see cref="NpgsqlDataReader.GetFieldValue{T}(int)"/>: no reflection, no boxing of values, no closure per call.
/// Wrong row counts and NULLs a result type cannot hold throw an <see cref="InvalidOperationException"/> that
/// names the method and its SQL.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class PgQueryStatement
{
    /// <summary>A method's statement.</summary>
    /// <param name="method">The method as messages name it (<c>Shop.OrderQueries.LargeOrdersAsync</c>).</param>
    /// <param name="sql">The SQL as sent, with <c>$n</c> placeholders.</param>
    /// <param name="options">A command timeout, and whether to prepare the statement.</param>
    public PgQueryStatement(string method, string sql, PgQueryOptions options)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(sql);
        Method = method;
        Sql = sql;
        Options = options;
    }

    /// <summary>The method as messages name it.</summary>
    public string Method { get; }

    /// <summary>The SQL as sent, with <c>$n</c> placeholders.</summary>
    public string Sql { get; }

    /// <summary>A command timeout, and whether to prepare the statement.</summary>
    public PgQueryOptions Options { get; }

    /// <summary>
    /// A typed parameter for <paramref name="value"/>, made as an interpolated <see cref="PgSql"/> hole makes it
    /// (C# enums as their integer value, [PgEnum] enums as they are).
    /// </summary>
    public static NpgsqlParameter Parameter<T>(T value) => PgSql.CreateParameter(value);

    /// <summary>Every row, read as <typeparamref name="T"/>.</summary>
    public Task<List<T>> ReadRowsAsync<T>(PgQueryTarget target, NpgsqlParameter[]? parameters, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => PgQueryCore.QueryAsync<T>(target.Target, Statement(parameters), Options, cancellationToken);

    /// <summary>The only row; none or a second throws.</summary>
    public Task<T> ReadRowAsync<T>(PgQueryTarget target, NpgsqlParameter[]? parameters, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => PgQueryCore.Run(target.Target, Statement(parameters), Options, this,
            static (command, prepare, self, ct) => self.ReadOneRowAsync<T>(command, prepare, required: true, ct), cancellationToken)!;

    /// <summary>The only row, or <see langword="default"/> for none; a second throws.</summary>
    public Task<T?> ReadRowOrDefaultAsync<T>(PgQueryTarget target, NpgsqlParameter[]? parameters, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => PgQueryCore.Run(target.Target, Statement(parameters), Options, this,
            static (command, prepare, self, ct) => self.ReadOneRowAsync<T>(command, prepare, required: false, ct), cancellationToken);

    /// <summary>The rows, read as <typeparamref name="T"/> as they arrive.</summary>
    public IAsyncEnumerable<T> StreamRowsAsync<T>(PgQueryTarget target, NpgsqlParameter[]? parameters, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => PgQueryCore.QueryStreamAsync<T>(target.Target, Statement(parameters), Options, cancellationToken);

    /// <summary>The first column of every row.</summary>
    /// <param name="target">Where the statement runs.</param>
    /// <param name="parameters">The <c>$n</c> parameters, in order.</param>
    /// <param name="allowNull">Whether <typeparamref name="T"/> holds NULL (a nullable type); otherwise NULL throws.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public Task<List<T>> ReadValuesAsync<T>(PgQueryTarget target, NpgsqlParameter[]? parameters, bool allowNull, CancellationToken cancellationToken)
        => PgQueryCore.Run(target.Target, Statement(parameters), Options, (Statement: this, AllowNull: allowNull),
            static (command, prepare, state, ct) => state.Statement.ReadValuesAsync<T>(command, prepare, state.AllowNull, ct), cancellationToken);

    /// <summary>The first column of the only row; a second row throws, and so does none unless <paramref name="allowNoRow"/>.</summary>
    /// <param name="target">Where the statement runs.</param>
    /// <param name="parameters">The <c>$n</c> parameters, in order.</param>
    /// <param name="allowNull">Whether <typeparamref name="T"/> holds NULL (a nullable type); otherwise NULL throws.</param>
    /// <param name="allowNoRow">Whether no row gives <see langword="default"/> instead of throwing.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public Task<T> ReadValueAsync<T>(PgQueryTarget target, NpgsqlParameter[]? parameters, bool allowNull, bool allowNoRow, CancellationToken cancellationToken)
        => PgQueryCore.Run(target.Target, Statement(parameters), Options, (Statement: this, AllowNull: allowNull, AllowNoRow: allowNoRow),
            static (command, prepare, state, ct) => state.Statement.ReadOneValueAsync<T>(command, prepare, state.AllowNull, state.AllowNoRow, ct), cancellationToken);

    /// <summary>The first column of each row, as the rows arrive.</summary>
    /// <param name="target">Where the statement runs.</param>
    /// <param name="parameters">The <c>$n</c> parameters, in order.</param>
    /// <param name="allowNull">Whether <typeparamref name="T"/> holds NULL (a nullable type); otherwise NULL throws.</param>
    /// <param name="cancellationToken">Cancels the command.</param>
    public IAsyncEnumerable<T> StreamValuesAsync<T>(PgQueryTarget target, NpgsqlParameter[]? parameters, bool allowNull, CancellationToken cancellationToken)
        => PgQueryCore.StreamAsync<T, ValueReading<T>>(target.Target, Statement(parameters), Options, new ValueReading<T>(this, allowNull), cancellationToken);

    /// <summary>Runs the statement without reading rows: the number of rows it inserted, updated or deleted.</summary>
    public Task<int> ExecuteAsync(PgQueryTarget target, NpgsqlParameter[]? parameters, CancellationToken cancellationToken)
        => PgQueryCore.ExecuteAsync(target.Target, Statement(parameters), Options, cancellationToken);

    private PgStatement Statement(NpgsqlParameter[]? parameters) => new(Sql, parameters, parameters?.Length ?? 0);

    private async Task<T?> ReadOneRowAsync<T>(NpgsqlCommand command, bool prepare, bool required, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        await using (command.ConfigureAwait(false))
        {
            // Not SingleRow: a second row must be seen to be reported.
            var reader = await PgQueryCore.ExecuteReaderAsync(command, prepare, CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var ordinals = T.GetOrdinals(reader);
                if (!await ReadOnlyRowAsync(reader, required, cancellationToken).ConfigureAwait(false))
                    return default;
                var row = T.Read(reader, ordinals);
                await ThrowIfSecondRowAsync(reader, required, cancellationToken).ConfigureAwait(false);
                return row;
            }
        }
    }

    private async Task<List<T>> ReadValuesAsync<T>(NpgsqlCommand command, bool prepare, bool allowNull, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            var reader = await PgQueryCore.ExecuteReaderAsync(command, prepare, CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                ThrowIfNoColumn(reader);
                var values = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    values.Add(ReadValue<T>(reader, allowNull));
                return values;
            }
        }
    }

    private async Task<T> ReadOneValueAsync<T>(NpgsqlCommand command, bool prepare, bool allowNull, bool allowNoRow, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            var reader = await PgQueryCore.ExecuteReaderAsync(command, prepare, CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                ThrowIfNoColumn(reader);
                if (!await ReadOnlyRowAsync(reader, required: !allowNoRow, cancellationToken).ConfigureAwait(false))
                    return default!;
                var value = ReadValue<T>(reader, allowNull);
                await ThrowIfSecondRowAsync(reader, required: !allowNoRow, cancellationToken).ConfigureAwait(false);
                return value;
            }
        }
    }

    /// <summary>Reads the first row: false when there is none and none is allowed.</summary>
    private async ValueTask<bool> ReadOnlyRowAsync(NpgsqlDataReader reader, bool required, CancellationToken cancellationToken)
    {
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            return true;
        return required ? throw WrongRowCount(required, none: true) : false;
    }

    private async ValueTask ThrowIfSecondRowAsync(NpgsqlDataReader reader, bool required, CancellationToken cancellationToken)
    {
        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            throw WrongRowCount(required, none: false);
    }

    private T ReadValue<T>(NpgsqlDataReader reader, bool allowNull)
    {
        if (!reader.IsDBNull(0))
            return reader.GetFieldValue<T>(0);
        if (!allowNull)
        {
            throw new InvalidOperationException(
                $"{Method} read NULL, which its result type {typeof(T).Name} cannot hold: declare the result nullable, or keep NULL out of the query (COALESCE, IS NOT NULL). SQL: {Sql}");
        }
        return default!;
    }

    private void ThrowIfNoColumn(NpgsqlDataReader reader)
    {
        if (reader.FieldCount == 0)
            throw new InvalidOperationException($"{Method} reads its result from the first column, but the statement returned no columns. SQL: {Sql}");
    }

    private InvalidOperationException WrongRowCount(bool required, bool none)
        => new($"{Method} expects {(required ? "exactly one row" : "at most one row")}, but the query returned {(none ? "none" : "more than one")}. SQL: {Sql}");

    /// <summary>Reads the first column of each streamed row.</summary>
    private readonly struct ValueReading<T> : IPgResultReading<T>
    {
        private readonly PgQueryStatement _statement;
        private readonly bool _allowNull;

        public ValueReading(PgQueryStatement statement, bool allowNull)
        {
            _statement = statement;
            _allowNull = allowNull;
        }

        public void Start(NpgsqlDataReader reader) => _statement.ThrowIfNoColumn(reader);

        public T Read(NpgsqlDataReader reader) => _statement.ReadValue<T>(reader, _allowNull);
    }
}
