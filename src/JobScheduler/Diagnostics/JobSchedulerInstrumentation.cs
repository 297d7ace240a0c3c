using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Reflection;
using JobScheduler.Execution;

namespace JobScheduler.Diagnostics;

/// <summary>
/// The scheduler's metrics (a <see cref="Meter"/> named <c>JobScheduler</c>), its traces (an
/// <see cref="System.Diagnostics.ActivitySource"/> named <c>JobScheduler</c>, one span per attempt) and the in-process
/// state the health check reads (<see cref="Health"/>).
/// </summary>
/// <remarks>
/// The run pipeline calls it directly, not through an <see cref="IJobRunObserver"/>: observers are awaited after the
/// session store write, so they would time attempts and skips by the store's latency, cannot wrap the job in a span
/// (the span must be <see cref="Activity.Current"/> on the job's own async flow so its outgoing calls become children),
/// and would show up among the application's observers. Each hook is synchronous and allocation-free while nothing
/// listens: instruments check their own listeners, and spans are only built when
/// <see cref="ActivitySource.HasListeners"/> is true.
/// </remarks>
internal sealed class JobSchedulerInstrumentation : IDisposable
{
    /// <summary>The name of the meter and of the activity source.</summary>
    public const string Name = "JobScheduler";

    public const string JobNameTag = "job.name";
    public const string StatusTag = "job.status";
    public const string TriggerTag = "job.trigger";
    public const string AttemptTag = "job.attempt";
    public const string SessionIdTag = "job.session_id";
    public const string ScheduledAtTag = "job.scheduled_at";

    public const string RunsInstrument = "jobscheduler.job.runs";
    public const string DurationInstrument = "jobscheduler.job.run.duration";
    public const string LatenessInstrument = "jobscheduler.job.lateness";
    public const string RunningInstrument = "jobscheduler.job.running";
    public const string PendingWritesInstrument = "jobscheduler.store.pending_writes";

