using System;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// A transaction scope lost its connection before COMMIT was sent (the backend was terminated, the server
/// restarted or could not be reached, the network dropped), so nothing was committed, and it did not (or no
/// longer) retry: either every attempt ended that way, or the scope ran on the caller's
/// <see cref="NpgsqlConnection"/>, which it does not replace. <see cref="Exception.InnerException"/> is the
/// last failure.
/// </summary>
/// <remarks>
/// Unlike <see cref="PgCommitOutcomeUnknownException"/>, the outcome is known: the transaction rolled back
/// with its session. It derives from <see cref="NpgsqlException"/>, so code that catches Npgsql's
/// exceptions still sees it.
/// </remarks>
public sealed class PgConnectionLostException : NpgsqlException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="attempts">How many attempts were made.</param>
    /// <param name="lastFailure">The failure that lost the last attempt's connection.</param>
    /// <param name="onCallersConnection">True when the scope ran on the caller's connection and so did not retry.</param>
    public PgConnectionLostException(int attempts, Exception lastFailure, bool onCallersConnection)
        : base(BuildMessage(attempts, lastFailure, onCallersConnection), lastFailure)
    {
        ArgumentNullException.ThrowIfNull(lastFailure);
        Attempts = attempts;
        LastFailure = lastFailure;
        OnCallersConnection = onCallersConnection;
    }

    /// <summary>How many attempts were made.</summary>
    public int Attempts { get; }

    /// <summary>The failure that lost the last attempt's connection.</summary>
    public Exception LastFailure { get; }

    /// <summary>True when the scope ran on the caller's connection, which it does not reopen to retry.</summary>
    public bool OnCallersConnection { get; }

    /// <summary>The SQLSTATE of the last failure (57P01 when the backend was terminated), or null when there was none (an I/O error).</summary>
    public override string? SqlState => (LastFailure as NpgsqlException)?.SqlState;

    /// <summary>True: nothing was committed, so the work may succeed if run again.</summary>
    public override bool IsTransient => true;

    private static string BuildMessage(int attempts, Exception? lastFailure, bool onCallersConnection)
    {
        var sqlState = (lastFailure as NpgsqlException)?.SqlState;
        var what = sqlState is null ? lastFailure?.GetType().Name : $"SQLSTATE {sqlState}";
        var cause = $"({what}: {lastFailure?.Message})";
        return onCallersConnection
            ? $"The transaction scope lost its connection before COMMIT was sent {cause}, on attempt {attempts}, so nothing was committed. "
              + "It ran on the caller's NpgsqlConnection, whose session state (SET, temporary tables, session locks) was lost with it, so it did not reconnect and retry: "
              + "run the scope on the NpgsqlDataSource to have it retried on a new connection."
            : $"The transaction scope gave up after {attempts} attempt(s): the last lost its connection before COMMIT was sent {cause}, so nothing was committed. "
              + "Raise PgTransactionOptions.MaxAttempts or MaxDelay to ride out a longer outage.";
    }
}
