using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// The results of a <see cref="PgBatch"/> run by <c>QueryMultipleAsync</c> (Dapper's <c>GridReader</c>):
/// read them one after another, in the order of the statements, each with the read method that fits it.
/// Dispose it (<c>await using</c>) when done: it holds the reader open, so the connection runs nothing else
/// until then (on a data source, the pooled connection goes back when it is disposed). Analyzer rule PGB007
/// reports results left undisposed, or open when another command runs on their connection.
/// </summary>
/// <remarks>
/// <para>Each statement that returns rows (a <c>SELECT</c>, or a write with <c>RETURNING</c>) gives one
/// result; a statement that returns none (an <c>UPDATE</c> without <c>RETURNING</c>) runs but gives no
/// result to read. Results not read are skipped when the next is read or when this is disposed.</para>
/// <para>Reads cannot overlap or go back: await each before starting the next. Reading past the last
/// result throws, as does any read after disposal.</para>
/// <para>Statements run in one implicit transaction unless the connection is in one: if a statement fails,
/// the earlier ones are rolled back too, and the failure surfaces when its result is read.</para>
/// </remarks>
public sealed class PgBatchResults : IAsyncDisposable
{
    private readonly NpgsqlBatch _batch;
    private readonly NpgsqlDataReader _reader;
    private readonly NpgsqlConnection? _ownConnection;
    private int _started;
    private bool _reading;
    private bool _disposed;

    internal PgBatchResults(NpgsqlBatch batch, NpgsqlDataReader reader, NpgsqlConnection? ownConnection)
    {
        _batch = batch;
        _reader = reader;
        _ownConnection = ownConnection;
    }

    /// <summary>How many results have been read (or started) so far.</summary>
    public int ResultsRead => _started;

    /// <summary>Reads every row of the next result into a list.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The rows, in the order the statement returned them.</returns>
    /// <exception cref="PgRowException">A member's column is missing, NULL for a non-nullable member, or of a type the member cannot be read as.</exception>
    /// <exception cref="InvalidOperationException">Every result has been read, or another read has not finished.</exception>
    /// <exception cref="ObjectDisposedException">The results have been disposed.</exception>
    public async ValueTask<List<T>> ReadAsync<T>(CancellationToken cancellationToken = default)
        where T : IPgRow<T>
    {
        await StartReadAsync<T>(nameof(ReadAsync), cancellationToken).ConfigureAwait(false);
        try
        {
            return await PgQueryCore.ReadAllAsync<T>(_reader, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reading = false;
        }
    }

    /// <summary>Reads the first row of the next result.</summary>
    /// <inheritdoc cref="ReadAsync{T}(CancellationToken)"/>
    /// <returns>The first row.</returns>
    /// <exception cref="InvalidOperationException">The result has no row; every result has been read, or another read has not finished.</exception>
    public ValueTask<T> ReadFirstAsync<T>(CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => ReadOneAsync<T>(nameof(ReadFirstAsync), PgCardinality.First, cancellationToken)!;

    /// <summary>Reads the first row of the next result, if any.</summary>
    /// <inheritdoc cref="ReadAsync{T}(CancellationToken)"/>
    /// <returns>The first row, or <see langword="default"/> when there is none.</returns>
    public ValueTask<T?> ReadFirstOrDefaultAsync<T>(CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => ReadOneAsync<T>(nameof(ReadFirstOrDefaultAsync), PgCardinality.FirstOrDefault, cancellationToken);

    /// <summary>Reads the only row of the next result.</summary>
    /// <inheritdoc cref="ReadAsync{T}(CancellationToken)"/>
    /// <returns>The row.</returns>
    /// <exception cref="InvalidOperationException">The result has no row or more than one; every result has been read, or another read has not finished.</exception>
    public ValueTask<T> ReadSingleAsync<T>(CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => ReadOneAsync<T>(nameof(ReadSingleAsync), PgCardinality.Single, cancellationToken)!;

    /// <summary>Reads the only row of the next result, if any.</summary>
    /// <inheritdoc cref="ReadAsync{T}(CancellationToken)"/>
    /// <returns>The row, or <see langword="default"/> when there is none.</returns>
    /// <exception cref="InvalidOperationException">The result has more than one row; every result has been read, or another read has not finished.</exception>
    public ValueTask<T?> ReadSingleOrDefaultAsync<T>(CancellationToken cancellationToken = default)
        where T : IPgRow<T>
        => ReadOneAsync<T>(nameof(ReadSingleOrDefaultAsync), PgCardinality.SingleOrDefault, cancellationToken);

    /// <summary>Reads the first column of the first row of the next result as <typeparamref name="T"/>, without boxing (a <c>count(*)</c>, say).</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The value; <see langword="default"/> when there is no row or the value is NULL (ask for <c>int?</c> to tell those apart from 0).</returns>
    /// <exception cref="InvalidOperationException">Every result has been read, or another read has not finished.</exception>
    /// <exception cref="ObjectDisposedException">The results have been disposed.</exception>
    public async ValueTask<T?> ReadScalarAsync<T>(CancellationToken cancellationToken = default)
    {
        await StartReadAsync<T>(nameof(ReadScalarAsync), cancellationToken).ConfigureAwait(false);
        try
        {
            return await PgQueryCore.ReadScalarAsync<T>(_reader, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reading = false;
        }
    }

    private async ValueTask<T?> ReadOneAsync<T>(string method, PgCardinality cardinality, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        await StartReadAsync<T>(method, cancellationToken).ConfigureAwait(false);
        try
        {
            return await PgQueryCore.ReadOneAsync<T>(_reader, cardinality, _started, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _reading = false;
        }
    }

    /// <summary>Moves the reader to the next result; on success the caller reads it and then clears <see cref="_reading"/>.</summary>
    private async ValueTask StartReadAsync<T>(string method, CancellationToken cancellationToken)
    {
        if (_disposed)
            throw new ObjectDisposedException(nameof(PgBatchResults), $"{method}<{typeof(T).Name}> was called after these batch results were disposed.");
        if (_reading)
        {
            throw new InvalidOperationException(
                $"{method}<{typeof(T).Name}> was called while result {_started} of the batch is still being read. Await each read before starting the next: the results of a batch are read one after another, in order.");
        }

        _reading = true;
        try
        {
            // The reader starts on the first result; every later one is a NextResult away.
            var present = _started == 0
                ? _reader.FieldCount > 0
                : await _reader.NextResultAsync(cancellationToken).ConfigureAwait(false);
            if (!present)
            {
                throw new InvalidOperationException(
                    $"{method}<{typeof(T).Name}> asked for result {_started + 1} of the batch, but it returned {Results(_started)}. "
                    + "Each statement that returns rows (a SELECT, or a write with RETURNING) gives one result, in order; other statements give none.");
            }
            _started++;
        }
        catch
        {
            _reading = false;
            throw;
        }
    }

    private static string Results(int count) => count switch
    {
        0 => "no result",
        1 => "only 1 result",
        _ => $"only {count} results",
    };

    /// <summary>Closes the reader (skipping the results not read) and gives back the batch and the connection.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        try
        {
            await _reader.DisposeAsync().ConfigureAwait(false);
        }
        finally
        {
            await _batch.DisposeAsync().ConfigureAwait(false);
            if (_ownConnection is not null)
                await _ownConnection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
