using System;
using Npgsql;

namespace PgBorrow;

/// <summary>Where a query runs: an open connection (optionally in a transaction), a scope's <see cref="PgTx"/>, or a data source.</summary>
internal readonly struct PgTarget
{
    private readonly NpgsqlConnection? _connection;
    private readonly NpgsqlTransaction? _transaction;
    private readonly NpgsqlDataSource? _dataSource;
    private readonly PgTx? _tx;

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

    private PgTarget(PgTx tx) => _tx = tx;

    public static PgTarget Of(PgTx tx)
    {
        ArgumentNullException.ThrowIfNull(tx);
        return new PgTarget(tx);
    }

    public static PgTarget Of(NpgsqlDataSource dataSource)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        return new PgTarget(null, null, dataSource);
    }

    /// <summary>
    /// A command for <paramref name="statement"/>, which the caller disposes before it returns (on a
    /// connection, the connection's cached command when it is free: see <see cref="PgStatement.CreateOwnedCommand"/>).
    /// A data source's command opens a pooled connection when it executes and gives it back when its reader is disposed.
    /// </summary>
    public NpgsqlCommand CreateCommand(in PgStatement statement)
    {
        if (_tx is not null)
            return _tx.CreateCommandFor(statement); // throws once the scope that lent it has ended
        if (_dataSource is not null)
            return statement.CreateCommand(_dataSource);
        if (_transaction is not null)
            return statement.CreateOwnedCommand(ConnectionOf(_transaction), _transaction);

        return statement.CreateOwnedCommand(_connection!, null);
    }

    /// <summary>The data source, when the target is one.</summary>
    public NpgsqlDataSource? DataSource => _dataSource;

    /// <summary>
    /// Whether a statement to prepare must run on a connection opened for it: a data source's commands and
    /// batches cannot be prepared, since each may run on another pooled connection.
    /// </summary>
    public bool PreparesOnOwnConnection(in PgQueryOptions options) => options.Prepare && _dataSource is not null;

    /// <summary>
    /// An empty batch, which the caller disposes (on a connection, the connection's cached batch when it is
    /// free). A data source's batch opens a pooled connection when it executes and gives it back when its
    /// reader is disposed.
    /// </summary>
    public NpgsqlBatch CreateBatch()
    {
        if (_tx is not null)
            return _tx.CreateBatchFor(); // throws once the scope that lent it has ended
        if (_dataSource is not null)
            return _dataSource.CreateBatch();
        var connection = _transaction is not null ? ConnectionOf(_transaction) : _connection!;
        var batch = connection.CreateBatch();
        batch.Transaction = _transaction;
        return batch;
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
