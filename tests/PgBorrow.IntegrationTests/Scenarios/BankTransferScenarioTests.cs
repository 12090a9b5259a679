using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Npgsql;
using PgBorrow.Samples.BankTransfer;
using Xunit;

namespace PgBorrow.IntegrationTests.Scenarios;

/// <summary>samples/BankTransfer under load, and with faults injected: the sum of the balances never
/// changes, every transfer id is applied exactly once or reported, applied + rejected + failed = attempted.</summary>
[Collection(ScenarioCollection.Name)]
public sealed class BankTransferScenarioTests : IClassFixture<PgDatabaseFixture>, IAsyncLifetime
{
    private const string Schema = "scenario_bank";

    private readonly PgDatabaseFixture _db;
    private readonly CancellationTokenSource _timeout = new(TimeSpan.FromSeconds(60));
    private NpgsqlDataSource? _dataSource;

    public BankTransferScenarioTests(PgDatabaseFixture db) => _db = db;

    private CancellationToken Ct => _timeout.Token;

    private NpgsqlDataSource DataSource => _dataSource!;

    public async Task InitializeAsync()
    {
        if (PgFactAttribute.ServerConnectionString is null)
            return;
        _dataSource = await ScenarioDatabase.CreateSchemaDataSourceAsync(_db, Schema);
        await BankDatabase.CreateTablesAsync(DataSource, Ct);
    }

    public async Task DisposeAsync()
    {
        if (_dataSource is not null)
            await _dataSource.DisposeAsync();
        _timeout.Dispose();
    }

    [PgFact]
    public async Task Forty_eight_workers_on_ten_accounts_keep_the_total_and_settle_every_transfer_exactly_once()
    {
        var result = await BankSimulation.RunAsync(
            DataSource, accounts: 10, initialBalance: 100, workers: 48, transfersPerWorker: 4, maxAttempts: 10, seed: 7, Ct);

        Assert.Equal(48 * 4, result.Transfers.Count);
        Assert.True(result.DuplicatesSent > 0);
        Assert.Empty(result.Audit.Violations());
        Assert.All(result.TotalsSeen, total => Assert.Equal(1000, total)); // never changed, not even for a moment
        Assert.NotEmpty(result.TotalsSeen);
        var totals = result.Audit.Totals;
        Assert.Equal(result.Applied, totals.Applied);
        Assert.Equal(result.Rejected, totals.Rejected);
        Assert.Equal(result.Failed, totals.Failed);
        Assert.Equal(result.Transfers.Count, totals.Applied + totals.Rejected + totals.Failed);
        Assert.True(result.Applied > 0);
    }

