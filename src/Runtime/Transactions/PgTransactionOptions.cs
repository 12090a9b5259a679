using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow;

/// <summary>
/// How <see cref="PgTransactionExtensions.InTransactionAsync{T}(NpgsqlDataSource, PgTransactionOptions?, Func{PgTx, CancellationToken, Task{T}}, CancellationToken)"/>
/// begins its transaction and retries it. Immutable: derive variants with <c>with</c>
/// (<c>PgTransactionOptions.Default with { ReadOnly = true }</c>).
/// </summary>
public sealed record PgTransactionOptions
{
    /// <summary>
    /// SERIALIZABLE, read-write, at most 5 attempts, backoff from 10 ms doubling up to 1 s, no commit check.
    /// </summary>
    public static PgTransactionOptions Default { get; } = new();

    /// <summary>
    /// The isolation level, sent with BEGIN. Default <see cref="IsolationLevel.Serializable"/>: the scope
    /// retries serialization failures, which makes the strongest level the practical default.
    /// <see cref="IsolationLevel.Unspecified"/> uses the server's <c>default_transaction_isolation</c>;
    /// <see cref="IsolationLevel.Chaos"/> is refused.
    /// </summary>
    public IsolationLevel IsolationLevel { get; init; } = IsolationLevel.Serializable;

    /// <summary>READ ONLY: the transaction may not write (PostgreSQL raises 25006 if it tries).</summary>
    public bool ReadOnly { get; init; }

    /// <summary>
    /// DEFERRABLE: a SERIALIZABLE READ ONLY transaction waits for a safe snapshot and then runs with no
    /// risk of a serialization failure. Only valid together with <see cref="ReadOnly"/> and
    /// <see cref="IsolationLevel.Serializable"/>; anything else is refused, since PostgreSQL ignores it.
    /// </summary>
    public bool Deferrable { get; init; }

    /// <summary>The most attempts the scope makes, the first included (1 = no retry). Default 5. Retries of serialization failures, deadlocks and connections lost before COMMIT share this budget.</summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>The backoff before the first retry; it doubles each retry, up to <see cref="MaxDelay"/>, and is jittered to between half and all of that. Default 10 ms.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>The longest backoff between two attempts. Default 1 s.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Optional: answers "did the commit happen?" after a COMMIT whose outcome is unknown (the connection
    /// broke, or the server reported a connection error, class 08). It gets an open connection (a new one
    /// from the data source, or the caller's connection when the scope ran on one and it is still open; a
    /// broken caller's connection is never reopened, and the scope then throws
    /// <see cref="PgCommitOutcomeUnknownException"/> with <see cref="PgCommitOutcomeUnknownException.CommitCheckSkipped"/>)
    /// and returns <see langword="true"/> when the
    /// transaction's effects are there. True: the scope returns the body's result. False: the attempt counts
    /// as failed and is retried (if attempts remain). Without a check, or when the check throws, the scope
    /// throws <see cref="PgCommitOutcomeUnknownException"/> and never retries blindly.
    /// </summary>
    /// <remarks>Typically looks up a key the body wrote (an idempotency key, a request id).</remarks>
    public Func<NpgsqlConnection, CancellationToken, Task<bool>>? CommitCheck { get; init; }

    /// <summary>Throws when the options cannot work together.</summary>
    internal void Validate()
    {
        if (MaxAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxAttempts), MaxAttempts, "PgTransactionOptions.MaxAttempts must be at least 1.");
        if (BaseDelay < TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(BaseDelay), BaseDelay, "PgTransactionOptions.BaseDelay must not be negative.");
        if (MaxDelay < BaseDelay)
            throw new ArgumentOutOfRangeException(nameof(MaxDelay), MaxDelay, "PgTransactionOptions.MaxDelay must not be less than BaseDelay.");
        if (IsolationLevel == IsolationLevel.Chaos || !Enum.IsDefined(IsolationLevel))
            throw new ArgumentOutOfRangeException(nameof(IsolationLevel), IsolationLevel, "PostgreSQL has no such isolation level.");
        if (Deferrable && !(ReadOnly && IsolationLevel == IsolationLevel.Serializable))
            throw new ArgumentException(
                $"PgTransactionOptions.Deferrable needs ReadOnly and IsolationLevel.Serializable (here ReadOnly = {ReadOnly}, IsolationLevel = {IsolationLevel}); PostgreSQL ignores DEFERRABLE otherwise.",
                nameof(Deferrable));
    }

    /// <summary>SET TRANSACTION for the modes BEGIN from Npgsql does not carry, or null.</summary>
    internal string? SetTransactionSql
        => ReadOnly ? (Deferrable ? "SET TRANSACTION READ ONLY, DEFERRABLE" : "SET TRANSACTION READ ONLY") : null;

    /// <summary>The isolation level as a tag value.</summary>
    internal string IsolationName => IsolationLevel switch
    {
        IsolationLevel.Serializable => "serializable",
        IsolationLevel.RepeatableRead or IsolationLevel.Snapshot => "repeatable_read",
        IsolationLevel.ReadCommitted => "read_committed",
        IsolationLevel.ReadUncommitted => "read_uncommitted",
        _ => "unspecified",
    };
}
