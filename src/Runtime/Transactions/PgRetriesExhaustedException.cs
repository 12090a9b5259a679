using System;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// Every attempt of a transaction scope ended in a serialization failure (40001) or a deadlock (40P01).
/// <see cref="Exception.InnerException"/> is the last attempt's <see cref="PostgresException"/>.
/// </summary>
/// <remarks>
/// It derives from <see cref="NpgsqlException"/>, so code that catches Npgsql's exceptions still sees it,
/// and its <see cref="SqlState"/> is the last failure's.
/// </remarks>
public sealed class PgRetriesExhaustedException : NpgsqlException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="lastFailure">The failure of the last one.</param>
    public PgRetriesExhaustedException(int attempts, PostgresException lastFailure)
        : base(
            $"The transaction scope gave up after {attempts} attempt(s), each ended by a serialization failure or a deadlock; the last was SQLSTATE {lastFailure?.SqlState} ({lastFailure?.MessageText}). "
            + "Raise PgTransactionOptions.MaxAttempts, or reduce contention.",
            lastFailure)
    {
        ArgumentNullException.ThrowIfNull(lastFailure);
        Attempts = attempts;
        LastFailure = lastFailure;
    }

    /// <summary>How many attempts were made.</summary>
    public int Attempts { get; }

    /// <summary>The last attempt's failure.</summary>
    public PostgresException LastFailure { get; }

    /// <inheritdoc/>
    public override string SqlState => LastFailure.SqlState;

    /// <summary>True: the work may succeed if run again later.</summary>
    public override bool IsTransient => true;
}