    [PgFact]
    public async Task Forty_workers_keep_the_books_while_their_backends_are_terminated_at_random_and_clients_resubmit()
    {
        const string chaosName = "scenario-bank-chaos";
        await BankDatabase.ResetAsync(DataSource, 10, 100, Ct);
        await using var victims = await ScenarioDatabase.CreateSchemaDataSourceAsync(_db, Schema, b => b.ApplicationName = chaosName);
        var bank = new Bank(victims);
        var kills = 0;
        var errors = 0;

        // The killer terminates a random busy backend of the workers' pool, 20 times, a few milliseconds
        // apart: in a statement, between statements of a transaction, or in COMMIT.
        const int killBudget = 20;
        using var stopKiller = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var killer = Task.Run(async () =>
        {
            await using var connection = await DataSource.OpenConnectionAsync(Ct);
            var random = new Random(11);
            while (!stopKiller.IsCancellationRequested && Volatile.Read(ref kills) < killBudget)
            {
                var pid = await connection.ExecuteScalarAsync<int?>($"""
                    SELECT pid FROM pg_stat_activity
                    WHERE application_name = {chaosName} AND state IN ('active', 'idle in transaction')
                    ORDER BY random() LIMIT 1
                    """, Ct);
                if (pid is { } victim && await connection.ExecuteScalarAsync<bool>($"SELECT pg_terminate_backend({victim})", Ct))
                    Interlocked.Increment(ref kills);
                await Task.Delay(random.Next(5, 30), CancellationToken.None);
            }
        }, CancellationToken.None);

        // 40 clients, 4 transfers each. A client whose request failed (its session was killed) does what a
        // real client does: it sends the same transfer, with the same id, again, until it is settled.
        var random = new Random(5);
        var plans = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, 4)
            .Select(_ => (Id: Guid.NewGuid(), From: random.Next(1, 6), To: random.Next(6, 11), Amount: (long)random.Next(1, 40))).ToList()).ToList();
        var outcomes = await Task.WhenAll(plans.Select(async plan =>
        {
            var settled = new System.Collections.Generic.List<TransferResult>();
            foreach (var t in plan)
            {
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        settled.Add(await bank.TransferAsync(t.Id, t.From, t.To, t.Amount, Ct));
                        break;
                    }
                    catch (NpgsqlException) when (attempt < 50)
                    {
                        Interlocked.Increment(ref errors); // includes PgCommitOutcomeUnknownException: resubmitting the id is safe
                    }
                }
            }

            return settled;
        }));
        await stopKiller.CancelAsync();
        await killer;

        Assert.True(kills > 0, $"the killer terminated no backend ({errors} requests failed)");
        var audit = await new Bank(DataSource).AuditAsync(Ct);
        Assert.Empty(audit.Violations()); // total unchanged, every account explained by its applied transfers, each once
        Assert.Equal(160, audit.Totals.Applied + audit.Totals.Rejected + audit.Totals.Failed);
        var results = outcomes.SelectMany(o => o).ToList();
        Assert.Equal(160, results.Select(r => r.TransferId).Distinct().Count());
        Assert.Equal(results.Count(r => r.Status == TransferStatus.Applied), audit.Totals.Applied);
    }

    [PgFact]
    public async Task Resubmitting_a_settled_transfer_returns_its_status_and_moves_nothing()
    {
        await BankDatabase.ResetAsync(DataSource, 3, 100, Ct);
        var bank = new Bank(DataSource);
        var id = Guid.NewGuid();

        var first = await bank.TransferAsync(id, 1, 2, 60, Ct);
        var again = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => bank.TransferAsync(id, 1, 2, 60, Ct)));
        var overdraft = await bank.TransferAsync(Guid.NewGuid(), 1, 3, 60, Ct);

        Assert.Equal(TransferStatus.Applied, first.Status);
        Assert.All(again, r => Assert.Equal(TransferStatus.Applied, r.Status));
        Assert.Equal(TransferStatus.Rejected, overdraft.Status);
        Assert.StartsWith("insufficient funds", overdraft.Detail);
        var audit = await bank.AuditAsync(Ct);
        Assert.Empty(audit.Violations());
        Assert.Equal(1, audit.Totals.Applied);
        Assert.Equal(1, audit.Totals.Rejected);
        Assert.Equal(40, await DataSource.ExecuteScalarAsync<long>("SELECT balance FROM accounts WHERE id = 1", Ct));
    }

    [PgFact]
    public async Task Transfers_that_exhaust_their_retries_are_recorded_failed_and_move_nothing()
    {
        await BankDatabase.ResetAsync(DataSource, 2, 100, Ct);
        // Every attempt of a session with scenario.fail_transfers=on ends in 40001 (raised by a trigger).
        await DataSource.ExecuteAsync("""
            CREATE OR REPLACE FUNCTION scenario_fail_transfers() RETURNS trigger LANGUAGE plpgsql AS $f$
            BEGIN
                IF current_setting('scenario.fail_transfers', true) = 'on' AND NEW.status <> 'failed' THEN
                    RAISE EXCEPTION 'simulated serialization failure' USING ERRCODE = 'serialization_failure';
                END IF;
                RETURN NEW;
            END $f$;
            DROP TRIGGER IF EXISTS scenario_fail_transfers ON transfers;
            CREATE TRIGGER scenario_fail_transfers BEFORE INSERT ON transfers FOR EACH ROW EXECUTE FUNCTION scenario_fail_transfers();
            """, Ct);
        try
        {
            await using var failing = await ScenarioDatabase.CreateSchemaDataSourceAsync(_db, Schema, b => b.Options = "-c scenario.fail_transfers=on");
            var bank = new Bank(failing, maxAttempts: 3);

            var results = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => bank.TransferAsync(Guid.NewGuid(), 1, 2, 10, Ct)));

            Assert.All(results, r =>
            {
                Assert.Equal(TransferStatus.Failed, r.Status);
                Assert.Equal(3, r.Attempts);
                Assert.Contains("40001", r.Detail);
            });
            var audit = await bank.AuditAsync(Ct);
            Assert.Empty(audit.Violations());
            Assert.Equal(32, audit.Totals.Failed);
            Assert.Equal(0, audit.Totals.Applied);
            Assert.Equal(100, await DataSource.ExecuteScalarAsync<long>("SELECT balance FROM accounts WHERE id = 1", Ct));
        }
        finally
        {
            await DataSource.ExecuteAsync("DROP TRIGGER IF EXISTS scenario_fail_transfers ON transfers", Ct);
        }
    }

    [PgFact]
    public async Task A_backend_terminated_during_commit_is_settled_by_the_transfer_record_and_applied_once()
    {
        await BankDatabase.ResetAsync(DataSource, 2, 100, Ct);
        await ScenarioDatabase.InstallCommitStallAsync(DataSource, "transfers");
        try
        {
            await using var stalling = await ScenarioDatabase.CreateSchemaDataSourceAsync(_db, Schema, b => b.Options = ScenarioDatabase.StallCommitOptions);
            var bank = new Bank(stalling);
            var id = Guid.NewGuid();

            var terminator = Task.Run(async () =>
                await ScenarioDatabase.TerminateAsync(DataSource, await ScenarioDatabase.WaitForSleepingBackendAsync(DataSource, TimeSpan.FromSeconds(20), Ct)));
            var result = await bank.TransferAsync(id, 1, 2, 30, Ct);
            await terminator;

            // The first COMMIT died with its backend; the commit check (is the transfer id recorded?) said
            // no, so the scope ran the transfer again, and it was applied exactly once.
            Assert.Equal(TransferStatus.Applied, result.Status);
            Assert.Equal(2, result.Attempts);
            var audit = await bank.AuditAsync(Ct);
            Assert.Empty(audit.Violations());
            Assert.Equal(1, audit.Totals.Applied);
            Assert.Equal(70, await DataSource.ExecuteScalarAsync<long>("SELECT balance FROM accounts WHERE id = 1", Ct));
        }
        finally
        {
            await DataSource.ExecuteAsync("DROP TRIGGER IF EXISTS scenario_stall_commit ON transfers", Ct);
        }
    }

    [PgFact]
    public async Task A_statement_timeout_cancels_a_transfer_stuck_behind_a_row_lock_with_57014_and_nothing_is_recorded()
    {
        await BankDatabase.ResetAsync(DataSource, 2, 100, Ct);
        var bank = new Bank(DataSource, statementTimeout: TimeSpan.FromMilliseconds(50));

        await using var holder = await DataSource.OpenConnectionAsync(Ct);
        await using var held = await holder.BeginTransactionAsync(Ct);
        await held.ExecuteAsync("SELECT balance FROM accounts WHERE id = 1 FOR UPDATE", Ct);

        var id = Guid.NewGuid();
        var thrown = await Assert.ThrowsAsync<PostgresException>(() => bank.TransferAsync(id, 1, 2, 30, Ct));
        await held.RollbackAsync(Ct);

        Assert.Equal(PostgresErrorCodes.QueryCanceled, thrown.SqlState); // 57014, not retried: not a serialization failure
        Assert.Equal(0, await DataSource.ExecuteScalarAsync<long>($"SELECT count(*) FROM transfers WHERE id = {id}", Ct));
        Assert.Empty((await bank.AuditAsync(Ct)).Violations());

        // Submitted again once the lock is gone, the same id goes through, once.
        Assert.Equal(TransferStatus.Applied, (await bank.TransferAsync(id, 1, 2, 30, Ct)).Status);
        Assert.Equal(70, await DataSource.ExecuteScalarAsync<long>("SELECT balance FROM accounts WHERE id = 1", Ct));
    }
}
