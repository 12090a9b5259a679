using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Reconciliation;

/// <summary>The sum of one range of accounts, as one reader saw it.</summary>
[PgRow]
public partial record RangeTotal(int FirstId, int LastId, long Accounts, long Total);

/// <summary>One reconciliation: the readers' partial sums and a single reader's total, all in one snapshot.</summary>
public sealed record ReconciliationReport(string SnapshotId, IReadOnlyList<RangeTotal> Ranges, long SingleReaderTotal, long SingleReaderAccounts)
{
    /// <summary>What the parallel readers add up to.</summary>
    public long PartialSum => Ranges.Sum(r => r.Total);

    /// <summary>How many accounts the parallel readers saw in all.</summary>
    public long PartialAccounts => Ranges.Sum(r => r.Accounts);

    /// <summary>The partial sums add up to the expected total, and agree with the single reader.</summary>
    public IReadOnlyList<string> Violations(long expectedTotal, long expectedAccounts)
    {
        var violations = new List<string>();
        if (PartialSum != expectedTotal)
            violations.Add($"the {Ranges.Count} partial sums add up to {PartialSum}, not {expectedTotal}");
        if (SingleReaderTotal != PartialSum)
            violations.Add($"the single reader saw {SingleReaderTotal}, the parallel readers {PartialSum}");
        if (PartialAccounts != expectedAccounts || SingleReaderAccounts != expectedAccounts)
            violations.Add($"the readers saw {PartialAccounts} accounts (single reader {SingleReaderAccounts}), not {expectedAccounts}");
        return violations;
    }
}

/// <summary>
/// Reconciles the ledger with parallel readers: each reads one range of accounts, all in ONE snapshot
/// exported by <c>pg_export_snapshot()</c>, so that their partial sums add up exactly, however busy
/// the writers are.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="PgSnapshotExtensions.ExportSnapshotAsync"/> begins a REPEATABLE READ READ ONLY
/// transaction and exports its snapshot; every <see cref="PgSnapshot.ReadAsync{TState, TResult}(TState, Func{PgTx, TState, CancellationToken, Task{TResult}}, CancellationToken)"/>
/// runs on a connection of its own, in a transaction that imports it (<c>SET TRANSACTION SNAPSHOT</c>).
/// The snapshot is a shared borrow (Rust's <c>Arc&lt;Snapshot&gt;</c>): many readers, nobody writes
/// through it, and it lives exactly as long as the <c>await using</c> block. While it lives it pins
/// the xmin horizon (VACUUM waits), so the reconciliation holds it for one pass, not longer.
/// </para>
/// <para>
/// Without it, each reader's transaction takes its own snapshot at a slightly different moment: a move
/// that commits between two readers' snapshots is counted twice (its debit missed, its credit seen) or
/// not at all, and the books seem not to balance although they do. <see cref="ReconcileWithoutSnapshotAsync"/>
/// does that, for comparison.
/// </para>
/// </remarks>
public sealed class Reconciler
{
    private readonly NpgsqlDataSource _dataSource;

    public Reconciler(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>Splits accounts 1..<paramref name="accounts"/> into <paramref name="readers"/> ranges and sums them in parallel, in one snapshot.</summary>
    public async Task<ReconciliationReport> ReconcileAsync(int accounts, int readers, CancellationToken cancellationToken)
    {
        await using var snapshot = await _dataSource.ExportSnapshotAsync(cancellationToken);
        return await ReconcileAsync(snapshot, accounts, readers, cancellationToken);
    }

    /// <summary>The same, in a snapshot the caller exported (and disposes).</summary>
    /// <exception cref="InvalidOperationException">The snapshot can no longer be imported: its exporting session has ended.</exception>
    public static async Task<ReconciliationReport> ReconcileAsync(PgSnapshot snapshot, int accounts, int readers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var single = snapshot.ReadAsync(static (tx, ct) => tx.QuerySingleAsync<RangeTotal>(
            "SELECT 1 AS first_id, 0 AS last_id, count(*) AS accounts, coalesce(sum(balance), 0)::bigint AS total FROM accounts", ct),
            cancellationToken);
        var ranges = await Task.WhenAll(Split(accounts, readers).Select(range => snapshot.ReadAsync(range, SumRangeAsync, cancellationToken)));
        var whole = await single;
        return new ReconciliationReport(snapshot.Id, ranges, whole.Total, whole.Accounts);
    }

    /// <summary>The same reads, each in a snapshot of its own: the partial sums need not add up while writers run.</summary>
    public async Task<ReconciliationReport> ReconcileWithoutSnapshotAsync(int accounts, int readers, CancellationToken cancellationToken)
    {
        var ranges = await Task.WhenAll(Split(accounts, readers).Select(async range =>
        {
            await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
            return await connection.QuerySingleAsync<RangeTotal>(RangeSql(range), cancellationToken);
        }));
        var whole = await _dataSource.QuerySingleAsync<RangeTotal>(
            "SELECT 1 AS first_id, 0 AS last_id, count(*) AS accounts, coalesce(sum(balance), 0)::bigint AS total FROM accounts", cancellationToken);
        return new ReconciliationReport("(none)", ranges, whole.Total, whole.Accounts);
    }

    /// <summary>Contiguous id ranges of (nearly) equal size covering 1..<paramref name="accounts"/>.</summary>
    public static IReadOnlyList<(int First, int Last)> Split(int accounts, int readers)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(readers);
        var ranges = new List<(int, int)>(readers);
        var first = 1;
        for (var r = 0; r < readers; r++)
        {
            var size = accounts / readers + (r < accounts % readers ? 1 : 0);
            ranges.Add((first, first + size - 1));
            first += size;
        }

        return ranges;
    }

    private static Task<RangeTotal> SumRangeAsync(PgTx tx, (int First, int Last) range, CancellationToken cancellationToken)
        => tx.QuerySingleAsync<RangeTotal>(RangeSql(range), cancellationToken);

    private static PgSql RangeSql((int First, int Last) range) => $"""
        SELECT {range.First} AS first_id, {range.Last} AS last_id, count(*) AS accounts, coalesce(sum(balance), 0)::bigint AS total
        FROM accounts WHERE id BETWEEN {range.First} AND {range.Last}
        """;
}
