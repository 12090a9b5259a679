using System.ComponentModel;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Where a [PgQuery] method runs: the connection, transaction, data source or <see cref="PgTx"/> it was given.
/// Used by the code the [PgQuery] generator writes; each of the four converts to it implicitly.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public readonly struct PgQueryTarget
{
    private PgQueryTarget(PgTarget target) => Target = target;

    internal PgTarget Target { get; }

    /// <summary>An open connection; the statement runs in its current transaction, if any.</summary>
    /// <exception cref="System.ArgumentNullException"><paramref name="connection"/> is null.</exception>
    public static implicit operator PgQueryTarget(NpgsqlConnection connection) => new(PgTarget.Of(connection));

    /// <summary>A transaction: the statement runs on its connection, inside it.</summary>
    /// <exception cref="System.ArgumentNullException"><paramref name="transaction"/> is null.</exception>
    public static implicit operator PgQueryTarget(NpgsqlTransaction transaction) => new(PgTarget.Of(transaction));

    /// <summary>A data source: a pooled connection is opened for the statement and returned once its results are read.</summary>
    /// <exception cref="System.ArgumentNullException"><paramref name="dataSource"/> is null.</exception>
    public static implicit operator PgQueryTarget(NpgsqlDataSource dataSource) => new(PgTarget.Of(dataSource));

    /// <summary>The transaction of a running scope.</summary>
    /// <exception cref="System.ArgumentNullException"><paramref name="tx"/> is null.</exception>
    public static implicit operator PgQueryTarget(PgTx tx) => new(PgTarget.Of(tx));
}
