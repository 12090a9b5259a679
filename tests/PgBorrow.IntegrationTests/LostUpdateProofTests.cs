using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using Xunit;

namespace PgBorrow.IntegrationTests;

/// <summary>
/// PGB107's claim on the real server: read-then-write under READ COMMITTED loses concurrent
/// withdrawals; the atomic UPDATE of Right/ does not.
/// </summary>
public sealed class LostUpdateProofTests : IClassFixture<PgDatabaseFixture>
{
    const int Workers = 32;
    readonly PgDatabaseFixture _database;

    public LostUpdateProofTests(PgDatabaseFixture database) => _database = database;

    [PgFact]
    public async Task Wrong_read_modify_write_loses_withdrawals_under_concurrency()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var lost = 0;
        // A race: repeat until it shows (it almost always does in the first round).
        for (var round = 0; round < 5 && lost == 0; round++)
        {
            var start = await ResetAsync(timeout.Token);
            var service = new Samples.Showcase.Wrong.CashWithdrawalService(_database.DataSource);
            var results = await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => service.WithdrawAsync(1, 1, timeout.Token))));
            var withdrawn = results.Count(ok => ok);
            var balance = await BalanceAsync(timeout.Token);
            lost = Math.Max(0, balance - (start - withdrawn));
        }
        Assert.True(lost > 0, "Expected concurrent read-modify-write withdrawals to lose updates (balance higher than start minus successful withdrawals).");
    }

    [PgFact]
    public async Task Right_atomic_update_keeps_every_withdrawal()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        var start = await ResetAsync(timeout.Token);
        var service = new Samples.Showcase.Right.CashWithdrawalService(_database.DataSource);
        var results = await Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => Task.Run(() => service.WithdrawAsync(1, 1, timeout.Token))));
        Assert.Equal(Workers, results.Count(ok => ok));
        Assert.Equal(start - Workers, await BalanceAsync(timeout.Token));
    }

    async Task<int> ResetAsync(CancellationToken ct)
    {
        await Samples.Showcase.ShowcaseDatabase.CreateTablesAsync(_database.DataSource, ct);
        await using var seed = _database.DataSource.CreateCommand(Samples.Showcase.ShowcaseDatabase.SeedSql);
        await seed.ExecuteNonQueryAsync(ct);
        await using var fill = _database.DataSource.CreateCommand("UPDATE accounts SET balance = 1000 WHERE id = 1");
        await fill.ExecuteNonQueryAsync(ct);
        return 1000;
    }

    async Task<int> BalanceAsync(CancellationToken ct)
    {
        await using var read = _database.DataSource.CreateCommand("SELECT balance FROM accounts WHERE id = 1");
        return (int)(await read.ExecuteScalarAsync(ct))!;
    }
}
