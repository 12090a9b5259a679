// NpgsqlCommand.DbTransaction setter (NpgsqlCommand.cs:1589): the transaction is the caller's, only cast and
// validated here; the command neither begins nor owns it, so nothing must roll it back before the throw.
using System;
using System.Data.Common;
using Npgsql;

public sealed class CommandHolder
{
    NpgsqlTransaction? _transaction;

    public DbTransaction? Transaction
    {
        get => _transaction;
        set
        {
            var tx = (NpgsqlTransaction?)value;  // PGB002: 'tx' still open when the throw below runs
            if (tx is { Connection: null })  // completed (IsCompleted is internal)
                throw new InvalidOperationException("Transaction is already completed");
            _transaction = tx;
        }
    }
}
