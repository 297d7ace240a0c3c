using System.Diagnostics;
using JobScheduler.Diagnostics;
using JobScheduler.Scheduling;

namespace JobScheduler.Execution;

/// <summary>One run of a job: an occurrence (or trigger) and all its attempts.</summary>
internal sealed class JobRun(
    ScheduledJob job,
    DateTimeOffset scheduledAt,
    JobTrigger trigger,
    Guid firstSessionId,
    JobRunner runner,
    bool withCompletion) : IThreadPoolWorkItem
{
    // Only a triggered run has a caller's span or a handle waiting on it: kept apart, so each scheduled run is ~40 bytes
    // smaller (10,000 of them a second in the scale benchmark).
    private readonly ManualRunState? _manual = trigger == JobTrigger.Manual || withCompletion ? new(trigger, withCompletion) : null;
    private int _phase;
    private bool _inAttempt;
    private int _endedAttempt;
    private int _pendingClockWaits;

    public ScheduledJob Job => job;

    /// <summary>Gets the plan at fire time, so a reschedule does not change a run in progress.</summary>
    public JobPlan Plan { get; } = job.Plan;

    public DateTimeOffset ScheduledAt => scheduledAt;

    public JobTrigger Trigger => trigger;

    public Guid FirstSessionId => firstSessionId;

    public JobRunner Runner => runner;

    /// <summary>Gets the span of the code that triggered a manual run, which the run's spans link to (runs are roots).</summary>
    public ActivityContext Caller => _manual?.Caller ?? default;

    /// <summary>Gets the completion behind a <see cref="JobRunHandle"/>, when one was asked for.</summary>
    public TaskCompletionSource<JobSession>? Completion => _manual?.Completion;

    /// <summary>Gets or sets a value indicating whether the run holds one of the job's <see cref="ScheduledJob.RunningCount"/>.</summary>
    public bool HoldsJobSlot { get; set; }

    /// <summary>Gets or sets a value indicating whether the dispatcher counts the run as in progress (set once, by one thread).</summary>
    public bool IsTracked { get; set; }

    /// <summary>Gets or sets a value indicating whether the run claimed its occurrence in the cluster, and so must mark it finished.</summary>
    public bool IsClaimed { get; set; }

    /// <summary>Gets or sets a value indicating whether the run holds its job's cluster-wide overlap lease.</summary>
    public bool HoldsLease { get; set; }

    public int Attempt { get; set; }

    /// <summary>Gets or sets a value indicating whether an attempt is executing (between its recorded start and end), for the health check.</summary>
    public bool InAttempt
    {
        get => Volatile.Read(ref _inAttempt);
        set => Volatile.Write(ref _inAttempt, value);
    }

    /// <summary>Gets or sets the session of the attempt in progress, for shutdown to close if the job never returns.</summary>
    public JobSession? CurrentSession { get; set; }

    public JobSession? LastEnded { get; set; }

    /// <summary>Gets or sets when the current attempt's timeout fired, if it did.</summary>
    public DateTimeOffset? TimedOutAt { get; set; }

    public RunPhase Phase
    {
        get => (RunPhase)Volatile.Read(ref _phase);
        set
        {
            Volatile.Write(ref _phase, (int)value);
            runner.Monitor?.NotifyChanged();
        }
    }

    /// <summary>Gets how many test-clock timers the job's own code is waiting on (counted by JobScheduler.Testing).</summary>
    public int PendingClockWaits => Volatile.Read(ref _pendingClockWaits);

    public void AddClockWait(int delta)
    {
        Interlocked.Add(ref _pendingClockWaits, delta);
        runner.Monitor?.NotifyChanged();
    }

    /// <summary>Gets a value indicating whether the run only waits on the test clock or on a slot, so it cannot progress by itself.</summary>
    public bool IsSettled => Phase switch
    {
        RunPhase.WaitingForSlot or RunPhase.Completed => true,
        RunPhase.InJob or RunPhase.RetryDelay or RunPhase.WaitingForLease => PendingClockWaits > 0,
        _ => false,
    };

    /// <summary>Claims the right to record the end of an attempt, once: the run itself or shutdown, whichever is first.</summary>
    public bool TryClaimEnd(int attempt)
    {
        while (true)
        {
            var ended = Volatile.Read(ref _endedAttempt);
            if (ended >= attempt)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _endedAttempt, attempt, ended) == ended)
            {
                return true;
            }
        }
    }

    void IThreadPoolWorkItem.Execute() => _ = runner.RunAsync(this);

    private sealed class ManualRunState(JobTrigger trigger, bool withCompletion)
    {
        public ActivityContext Caller { get; } = trigger == JobTrigger.Manual ? JobSchedulerInstrumentation.CaptureCaller() : default;

        public TaskCompletionSource<JobSession>? Completion { get; } =
            withCompletion ? new TaskCompletionSource<JobSession>(TaskCreationOptions.RunContinuationsAsynchronously) : null;
    }
}
