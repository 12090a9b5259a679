using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace PgBorrow.IntegrationTests.Transactions;

/// <summary>The PgBorrow meter and activity source, read the way OpenTelemetry reads them.</summary>
public sealed class TelemetryTests(PgDatabaseFixture db) : PgDatabaseTests(db)
{
    // Other test classes run scopes in parallel: keep only what this test's own async flow recorded.
    private static readonly AsyncLocal<bool> Mine = new();

    protected override async Task SetUpAsync()
    {
        await TransactionsDatabase.ResetAsync(Db.DataSource, Ct);
    }

    [PgFact]
    public async Task Scopes_record_duration_attempts_failures_outcomes_and_spans()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var meterListener = new MeterListener();
        meterListener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == PgBorrowTelemetry.Name)
                listener.EnableMeasurementEvents(instrument);
        };
        meterListener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        meterListener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        meterListener.Start();

        var activities = new ConcurrentQueue<Activity>();
        using var parent = new ActivitySource("PgBorrow.IntegrationTests.Telemetry");
        using var activityListener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is PgBorrowTelemetry.Name or "PgBorrow.IntegrationTests.Telemetry",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => { if (Mine.Value) activities.Enqueue(activity); },
        };
        ActivitySource.AddActivityListener(activityListener);

        Mine.Value = true;
        using (var root = parent.StartActivity("test"))
        {
            var options = PgTransactionOptions.Default with { BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(2) };
            await Db.DataSource.InTransactionAsync(options, async (tx, ct) =>
            {
                if (tx.Attempt == 1)
                    await tx.ExecuteAsync("DO $$ BEGIN RAISE EXCEPTION 'conflict' USING ERRCODE = 'serialization_failure'; END $$", ct);
                await tx.ExecuteAsync("SELECT 1", ct);
            }, Ct);
            await Assert.ThrowsAsync<InvalidTimeZoneException>(() => Db.DataSource.InTransactionAsync(
                options with { IsolationLevel = System.Data.IsolationLevel.ReadCommitted },
                (tx, ct) => throw new InvalidTimeZoneException(), Ct));
        }

        Mine.Value = false;
        meterListener.Dispose();

        var durations = measurements.Where(m => m.Instrument == PgBorrowTelemetry.TransactionDuration).ToList();
        Assert.Equal(2, durations.Count);
        Assert.Contains(durations, m => Equals(m.Tags[PgBorrowTelemetry.OutcomeTag], "committed") && Equals(m.Tags[PgBorrowTelemetry.IsolationTag], "serializable") && m.Value > 0);
        Assert.Contains(durations, m => Equals(m.Tags[PgBorrowTelemetry.OutcomeTag], "rolled_back") && Equals(m.Tags[PgBorrowTelemetry.IsolationTag], "read_committed"));
        Assert.Equal(3, measurements.Where(m => m.Instrument == PgBorrowTelemetry.TransactionAttempts).Sum(m => m.Value));
        var failure = Assert.Single(measurements, m => m.Instrument == PgBorrowTelemetry.SerializationFailures);
        Assert.Equal("40001", failure.Tags[PgBorrowTelemetry.SqlStateTag]);
        Assert.Equal(2, measurements.Count(m => m.Instrument == PgBorrowTelemetry.TransactionOutcomes));

        var scopes = activities.Where(a => a.OperationName == PgBorrowTelemetry.TransactionActivity).ToList();
        var attempts = activities.Where(a => a.OperationName == PgBorrowTelemetry.AttemptActivity).ToList();
        Assert.Equal(2, scopes.Count);
        Assert.Equal(3, attempts.Count);
        var committed = Assert.Single(scopes, s => Equals(s.GetTagItem(PgBorrowTelemetry.OutcomeTag), "committed"));
        Assert.Equal("postgresql", committed.GetTagItem(PgBorrowTelemetry.DbSystemTag));
        var itsAttempts = attempts.Where(a => a.ParentSpanId == committed.SpanId).OrderBy(a => (int)a.GetTagItem(PgBorrowTelemetry.AttemptTag)!).ToList();
        Assert.Equal(new object?[] { "retried", "committed" }, itsAttempts.Select(a => a.GetTagItem(PgBorrowTelemetry.OutcomeTag)));
        Assert.Equal("40001", itsAttempts[0].GetTagItem(PgBorrowTelemetry.SqlStateTag));
        var rolledBack = Assert.Single(scopes, s => Equals(s.GetTagItem(PgBorrowTelemetry.OutcomeTag), "rolled_back"));
        Assert.Equal(ActivityStatusCode.Error, rolledBack.Status);

        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
            where T : struct
        {
            if (!Mine.Value)
                return;
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags)
                copy[tag.Key] = tag.Value;
            measurements.Enqueue((instrument.Name, Convert.ToDouble(value), copy));
        }
    }
}
