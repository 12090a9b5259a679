using System;
using System.Collections;
using System.Collections.Generic;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Statements to send in one round trip with <c>QueryMultipleAsync</c> (Dapper's <c>QueryMultiple</c>),
/// each with its own parameters: in every interpolated string the holes become <c>$1</c>, <c>$2</c>, ...
/// of that statement alone. Results come back in order through <see cref="PgBatchResults"/>.
/// </summary>
/// <example>
/// <code>
/// await using var results = await connection.QueryMultipleAsync(new PgBatch
/// {
///     $"SELECT * FROM customers WHERE id = {id}",
///     $"SELECT * FROM orders WHERE customer_id = {id} ORDER BY placed_at",
/// }, ct);
/// var customer = await results.ReadSingleAsync&lt;Customer&gt;(ct);
/// var orders = await results.ReadAsync&lt;Order&gt;(ct);
/// </code>
/// </example>
/// <remarks>
/// A batch is consumed by the call that runs it: make a new one for each call. It enumerates the
/// statements' texts as they will be sent (for logging and tests).
/// </remarks>
public sealed class PgBatch : IEnumerable<string>
{
    private NpgsqlBatchCommand[] _commands = new NpgsqlBatchCommand[4];
    private int _count;
    private bool _taken;

    /// <summary>The number of statements added.</summary>
    public int Count => _count;

    /// <summary>Adds a statement. Called by a collection initializer (<c>new PgBatch { $"...", $"..." }</c>) or directly.</summary>
    /// <param name="sql">The SQL of one statement; holes of an interpolated string become its <c>$n</c> parameters.</param>
    /// <exception cref="InvalidOperationException">The batch has already been run.</exception>
    public void Add(PgSql sql)
    {
        ThrowIfTaken();
        var command = sql.Take().CreateBatchCommand();
        if (_count == _commands.Length)
            Array.Resize(ref _commands, _count * 2);
        _commands[_count++] = command;
    }

    /// <summary>The statements' texts, with their <c>$n</c> placeholders, in order.</summary>
    public IEnumerator<string> GetEnumerator()
    {
        for (var i = 0; i < _count; i++)
            yield return _commands[i].CommandText;
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Moves the statements into <paramref name="batch"/>; the batch cannot be run again.</summary>
    internal void MoveTo(NpgsqlBatch batch)
    {
        ThrowIfTaken();
        _taken = true;
        var commands = batch.BatchCommands;
        for (var i = 0; i < _count; i++)
            commands.Add(_commands[i]);
    }

    /// <summary>Throws unless the batch is ready to run: not run yet, and not empty.</summary>
    internal void ThrowIfNotRunnable()
    {
        ThrowIfTaken();
        if (_count == 0)
            throw new ArgumentException("The PgBatch has no statements: Add at least one before running it.", "sql");
    }

    private void ThrowIfTaken()
    {
        if (_taken)
            throw new InvalidOperationException("This PgBatch has already been run; a batch is consumed by the call that runs it, so make a new one for each call.");
    }
}
