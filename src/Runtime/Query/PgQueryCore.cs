using System;
using System.Collections.Generic;
using System.Data;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>The bodies of the query methods, shared by the connection, transaction and data-source overloads.</summary>
/// <remarks>
/// The Task-returning methods are not async themselves: an async method's parameters live in its state
/// machine, and the target and the statement (56 bytes) are only needed to make the command, so each makes
/// it and hands it to an async part that takes only the command. A failure to make it (a PgTx whose scope
/// has ended, a completed transaction) is returned as a faulted task, as an async method would.
/// (QueryStreamAsync is an iterator: its parameters are its state either way.)
/// </remarks>
internal static class PgQueryCore
{
    /// <summary>Makes the command for a query method; a failure is handed back to become the faulted task.</summary>
    static bool TryCreateCommand(PgTarget target, in PgStatement statement, out NpgsqlCommand command, [NotNullWhen(false)] out Exception? failure)
    {
        try
        {
            command = target.CreateCommand(statement);
            failure = null;
            return true;
        }
        catch (Exception e)
        {
            command = null!;
            failure = e;
            return false;
        }
    }

    public static Task<List<T>> QueryAsync<T>(PgTarget target, PgStatement statement, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => TryCreateCommand(target, statement, out var command, out var failure)
            ? QueryAsync<T>(command, cancellationToken)
            : Task.FromException<List<T>>(failure);

    static async Task<List<T>> QueryAsync<T>(NpgsqlCommand command, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var ordinals = T.GetOrdinals(reader);
                var rows = new List<T>();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    rows.Add(T.Read(reader, ordinals));
                return rows;
            }
        }
    }

    public static Task<T> QuerySingleAsync<T>(PgTarget target, PgStatement statement, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => TryCreateCommand(target, statement, out var command, out var failure)
            ? QuerySingleAsync<T>(command, cancellationToken)
            : Task.FromException<T>(failure);

    static async Task<T> QuerySingleAsync<T>(NpgsqlCommand command, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        await using (command.ConfigureAwait(false))
        {
            // Not SingleRow: a second row must be seen to be reported.
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var ordinals = T.GetOrdinals(reader);
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    throw new InvalidOperationException($"QuerySingleAsync<{typeof(T).Name}> expects exactly one row, but the query returned none.");
                var row = T.Read(reader, ordinals);
                if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    throw new InvalidOperationException($"QuerySingleAsync<{typeof(T).Name}> expects exactly one row, but the query returned more than one.");
                return row;
            }
        }
    }

    public static Task<T?> QueryFirstOrDefaultAsync<T>(PgTarget target, PgStatement statement, CancellationToken cancellationToken)
        where T : IPgRow<T>
        => TryCreateCommand(target, statement, out var command, out var failure)
            ? QueryFirstOrDefaultAsync<T>(command, cancellationToken)
            : Task.FromException<T?>(failure);

    static async Task<T?> QueryFirstOrDefaultAsync<T>(NpgsqlCommand command, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult | CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var ordinals = T.GetOrdinals(reader);
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? T.Read(reader, ordinals) : default;
            }
        }
    }

    public static async IAsyncEnumerable<T> QueryStreamAsync<T>(
        PgTarget target, PgStatement statement, [EnumeratorCancellation] CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        var command = target.CreateCommand(statement);
        await using (command.ConfigureAwait(false))
        {
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var ordinals = T.GetOrdinals(reader);
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    yield return T.Read(reader, ordinals);
            }
        }
    }

    public static Task<int> ExecuteAsync(PgTarget target, PgStatement statement, CancellationToken cancellationToken)
        => TryCreateCommand(target, statement, out var command, out var failure)
            ? ExecuteNonQueryAsync(command, cancellationToken)
            : Task.FromException<int>(failure);

    static async Task<int> ExecuteNonQueryAsync(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static Task<T?> ExecuteScalarAsync<T>(PgTarget target, PgStatement statement, CancellationToken cancellationToken)
        => TryCreateCommand(target, statement, out var command, out var failure)
            ? ExecuteScalarAsync<T>(command, cancellationToken)
            : Task.FromException<T?>(failure);

    static async Task<T?> ExecuteScalarAsync<T>(NpgsqlCommand command, CancellationToken cancellationToken)
    {
        await using (command.ConfigureAwait(false))
        {
            // A reader rather than ExecuteScalar, which boxes the value.
            var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleResult | CommandBehavior.SingleRow, cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (reader.FieldCount == 0 || !await reader.ReadAsync(cancellationToken).ConfigureAwait(false) || reader.IsDBNull(0))
                    return default;
                return reader.GetFieldValue<T>(0);
            }
        }
    }
}
