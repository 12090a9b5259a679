using System;
using System.Data;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;

namespace PgBorrow.Samples.Reconciliation;

/// <summary>
/// The ledger the reconciliation reads: accounts whose balances writers keep moving around. Money only
/// moves, so the sum of all balances is a constant.
/// </summary>
/// <remarks>
/// <code>
/// accounts(id int primary key, balance bigint CHECK (balance >= 0))
/// </code>
/// </remarks>
public sealed class Ledger
{
    public const string CreateTablesSql = """
        DROP TABLE IF EXISTS accounts;
        CREATE TABLE accounts (
            id      int PRIMARY KEY,
            balance bigint NOT NULL CHECK (balance >= 0)
        );
        """;

    /// <summary>READ COMMITTED: each move is two atomic UPDATEs, which need nothing stronger.</summary>
    private static readonly PgTransactionOptions MoveOptions = PgTransactionOptions.Default with { IsolationLevel = IsolationLevel.ReadCommitted };

    private readonly NpgsqlDataSource _dataSource;

    public Ledger(NpgsqlDataSource dataSource) => _dataSource = dataSource;

    /// <summary>(Re)creates the table, empty.</summary>
    public static async Task CreateTablesAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(CreateTablesSql, cancellationToken);
    }

    /// <summary>Accounts 1..<paramref name="accounts"/>, each with <paramref name="balance"/>.</summary>
    public async Task ResetAsync(int accounts, long balance, CancellationToken cancellationToken)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync("TRUNCATE accounts", cancellationToken);
        await connection.ExecuteAsync(
            $"INSERT INTO accounts (id, balance) SELECT g, {balance} FROM generate_series(1, {accounts}) AS g", cancellationToken);
    }

    /// <summary>
    /// Moves <paramref name="amount"/> between two accounts in one transaction. Returns false (and moves
    /// nothing) when the source has less.
    /// </summary>
    public Task<bool> MoveAsync(int fromAccount, int toAccount, long amount, CancellationToken cancellationToken)
        => _dataSource.InTransactionAsync(MoveOptions, (fromAccount, toAccount, amount), static async (tx, m, ct) =>
        {
            // Both rows are locked in id order first, so two opposite moves queue instead of deadlocking.
            await tx.ExecuteAsync($"SELECT id FROM accounts WHERE id IN ({m.fromAccount}, {m.toAccount}) ORDER BY id FOR UPDATE", ct);
            // The debit checks and takes in one statement; if it took, the credit follows in the same transaction.
            // Between the two statements, the money is in flight: a reader that looks at the two accounts at
            // different moments (without one snapshot) can count it twice, or not at all.
            if (await tx.ExecuteAsync($"UPDATE accounts SET balance = balance - {m.amount} WHERE id = {m.fromAccount} AND balance >= {m.amount}", ct) == 0)
                return false;
            await tx.ExecuteAsync($"UPDATE accounts SET balance = balance + {m.amount} WHERE id = {m.toAccount}", ct);
            return true;
        }, cancellationToken);

    /// <summary>
    /// <paramref name="writers"/> tasks keep moving random amounts between random accounts until
    /// <paramref name="cancellationToken"/> is cancelled. Returns how many moves committed.
    /// </summary>
    public async Task<long> RunWritersAsync(int writers, int accounts, int seed, CancellationToken cancellationToken)
    {
        long moves = 0;
        var tasks = new Task[writers];
        for (var w = 0; w < writers; w++)
        {
            var random = new Random(seed + w);
            tasks[w] = Task.Run(async () =>
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    var a = random.Next(1, accounts + 1);
                    var b = random.Next(1, accounts + 1);
                    if (a == b)
                        continue;
                    try
                    {
                        if (await MoveAsync(a, b, random.Next(1, 50), cancellationToken))
                            Interlocked.Increment(ref moves);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // Stopping: the move in progress was rolled back.
                    }
                }
            }, CancellationToken.None);
        }

        await Task.WhenAll(tasks);
        return Interlocked.Read(ref moves);
    }
}
