using System;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// COMMIT was sent but no definite answer came back: the connection broke, the server closed it, or it
/// reported a connection error (SQLSTATE class 08, such as 08006 or 08007
/// <c>transaction_resolution_unknown</c>). The transaction may or may not have committed. The scope does
/// not retry this blindly: supply <see cref="PgTransactionOptions.CommitCheck"/> to let it find out.
/// </summary>
public sealed class PgCommitOutcomeUnknownException : NpgsqlException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="attempt">The attempt whose COMMIT failed, from 1.</param>
    /// <param name="innerException">The failure COMMIT met.</param>
    /// <param name="checkFailure">The exception <see cref="PgTransactionOptions.CommitCheck"/> threw, if it was supplied and failed.</param>
    public PgCommitOutcomeUnknownException(int attempt, Exception innerException, Exception? checkFailure = null)
        : base(BuildMessage(attempt, innerException, checkFailure), innerException)
    {
        ArgumentNullException.ThrowIfNull(innerException);
        Attempt = attempt;
        FailureSqlState = (innerException as PostgresException)?.SqlState;
        CheckFailure = checkFailure;
    }

    /// <summary>
    /// The scope ran on the caller's connection, COMMIT's failure broke it, and a scope does not reopen a
    /// caller's connection (the session state it set up went with it), so the supplied
    /// <see cref="PgTransactionOptions.CommitCheck"/> had no connection to run on.
    /// </summary>
    internal PgCommitOutcomeUnknownException(int attempt, Exception innerException, bool commitCheckSkipped)
        : base(BuildMessage(attempt, innerException, null, commitCheckSkipped), innerException)
    {
        Attempt = attempt;
        FailureSqlState = (innerException as PostgresException)?.SqlState;
        CommitCheckSkipped = commitCheckSkipped;
    }

    /// <summary>
    /// True when <see cref="PgTransactionOptions.CommitCheck"/> was supplied but not run: the scope ran on the
    /// caller's <see cref="NpgsqlConnection"/>, which the failed COMMIT left broken, and a scope never reopens a
    /// caller's connection. Run the check yourself on a new connection, or run the scope on the
    /// <see cref="NpgsqlDataSource"/>, where the check gets a new connection of its own.
    /// </summary>
    public bool CommitCheckSkipped { get; }

    /// <summary>The exception <see cref="PgTransactionOptions.CommitCheck"/> threw, when a check was supplied but could not answer.</summary>
    public Exception? CheckFailure { get; }

    /// <summary>The attempt whose COMMIT failed, from 1.</summary>
    public int Attempt { get; }

    /// <summary>The SQLSTATE the server reported, or null when the connection failed without one (an I/O error, a timeout).</summary>
    public string? FailureSqlState { get; }

    /// <inheritdoc/>
    public override string? SqlState => FailureSqlState;

    /// <summary>False: the same transaction must not simply be run again, since it may have committed.</summary>
    public override bool IsTransient => false;

    private static string BuildMessage(int attempt, Exception? inner, Exception? checkFailure, bool commitCheckSkipped = false)
    {
        var sqlState = (inner as PostgresException)?.SqlState;
        var what = sqlState is null ? inner?.GetType().Name : $"SQLSTATE {sqlState}";
        var start = $"The outcome of COMMIT is unknown (attempt {attempt}): it failed with {what} ({inner?.Message}) before the server confirmed it, "
            + "so the transaction may or may not have committed. It was not retried";
        if (commitCheckSkipped)
            return start + ", and PgTransactionOptions.CommitCheck was not run: the scope ran on the caller's NpgsqlConnection, which broke, "
                + "and it does not reopen a caller's connection. Run the check yourself on a new connection, or run the scope on the NpgsqlDataSource to have it checked and retried.";
        return checkFailure is null
            ? start + "; set PgTransactionOptions.CommitCheck to let the scope find out and retry."
            : start + $": PgTransactionOptions.CommitCheck failed too ({checkFailure.GetType().Name}: {checkFailure.Message}).";
    }
}
