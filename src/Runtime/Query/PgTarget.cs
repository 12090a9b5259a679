using System;
using Npgsql;

namespace PgBorrow;

/// <summary>Where a query runs: an open connection (optionally in a transaction), or a data source.</summary>
internal readonly struct PgTarget
{
    private readonly NpgsqlConnection? _connection;
    private readonly NpgsqlTransaction? _transaction;
    private readonly NpgsqlDataSource? _dataSource;

    private PgTarget(NpgsqlConnection? connection, NpgsqlTransaction? transaction, NpgsqlDataSource? dataSource)
    {
        _connection = connection;
        _transaction = transaction;
        _dataSource = dataSource;
    }

    public static PgTarget Of(NpgsqlConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return new PgTarget(connection, null, null);
    }

    public static PgTarget Of(NpgsqlTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        return new PgTarget(null, transaction, null);
    }

    public static PgTarget Of(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return new PgTarget(null, null, dataSource);
    }

    /// <summary>
    /// A new command for <paramref name="statement"/>. A data source's command opens a pooled
    /// connection when it executes and gives it back when its reader is disposed.
    /// </summary>
    public NpgsqlCommand CreateCommand(in PgStatement statement)
    {
        if (_dataSource is not null)
            return statement.CreateCommand(_dataSource);
        if (_transaction is not null)
            return statement.CreateCommand(ConnectionOf(_transaction), _transaction);

        return statement.CreateCommand(_connection!, null);
    }

    /// <summary>The connection a transaction runs on.</summary>
    /// <exception cref="InvalidOperationException">The transaction has completed.</exception>
    public static NpgsqlConnection ConnectionOf(NpgsqlTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        // Npgsql clears Connection when the transaction completes.
        return transaction.Connection ?? throw new InvalidOperationException(
            "This NpgsqlTransaction has completed (committed, rolled back or disposed); it is no longer usable.");
    }
}
