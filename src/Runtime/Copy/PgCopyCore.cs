using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>The bodies of the COPY and insert methods, shared by the connection, transaction and data-source overloads.</summary>
internal static class PgCopyCore
{
    public static async Task<ulong> CopyInAsync<T>(NpgsqlConnection connection, string table, IEnumerable<T> rows, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        var importer = await connection.BeginBinaryImportAsync(PgRowStatements<T>.Copy(table), cancellationToken).ConfigureAwait(false);
        // Disposed without CompleteAsync (an exception from the rows, a write or cancellation), the
        // importer cancels the COPY: the server keeps none of the rows.
        await using (importer.ConfigureAwait(false))
        {
            foreach (var row in rows)
                await T.WriteAsync(importer, row, cancellationToken).ConfigureAwait(false);
            return await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<ulong> CopyInAsync<T>(NpgsqlConnection connection, string table, IAsyncEnumerable<T> rows, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        var importer = await connection.BeginBinaryImportAsync(PgRowStatements<T>.Copy(table), cancellationToken).ConfigureAwait(false);
        await using (importer.ConfigureAwait(false))
        {
            await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
                await T.WriteAsync(importer, row, cancellationToken).ConfigureAwait(false);
            return await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static async Task<ulong> CopyInAsync<T>(NpgsqlDataSource dataSource, string table, IEnumerable<T> rows, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
            return await CopyInAsync(connection, table, rows, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<ulong> CopyInAsync<T>(NpgsqlDataSource dataSource, string table, IAsyncEnumerable<T> rows, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
            return await CopyInAsync(connection, table, rows, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<int> InsertAsync<T>(PgTarget target, string table, T row, CancellationToken cancellationToken)
        where T : IPgRow<T>
    {
        var command = target.CreateCommand(new PgStatement(PgRowStatements<T>.Insert(table), null, 0));
        await using (command.ConfigureAwait(false))
        {
            T.AddParameters(command.Parameters, row);
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