    /// <summary>Bucket boundaries (seconds) for run durations: from a few milliseconds to an hour.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets =
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    /// <summary>Bucket boundaries (seconds) for lateness: a healthy scheduler stays in the first few.</summary>
    public static readonly IReadOnlyList<double> LatenessBuckets =
        [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private static readonly string? Version = GetVersion();

    // Indexed by the enum values; tag values are lowercase snake_case, as OpenTelemetry recommends.
    private static readonly string[] StatusNames = ["running", "succeeded", "failed", "timed_out", "cancelled", "skipped", "abandoned"];
    private static readonly string[] TriggerNames = ["scheduled", "manual", "catch_up"];

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;
    private readonly Histogram<double> _lateness;
    private readonly UpDownCounter<long> _running;
    private StoreWriteBuffer? _storeBuffer;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/>, or on a meter of its own.</summary>
    /// <param name="meterFactory">The host's meter factory (registered by every default host and by <c>AddMetrics()</c>).</param>
    public JobSchedulerInstrumentation(IMeterFactory? meterFactory = null)
    {
        var meterOptions = new MeterOptions(Name) { Version = Version };
        if (meterFactory is null)
        {
            _meter = new Meter(meterOptions);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(meterOptions);
        }

        _runs = _meter.CreateCounter<long>(
            RunsInstrument,
            unit: "{run}",
            description: "Ended sessions (attempts, skipped occurrences, runs cancelled before they started), by job, status and trigger.");
        _duration = _meter.CreateHistogram(
            DurationInstrument,
            unit: "s",
            description: "How long each attempt that ran took, by job and status.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _lateness = _meter.CreateHistogram(
            LatenessInstrument,
            unit: "s",
            description: "How long after its occurrence the first attempt of a scheduled run started, by job.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatenessBuckets });
        _running = _meter.CreateUpDownCounter<long>(
            RunningInstrument,
            unit: "{run}",
            description: "Attempts executing right now, by job.");
        _meter.CreateObservableUpDownCounter(
            PendingWritesInstrument,
            () => (long)(Volatile.Read(ref _storeBuffer)?.QueuedCount ?? 0),
            unit: "{write}",
            description: "Session store writes queued because the store failed or was slow; 0 while the store keeps up.");
    }

    /// <summary>Gets the static activity source: one span per attempt, and a zero-length span per skipped occurrence.</summary>
    public static ActivitySource ActivitySource { get; } = new(Name, Version);

    /// <summary>Gets the in-process state the health check reads.</summary>
    public JobSchedulerHealthState Health { get; } = new();

    /// <summary>Gets the meter (for tests).</summary>
    internal Meter Meter => _meter;

    /// <summary>Returns the context of the caller's span, for a manually triggered run to link to.</summary>
    public static ActivityContext CaptureCaller() => Activity.Current?.Context ?? default;

    public static string StatusName(JobSessionStatus status)
        => (uint)status < (uint)StatusNames.Length ? StatusNames[(int)status] : status.ToString().ToLowerInvariant();

    public static string TriggerName(JobTrigger trigger)
        => (uint)trigger < (uint)TriggerNames.Length ? TriggerNames[(int)trigger] : trigger.ToString().ToLowerInvariant();

    /// <summary>Lets the pending-writes instrument observe the store write queue.</summary>
    public void ObserveStoreQueue(StoreWriteBuffer buffer) => Volatile.Write(ref _storeBuffer, buffer);

    /// <summary>
    /// An attempt begins (its Running session is recorded): counts it running, records the lateness of a scheduled
    /// run's first attempt, and starts its span, which becomes <see cref="Activity.Current"/> for the job.
    /// </summary>
    /// <returns>The attempt's span, or <see langword="null"/> when nothing listens.</returns>
    public Activity? AttemptStarted(JobRun run)
    {
        var jobName = new KeyValuePair<string, object?>(JobNameTag, run.Job.Name);
        _running.Add(1, jobName);
        if (run.Attempt == 1 && run.Trigger == JobTrigger.Scheduled)
        {
            _lateness.Record((run.AttemptStartedAt - run.ScheduledAt).TotalSeconds, jobName);
        }

        JobSchedulerHealthState.AttemptStarted(run);
        return ActivitySource.HasListeners() ? StartAttemptSpan(run) : null;
    }

    /// <summary>An attempt ended (before its end is recorded): duration, running count, span status.</summary>
    public void AttemptEnded(JobRun run, JobSession ended, Exception? error, Activity? activity)
    {
        JobSchedulerHealthState.AttemptEnded(run);
        var jobName = new KeyValuePair<string, object?>(JobNameTag, ended.JobName);
        _running.Add(-1, jobName);
        _duration.Record(ended.Duration.GetValueOrDefault().TotalSeconds, jobName, new KeyValuePair<string, object?>(StatusTag, StatusName(ended.Status)));
        if (activity is not null)
        {
            EndAttemptSpan(activity, run, ended, error);
        }
    }

    /// <summary>A run ended with its last attempt's session (retries included): a final failure is kept for the health check.</summary>
    public void RunEnded(JobSession? last)
    {
        if (last is { Status: JobSessionStatus.Failed or JobSessionStatus.TimedOut })
        {
            Health.RecordFailure(last);
        }
    }

    /// <summary>A session's end is being recorded (every attempt, skip, run cancelled before it started, abandoned session).</summary>
    public void SessionEnded(JobSession session)
        => _runs.Add(
            1,
            new KeyValuePair<string, object?>(JobNameTag, session.JobName),
            new KeyValuePair<string, object?>(StatusTag, StatusName(session.Status)),
            new KeyValuePair<string, object?>(TriggerTag, TriggerName(session.Trigger)));

    /// <summary>An occurrence was skipped by the overlap policy: a zero-length span, so traces show the gap.</summary>
    public static void RunSkipped(JobRun run)
    {
        if (!ActivitySource.HasListeners())
        {
            return;
        }

        // Called on the timer's thread or inside TriggerAsync: the caller's Activity.Current must survive.
        var previous = Activity.Current;
        Activity.Current = null;
        try
        {
            using var activity = ActivitySource.StartActivity(SpanName(run.Job.Name), ActivityKind.Internal, default(ActivityContext), tags: null, links: Links(run));
            if (activity is { IsAllDataRequested: true })
            {
                activity.SetTag(JobNameTag, run.Job.Name);
                activity.SetTag(TriggerTag, TriggerName(run.Trigger));
                activity.SetTag(SessionIdTag, run.FirstSessionId.ToString());
                activity.SetTag(ScheduledAtTag, run.ScheduledAt.ToString("O", CultureInfo.InvariantCulture));
                activity.SetTag(StatusTag, StatusName(JobSessionStatus.Skipped));
            }
        }
        finally
        {
            Activity.Current = previous;
        }
    }

    public void Dispose()
    {
        // A meter from the factory belongs to the factory, which disposes it with the host.
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static Activity? StartAttemptSpan(JobRun run)
    {
        // Runs are roots: the dispatcher does not flow the caller's context, except the test host's inline dispatch,
        // which would otherwise parent every run to the test's span. Only this attempt's async flow is affected.
        if (Activity.Current is not null)
        {
            Activity.Current = null;
        }

        var activity = ActivitySource.StartActivity(SpanName(run.Job.Name), ActivityKind.Internal, default(ActivityContext), tags: null, links: Links(run));
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(JobNameTag, run.Job.Name);
            activity.SetTag(AttemptTag, run.Attempt);
            activity.SetTag(TriggerTag, TriggerName(run.Trigger));
            activity.SetTag(SessionIdTag, run.AttemptSessionId.ToString());
            activity.SetTag(ScheduledAtTag, run.ScheduledAt.ToString("O", CultureInfo.InvariantCulture));
        }

        return activity;
    }

    private static void EndAttemptSpan(Activity activity, JobRun run, JobSession ended, Exception? error)
    {
        activity.SetTag(StatusTag, StatusName(ended.Status));
        switch (ended.Status)
        {
            case JobSessionStatus.Failed:
                if (error is not null && activity.IsAllDataRequested)
                {
                    activity.AddException(error);
                }

                activity.SetStatus(ActivityStatusCode.Error, error?.Message);
                break;
            case JobSessionStatus.TimedOut:
                if (error is not null and not OperationCanceledException && activity.IsAllDataRequested)
                {
                    activity.AddException(error);
                }

                activity.SetStatus(ActivityStatusCode.Error, $"The job exceeded its timeout of {run.Plan.Definition.Timeout}.");
                break;
        }

        activity.Dispose();
    }

    private static string SpanName(string jobName) => "job " + jobName;

    private static ActivityLink[]? Links(JobRun run) => run.Caller == default ? null : [new ActivityLink(run.Caller)];

    private static string? GetVersion()
    {
        var version = typeof(JobSchedulerInstrumentation).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        var plus = version?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        return plus >= 0 ? version![..plus] : version;
    }
}
