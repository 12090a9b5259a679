using System;
using System.Data;

namespace PgBorrow;

/// <summary>
/// Marks a partial method as a transaction scope: the [PgTransaction] generator writes its body, which runs
/// a body method in <c>InTransactionAsync</c> with the options given here (begin, commit, roll back on any
/// exception, retry 40001 and 40P01 in a fresh transaction).
/// </summary>
/// <remarks>
/// <para>The partial method takes an <see cref="Npgsql.NpgsqlDataSource"/> or an open <see cref="Npgsql.NpgsqlConnection"/>
/// first, returns <see cref="System.Threading.Tasks.Task"/> or <see cref="System.Threading.Tasks.Task{TResult}"/>, and may
/// take a <see cref="System.Threading.CancellationToken"/>, which flows to BEGIN, the body and the backoff.</para>
/// <para>The body is a method of the same type named after the partial method without its <c>Async</c> suffix plus
/// <c>Body</c> (<c>TransferAsync</c> runs <c>TransferBody</c>), or the one <see cref="Body"/> names. It takes a
/// <see cref="PgTx"/> and then the partial method's other parameters, in order and of the same types, and returns
/// the same task type. It is static when the partial method is. It may run more than once, so it must be safe to re-run.</para>
/// <para>The PGB321-PGB325 rules report a method the generator cannot implement, and why.</para>
/// </remarks>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class PgTransactionAttribute : Attribute
{
    /// <summary>A SERIALIZABLE, read-write scope (the defaults of <see cref="PgTransactionOptions"/>).</summary>
    public PgTransactionAttribute()
        : this(IsolationLevel.Serializable)
    {
    }

    /// <summary>A scope with the given isolation level.</summary>
    /// <param name="isolationLevel">Sent with BEGIN; <see cref="IsolationLevel.Chaos"/> is refused (PGB325).</param>
    public PgTransactionAttribute(IsolationLevel isolationLevel) => IsolationLevel = isolationLevel;

    /// <summary>The isolation level, sent with BEGIN. Default <see cref="IsolationLevel.Serializable"/>.</summary>
    public IsolationLevel IsolationLevel { get; }

    /// <summary>READ ONLY: the transaction may not write. Default false.</summary>
    public bool ReadOnly { get; set; }

    /// <summary>DEFERRABLE: only together with <see cref="ReadOnly"/> and <see cref="IsolationLevel.Serializable"/> (PGB325). Default false.</summary>
    public bool Deferrable { get; set; }

    /// <summary>The most attempts, the first included (1 = no retry); at least 1 (PGB325). Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The backoff before the first retry, in milliseconds; not negative (PGB325). Default 10.</summary>
    public int BaseDelayMilliseconds { get; set; } = 10;

    /// <summary>The longest backoff between attempts, in milliseconds; not less than <see cref="BaseDelayMilliseconds"/> (PGB325). Default 1000.</summary>
    public int MaxDelayMilliseconds { get; set; } = 1000;

    /// <summary>
    /// The name of the body method (<c>nameof(TransferCore)</c>); null for the convention: the partial method's name
    /// without an <c>Async</c> suffix, plus <c>Body</c>.
    /// </summary>
    public string? Body { get; set; }
}
