using System;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.BankTransfer;

/// <summary>How a transfer ended. Every transfer id ends in exactly one of these, once.</summary>
public enum TransferStatus
{
    /// <summary>The money moved, once.</summary>
    Applied,

    /// <summary>Refused by the rules (not enough funds, unknown account): nothing moved.</summary>
    Rejected,

    /// <summary>Every attempt met a serialization failure or deadlock: nothing moved, and the id is recorded as failed.</summary>
    Failed,
}

/// <summary>The final state of a transfer id, and how many attempts this call ran (0 when it was already recorded).</summary>
public sealed record TransferResult(Guid TransferId, TransferStatus Status, string? Detail, int Attempts);

/// <summary>
/// Transfers between accounts, in SERIALIZABLE transactions run by the runtime's scope.
/// </summary>
/// <remarks>
/// <para>
/// The body reads the source balance with a plain SELECT, decides, and writes: a read-modify-write
/// that READ COMMITTED would get wrong (PGB107) but that SERIALIZABLE makes safe. PostgreSQL detects
/// any interleaving that could not have happened one transfer after another and fails one of the
/// transactions with 40001 (or 40P01 for a deadlock); the scope rolls it back and runs the whole body
/// again, reading the balance afresh. Hand-written SERIALIZABLE code without that retry is PGB106.
/// </para>
/// <para>
/// Exactly once: the caller gives every transfer an id, and the body records it in <c>transfers</c>
/// (primary key) in the same transaction as the money. A retried request finds the record and moves
/// nothing; two requests with the same id at once cannot both insert it (the second gets 23505 and
/// answers with the first one's record). The same record answers the question the scope
/// cannot answer by itself, whether a COMMIT whose answer was lost went through
/// (<see cref="PgTransactionOptions.CommitCheck"/>). When every attempt fails, the id is recorded as
/// <see cref="TransferStatus.Failed"/>, so applied + rejected + failed = attempted.
/// </para>
/// </remarks>
public sealed class Bank
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly PgTransactionOptions _options;
    private readonly int? _statementTimeoutMilliseconds;

    /// <param name="dataSource">Where the accounts are.</param>
    /// <param name="maxAttempts">How many times a transfer is tried before it is reported failed.</param>
    /// <param name="statementTimeout">
    /// Optional bound on each statement of a transfer (SET LOCAL statement_timeout): a statement that
    /// runs (or waits for a lock) longer fails with <see cref="PostgresException"/> 57014
    /// (query_canceled), and the transfer with it; nothing is applied.
    /// </param>
    public Bank(NpgsqlDataSource dataSource, int maxAttempts = 10, TimeSpan? statementTimeout = null)
    {
        _dataSource = dataSource;
        // SERIALIZABLE is the scope's default isolation level.
        _options = PgTransactionOptions.Default with
        {
            MaxAttempts = maxAttempts,
            BaseDelay = TimeSpan.FromMilliseconds(2),
            MaxDelay = TimeSpan.FromMilliseconds(100),
        };
        _statementTimeoutMilliseconds = statementTimeout is { } timeout ? (int)Math.Max(1, timeout.TotalMilliseconds) : null;
    }

    /// <summary>Moves <paramref name="amount"/> from one account to another, once per <paramref name="transferId"/>.</summary>
    /// <exception cref="PgCommitOutcomeUnknownException">The COMMIT's answer was lost and the check could not run either: submit the same id again later.</exception>
    public async Task<TransferResult> TransferAsync(Guid transferId, int fromAccount, int toAccount, long amount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        if (fromAccount == toAccount)
            throw new ArgumentException("A transfer needs two different accounts.", nameof(toAccount));

        // A transfer id that is already settled (a client retrying) is answered from its record, and
        // moves nothing. This lookup runs outside the SERIALIZABLE transaction on purpose, see below.
        var settled = await FindAsync(transferId, cancellationToken);
        if (settled is not null)
            return new TransferResult(transferId, ParseStatus(settled.Status), settled.Detail, 0);

        var options = _options with
        {
            // Did a COMMIT whose answer was lost go through? The transfer record says so.
            CommitCheck = async (connection, ct) =>
                await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM transfers WHERE id = {transferId}", ct) > 0,
        };
        var request = new TransferRequest(this, transferId, fromAccount, toAccount, amount);
        try
        {
            return await _dataSource.InTransactionAsync(options, request, static (tx, r, ct) => r.Bank.TransferAsync(tx, r, ct), cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "transfers_pkey")
        {
            // The same id, sent twice at once: the other request recorded it first (and this one's
            // INSERT waited for that commit). Nothing of this attempt was applied; the record is the answer.
            var recorded = await FindAsync(transferId, cancellationToken)
                ?? throw new InvalidOperationException($"Transfer {transferId} violated the primary key but is not recorded.", e);
            return new TransferResult(transferId, ParseStatus(recorded.Status), recorded.Detail, 0);
        }
        catch (PgRetriesExhaustedException e)
        {
            // Nothing was applied. Record the failure, unless the same id got recorded meanwhile (a
            // concurrent duplicate request that won): then that record is the answer.
            var detail = $"{e.Attempts} attempts, the last ended with SQLSTATE {e.SqlState}";
            await _dataSource.ExecuteAsync($"""
                INSERT INTO transfers (id, from_account, to_account, amount, status, detail)
                VALUES ({transferId}, {fromAccount}, {toAccount}, {amount}, 'failed', {detail})
                ON CONFLICT (id) DO NOTHING
                """, cancellationToken);
            var recorded = await FindAsync(transferId, cancellationToken)
                ?? throw new InvalidOperationException($"Transfer {transferId} was recorded as failed but cannot be found.", e);
            return new TransferResult(transferId, ParseStatus(recorded.Status), recorded.Detail, e.Attempts);
        }
    }

    /// <summary>The record of a transfer id, if it is settled (committed data, one statement).</summary>
    public Task<TransferRecord?> FindAsync(Guid transferId, CancellationToken cancellationToken)
        => _dataSource.QueryFirstOrDefaultAsync<TransferRecord>(
            $"SELECT id, from_account, to_account, amount, status, detail FROM transfers WHERE id = {transferId}", cancellationToken);

    /// <summary>One attempt of a transfer: the body of the scope. Safe to re-run: it only touches the database.</summary>
    private async Task<TransferResult> TransferAsync(PgTx tx, TransferRequest r, CancellationToken ct)
    {
        if (_statementTimeoutMilliseconds is { } milliseconds)
            await tx.ExecuteAsync($"SELECT set_config('statement_timeout', {milliseconds + "ms"}, true)", ct); // SET LOCAL

        // No "is this id already recorded?" SELECT in here. In a SERIALIZABLE transaction, that lookup
        // would take a predicate (SIREAD) lock on the primary key's index page, and every concurrent
        // transfer inserts its record into that same page: every pair of concurrent transfers would look
        // like a cycle and one of them would fail with 40001, over and over. The INSERT below is the
        // check instead: a duplicate id fails with 23505, handled by the caller.
        var fromBalance = await tx.ExecuteScalarAsync<long?>($"SELECT balance FROM accounts WHERE id = {r.FromAccount}", ct);
        var toExists = await tx.ExecuteScalarAsync<bool>($"SELECT EXISTS (SELECT 1 FROM accounts WHERE id = {r.ToAccount})", ct);
        string? refusal = fromBalance is null || !toExists ? "unknown account"
            : fromBalance.Value < r.Amount ? $"insufficient funds: {fromBalance.Value} < {r.Amount}"
            : null;

        if (refusal is null)
        {
            // Rows in id order: two opposite transfers queue on the same first row instead of deadlocking.
            var (first, firstDelta, second, secondDelta) = r.FromAccount < r.ToAccount
                ? (r.FromAccount, -r.Amount, r.ToAccount, r.Amount)
                : (r.ToAccount, r.Amount, r.FromAccount, -r.Amount);
            await tx.ExecuteAsync($"UPDATE accounts SET balance = balance + {firstDelta} WHERE id = {first}", ct);
            await tx.ExecuteAsync($"UPDATE accounts SET balance = balance + {secondDelta} WHERE id = {second}", ct);
        }

        var status = refusal is null ? "applied" : "rejected";
        await tx.ExecuteAsync($"""
            INSERT INTO transfers (id, from_account, to_account, amount, status, detail)
            VALUES ({r.TransferId}, {r.FromAccount}, {r.ToAccount}, {r.Amount}, {status}, {refusal})
            """, ct);
        return new TransferResult(r.TransferId, ParseStatus(status), refusal, tx.Attempt);
    }

    /// <summary>Reads the accounts and transfers in one snapshot and checks the invariants.</summary>
    public Task<BankAudit> AuditAsync(CancellationToken cancellationToken)
    {
        var options = PgTransactionOptions.Default with { IsolationLevel = System.Data.IsolationLevel.RepeatableRead, ReadOnly = true };
        return _dataSource.InTransactionAsync(options, static async (tx, ct) =>
        {
            var totals = await tx.QuerySingleAsync<BankTotals>("""
                SELECT (SELECT count(*) FROM accounts) AS accounts,
                       (SELECT coalesce(sum(initial_balance), 0)::bigint FROM accounts) AS initial_total,
                       (SELECT coalesce(sum(balance), 0)::bigint FROM accounts) AS total,
                       (SELECT count(*) FROM accounts WHERE balance < 0) AS negative_accounts,
                       (SELECT count(*) FROM transfers WHERE status = 'applied') AS applied,
                       (SELECT count(*) FROM transfers WHERE status = 'rejected') AS rejected,
                       (SELECT count(*) FROM transfers WHERE status = 'failed') AS failed
                """, ct);
            // Exactly once, per account: the balance is the initial one plus the applied transfers in,
            // minus the applied transfers out, each counted once.
            var mismatched = await tx.ExecuteScalarAsync<long>("""
                SELECT count(*) FROM accounts a
                WHERE a.balance <> a.initial_balance
                    + coalesce((SELECT sum(t.amount) FROM transfers t WHERE t.to_account = a.id AND t.status = 'applied'), 0)
                    - coalesce((SELECT sum(t.amount) FROM transfers t WHERE t.from_account = a.id AND t.status = 'applied'), 0)
                """, ct);
            return new BankAudit(totals, mismatched);
        }, cancellationToken);
    }

    /// <summary>The sum of the balances, in one statement (one snapshot).</summary>
    public Task<long> TotalAsync(CancellationToken cancellationToken)
        => _dataSource.ExecuteScalarAsync<long>("SELECT coalesce(sum(balance), 0)::bigint FROM accounts", cancellationToken);

    private static TransferStatus ParseStatus(string status) => status switch
    {
        "applied" => TransferStatus.Applied,
        "rejected" => TransferStatus.Rejected,
        "failed" => TransferStatus.Failed,
        _ => throw new InvalidOperationException($"Unknown transfer status '{status}'."),
    };

    private sealed record TransferRequest(Bank Bank, Guid TransferId, int FromAccount, int ToAccount, long Amount);
}

/// <summary>Counts read in one snapshot.</summary>
[PgRow]
public partial record BankTotals(long Accounts, long InitialTotal, long Total, long NegativeAccounts, long Applied, long Rejected, long Failed);

/// <summary>The bank's books, and whether they balance.</summary>
public sealed record BankAudit(BankTotals Totals, long MismatchedAccounts)
{
    /// <summary>Sum of balances unchanged; no balance below zero; every account explained by its applied transfers.</summary>
    public System.Collections.Generic.IReadOnlyList<string> Violations()
    {
        var violations = new System.Collections.Generic.List<string>();
        if (Totals.Total != Totals.InitialTotal)
            violations.Add($"the balances sum to {Totals.Total}, not {Totals.InitialTotal}");
        if (Totals.NegativeAccounts != 0)
            violations.Add($"{Totals.NegativeAccounts} accounts are below zero");
        if (MismatchedAccounts != 0)
            violations.Add($"{MismatchedAccounts} accounts do not match their applied transfers (one applied twice, or not at all)");
        return violations;
    }
}
