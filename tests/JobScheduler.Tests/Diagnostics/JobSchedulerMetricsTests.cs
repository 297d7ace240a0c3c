using System.Diagnostics.Metrics;
using JobScheduler.Diagnostics;
using JobScheduler.Sessions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace JobScheduler.Tests.Diagnostics;

public sealed class JobSchedulerMetricsTests
{
    private const string Runs = JobSchedulerInstrumentation.RunsInstrument;
    private const string Duration = JobSchedulerInstrumentation.DurationInstrument;
    private const string Lateness = JobSchedulerInstrumentation.LatenessInstrument;
    private const string Running = JobSchedulerInstrumentation.RunningInstrument;

    [Fact]
    public async Task Runs_Success_CountsOneRunWithNameStatusAndTrigger()
    {
        var bodies = new JobBodies().On("report", JobBodies.Takes(TimeSpan.FromSeconds(2)));
        await using var host = await DiagnosticsHost.StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("report")));
        using var runs = host.Collect<long>(Runs);
        using var duration = host.Collect<double>(Duration);

        await host.RunJobAsync("report");

        var run = Assert.Single(runs.GetMeasurementSnapshot());
        Assert.Equal(1, run.Value);
        Assert.Equal("report", run.Tag("job.name"));
        Assert.Equal("succeeded", run.Tag("job.status"));
        Assert.Equal("manual", run.Tag("job.trigger"));
        Assert.Equal(3, run.Tags.Count);

        var attempt = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal(2.0, attempt.Value);
        Assert.Equal("report", attempt.Tag("job.name"));
        Assert.Equal("succeeded", attempt.Tag("job.status"));
        Assert.Equal(2, attempt.Tags.Count);
    }

    [Fact]
    public async Task Runs_Failure_CountsFailedStatus()
    {
        var bodies = new JobBodies().On("sync", JobBodies.Fails());
        await using var host = await DiagnosticsHost.StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("sync")));
        using var runs = host.Collect<long>(Runs);
        using var duration = host.Collect<double>(Duration);

        await host.RunJobAsync("sync");

        Assert.Equal("failed", Assert.Single(runs.GetMeasurementSnapshot()).Tag("job.status"));
        var attempt = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal("failed", attempt.Tag("job.status"));
        Assert.Equal(0.0, attempt.Value);
    }

    [Fact]
    public async Task Runs_Timeout_CountsTimedOutWithTheTimeoutAsDuration()
    {
        var bodies = new JobBodies().On("slow", JobBodies.Takes(TimeSpan.FromMinutes(1)));
        await using var host = await DiagnosticsHost.StartAsync(
            bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("slow").WithTimeout(TimeSpan.FromSeconds(5))));
        using var runs = host.Collect<long>(Runs);
        using var duration = host.Collect<double>(Duration);

        await host.RunJobAsync("slow");

        Assert.Equal("timed_out", Assert.Single(runs.GetMeasurementSnapshot()).Tag("job.status"));
        var attempt = Assert.Single(duration.GetMeasurementSnapshot());
        Assert.Equal("timed_out", attempt.Tag("job.status"));
        Assert.Equal(5.0, attempt.Value);
    }

    [Fact]
    public async Task Runs_Retry_CountsEveryAttempt()
    {
        var bodies = new JobBodies().On("flaky", JobBodies.FailsFirst(2));
        await using var host = await DiagnosticsHost.StartAsync(
            bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("flaky").WithRetry(2, TimeSpan.FromSeconds(10))));
        using var runs = host.Collect<long>(Runs);
        using var duration = host.Collect<double>(Duration);

        await host.RunJobAsync("flaky");

        Assert.Equal(["failed", "failed", "succeeded"], runs.GetMeasurementSnapshot().Select(m => m.Tag("job.status")));
        Assert.Equal(3, duration.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task Runs_SkippedOccurrence_CountsSkippedAndRecordsNoDuration()
    {
        // Every minute, 90 s long, overlap Skip (the default): the 09:02 occurrence finds 09:01 still running.
        var bodies = new JobBodies().On("every-minute", JobBodies.Takes(TimeSpan.FromSeconds(90)));
        await using var host = await DiagnosticsHost.StartAsync(bodies, s => s.AddJob<DiagnosticsJob>("* * * * *", j => j.WithName("every-minute")));
        using var runs = host.Collect<long>(Runs);
        using var duration = host.Collect<double>(Duration);

        await host.AdvanceToAsync(DiagnosticsHost.Start.AddMinutes(2));

        var skipped = Assert.Single(runs.GetMeasurementSnapshot());
        Assert.Equal("skipped", skipped.Tag("job.status"));
        Assert.Equal("scheduled", skipped.Tag("job.trigger"));
        Assert.Empty(duration.GetMeasurementSnapshot()); // the 09:01 run is still going, the skip never ran

        await host.AdvanceToAsync(DiagnosticsHost.Start.AddMinutes(2.5));

        Assert.Equal(["skipped", "succeeded"], runs.GetMeasurementSnapshot().Select(m => m.Tag("job.status")));
        Assert.Equal(90.0, Assert.Single(duration.GetMeasurementSnapshot()).Value);
    }

    [Fact]
    public async Task Lateness_RunStartsAtItsOccurrence_IsZero()
    {
        await using var host = await DiagnosticsHost.StartAsync(new JobBodies(), s => s.AddJob<DiagnosticsJob>("0 10 * * *", j => j.WithName("ten")));
        using var lateness = host.Collect<double>(Lateness);

        await host.AdvanceToAsync(DiagnosticsHost.Start.AddHours(1)); // 10:00

        var measurement = Assert.Single(lateness.GetMeasurementSnapshot());
        Assert.Equal(0.0, measurement.Value);
        Assert.Equal("ten", measurement.Tag("job.name"));
        Assert.Single(measurement.Tags);
    }

    [Fact]
    public async Task Lateness_QueuedRun_IsHowLongItWaitedForThePreviousOne()
    {
        // Every minute, 90 s long, overlap Queue: the 09:02 occurrence starts when 09:01 ends, at 09:02:30.
        var bodies = new JobBodies().On("queued", JobBodies.Takes(TimeSpan.FromSeconds(90)));
        await using var host = await DiagnosticsHost.StartAsync(
            bodies, s => s.AddJob<DiagnosticsJob>("* * * * *", j => j.WithName("queued").WithOverlap(OverlapPolicy.Queue)));
        using var lateness = host.Collect<double>(Lateness);

        await host.AdvanceToAsync(DiagnosticsHost.Start.AddSeconds(150));

        Assert.Equal([0.0, 30.0], lateness.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public async Task Lateness_ManualRunsAndRetries_AreNotMeasured()
    {
        var bodies = new JobBodies().On("flaky", JobBodies.FailsFirst(1));
        await using var host = await DiagnosticsHost.StartAsync(
            bodies, s => s.AddJob<DiagnosticsJob>("0 10 * * *", j => j.WithName("flaky").WithRetry(1, TimeSpan.FromSeconds(10))));
        using var lateness = host.Collect<double>(Lateness);

        await host.RunJobAsync("flaky");                              // manual: no lateness
        await host.AdvanceToAsync(DiagnosticsHost.Start.AddHours(1).AddSeconds(10)); // scheduled: attempt 1 measured, its retry not

        Assert.Equal([0.0], lateness.GetMeasurementSnapshot().Select(m => m.Value));
        Assert.Equal(4, (await host.GetSessionsAsync("flaky")).Count);
    }

    [Fact]
    public async Task Running_GoesUpWhileTheAttemptRunsAndDownWhenItEnds()
    {
        var bodies = new JobBodies().On("long", JobBodies.Takes(TimeSpan.FromMinutes(10)));
        await using var host = await DiagnosticsHost.StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("long")));
        using var running = host.Collect<long>(Running);

        var handle = await host.Scheduler.TriggerAsync("long");
        await host.WaitForIdleAsync();

        var started = Assert.Single(running.GetMeasurementSnapshot());
        Assert.Equal(1, started.Value);
        Assert.Equal("long", started.Tag("job.name"));

        await host.AdvanceAsync(TimeSpan.FromMinutes(10));
        await handle.Completion;

        Assert.Equal([1L, -1L], running.GetMeasurementSnapshot().Select(m => m.Value));
    }

    [Fact]
    public async Task PendingWrites_StoreFailing_ObservesTheQueue()
    {
        var store = new FailingStore();
        await using var host = await DiagnosticsHost.StartAsync(
            new JobBodies(),
            s => s.AddJob<DiagnosticsJob>(j => j.WithName("writer")),
            services => services.AddSingleton<IJobSessionStore>(store)); // before AddJobScheduler's TryAdd of the default
        using var pending = host.Collect<long>(JobSchedulerInstrumentation.PendingWritesInstrument);

        pending.RecordObservableInstruments();
        Assert.Equal(0, pending.LastMeasurement!.Value);

        store.Failing = true;
        await host.RunJobAsync("writer");
        pending.RecordObservableInstruments();

        Assert.Equal(2, pending.LastMeasurement!.Value); // the start and the end of the run's session

        store.Failing = false;
        await host.AdvanceAsync(TimeSpan.FromMinutes(1)); // past the retry backoff: the queue drains
        pending.RecordObservableInstruments();

        Assert.Equal(0, pending.LastMeasurement!.Value);
    }

    [Fact]
    public async Task Meter_FromTheHostsFactory_IsNamedJobScheduler()
    {
        await using var host = await DiagnosticsHost.StartAsync(new JobBodies(), s => s.AddJob<DiagnosticsJob>(j => j.WithName("any")));

        var meter = host.Services.GetRequiredService<JobSchedulerInstrumentation>().Meter;

        Assert.Equal("JobScheduler", meter.Name);
        Assert.Same(host.Services.GetRequiredService<IMeterFactory>(), meter.Scope);
    }

    [Fact]
    public void Meter_WithoutAFactory_IsOwnedAndDisposedByTheScheduler()
    {
        var instrumentation = new JobSchedulerInstrumentation(meterFactory: null);
        var published = new List<string>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == instrumentation.Meter)
                {
                    published.Add(instrument.Name);
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        var disabled = new List<string>();
        listener.MeasurementsCompleted = (instrument, _) => disabled.Add(instrument.Name);
        listener.Start();

        Assert.Equal("JobScheduler", instrumentation.Meter.Name);
        Assert.Null(instrumentation.Meter.Scope);
        Assert.Equal(
            ["jobscheduler.job.lateness", "jobscheduler.job.run.duration", "jobscheduler.job.running", "jobscheduler.job.runs", "jobscheduler.store.pending_writes"],
            published.Order());

        instrumentation.Dispose();

        Assert.Equal(published.Order(), disabled.Order());
    }

    [Fact]
    public async Task Instruments_HaveTheirUnitsAndBucketAdvice()
    {
        await using var host = await DiagnosticsHost.StartAsync(new JobBodies(), s => s.AddJob<DiagnosticsJob>(j => j.WithName("any")));
        var meter = host.Services.GetRequiredService<JobSchedulerInstrumentation>().Meter;
        var instruments = new Dictionary<string, Instrument>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter == meter)
                {
                    instruments[instrument.Name] = instrument;
                }
            },
        };
        listener.Start();

        Assert.IsType<Counter<long>>(instruments[Runs]);
        Assert.Equal("{run}", instruments[Runs].Unit);
        Assert.Equal("s", Assert.IsType<Histogram<double>>(instruments[Duration]).Unit);
        Assert.Equal("s", Assert.IsType<Histogram<double>>(instruments[Lateness]).Unit);
        Assert.Equal("{run}", Assert.IsType<UpDownCounter<long>>(instruments[Running]).Unit);
        Assert.Equal("{write}", instruments[JobSchedulerInstrumentation.PendingWritesInstrument].Unit);

        var buckets = ((Histogram<double>)instruments[Duration]).Advice!.HistogramBucketBoundaries!;
        Assert.Equal(0.005, buckets[0]);
        Assert.Equal(3600, buckets[^1]);
        Assert.Equal(buckets.Order(), buckets);
    }

    [Theory]
    [InlineData(JobSessionStatus.Running, "running")]
    [InlineData(JobSessionStatus.Succeeded, "succeeded")]
    [InlineData(JobSessionStatus.Failed, "failed")]
    [InlineData(JobSessionStatus.TimedOut, "timed_out")]
    [InlineData(JobSessionStatus.Cancelled, "cancelled")]
    [InlineData(JobSessionStatus.Skipped, "skipped")]
    [InlineData(JobSessionStatus.Abandoned, "abandoned")]
    public void StatusName_IsLowercaseSnakeCase(JobSessionStatus status, string expected)
        => Assert.Equal(expected, JobSchedulerInstrumentation.StatusName(status));

    [Theory]
    [InlineData(JobTrigger.Scheduled, "scheduled")]
    [InlineData(JobTrigger.Manual, "manual")]
    [InlineData(JobTrigger.CatchUp, "catch_up")]
    public void TriggerName_IsLowercaseSnakeCase(JobTrigger trigger, string expected)
        => Assert.Equal(expected, JobSchedulerInstrumentation.TriggerName(trigger));

    [Fact]
    public void StatusAndTriggerNames_CoverEveryEnumValue()
    {
        Assert.All(Enum.GetValues<JobSessionStatus>(), s => Assert.DoesNotContain(JobSchedulerInstrumentation.StatusName(s), char.IsUpper));
        Assert.All(Enum.GetValues<JobTrigger>(), t => Assert.DoesNotContain(JobSchedulerInstrumentation.TriggerName(t), char.IsUpper));
        Assert.Equal(7, Enum.GetValues<JobSessionStatus>().Length); // a new status needs its name in JobSchedulerInstrumentation
        Assert.Equal(3, Enum.GetValues<JobTrigger>().Length);
    }

    /// <summary>An in-memory store whose writes throw while <see cref="Failing"/> is set.</summary>
    private sealed class FailingStore : IJobSessionStore
    {
        private readonly InMemoryJobSessionStore _inner = new(Microsoft.Extensions.Options.Options.Create(new InMemorySessionStoreOptions()));

        public volatile bool Failing;

        public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken)
            => Failing ? throw new InvalidOperationException("store down") : _inner.RecordStartAsync(session, cancellationToken);

        public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
            => Failing ? throw new InvalidOperationException("store down") : _inner.RecordEndAsync(session, cancellationToken);

        public ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken)
            => _inner.QueryAsync(query, cancellationToken);

        public ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
            => _inner.PurgeAsync(endedBefore, cancellationToken);
    }
}
