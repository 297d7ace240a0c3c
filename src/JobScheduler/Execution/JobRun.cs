using System.Diagnostics;
using JobScheduler.Diagnostics;
using JobScheduler.Scheduling;
using JobScheduler.Sessions;

namespace JobScheduler.Execution;

/// <summary>One run of a job: an occurrence (or trigger) and all its attempts.</summary>
internal sealed class JobRun(
    ScheduledJob job,
    DateTimeOffset scheduledAt,
    JobTrigger trigger,
    Guid firstSessionId,
    JobRunner runner,
    bool withCompletion) : IThreadPoolWorkItem, IDeferredStart
{
    // Only a triggered run has a caller's span or a handle waiting on it: kept apart, so each scheduled run is ~40 bytes
    // smaller (10,000 of them a second in the scale benchmark).
    private readonly ManualRunState? _manual = trigger == JobTrigger.Manual || withCompletion ? new(trigger, withCompletion) : null;
    private int _phase;
    private bool _inAttempt;
    private int _endedAttempt;
    private int _pendingClockWaits;
    private long _attemptStartedUtcTicks;
    private TimeSpan _attemptStartedOffset;
    private long _queuedEndedUtcTicks;
    private byte _startState; // a byte, beside the flags: an int made every run 8 bytes larger

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

    /// <summary>Gets or sets where the dispatcher's <see cref="RunSet"/> holds the run (its stripe and slot), -1 before it is added.</summary>
    public int SetSlot { get; set; } = -1;

    /// <summary>Gets or sets a value indicating whether the run claimed its occurrence in the cluster, and so must mark it finished.</summary>
    public bool IsClaimed { get; set; }

    /// <summary>Gets or sets a value indicating whether the run holds its job's cluster-wide overlap lease.</summary>
    public bool HoldsLease { get; set; }

    /// <summary>Gets the number of the attempt in progress (or of the last one), 0 before the first.</summary>
    public int Attempt { get; private set; }

    /// <summary>Gets or sets a value indicating whether an attempt is executing (between its recorded start and end), for the health check.</summary>
    public bool InAttempt
    {
        get => Volatile.Read(ref _inAttempt);
        set => Volatile.Write(ref _inAttempt, value);
    }

    /// <summary>Gets the session id of the attempt in progress (or of the last one), set by <see cref="BeginAttempt"/>.</summary>
    public Guid AttemptSessionId { get; private set; }

    /// <summary>Gets when the attempt in progress (or the last one) started.</summary>
    public DateTimeOffset AttemptStartedAt => new(Volatile.Read(ref _attemptStartedUtcTicks) + _attemptStartedOffset.Ticks, _attemptStartedOffset);

    /// <summary>Gets when the attempt in progress started, in UTC ticks: one atomic read, for readers on other threads.</summary>
    public long AttemptStartedUtcTicks => Volatile.Read(ref _attemptStartedUtcTicks);

    /// <summary>
    /// Starts the next attempt: its session is kept as these values, not as a Running session object, which
    /// would be garbage when the attempt ends (the ended session is a new immutable object): one object per attempt
    /// fewer. <see cref="BuildRunningSession"/> builds it for the few that need one.
    /// </summary>
    /// <returns>The attempt's number.</returns>
    public int BeginAttempt(Guid sessionId, DateTimeOffset startedAt)
    {
        AttemptSessionId = sessionId;
        _attemptStartedOffset = startedAt.Offset;
        Volatile.Write(ref _attemptStartedUtcTicks, startedAt.UtcTicks);
        return ++Attempt; // last: shutdown reads the attempt's number, then its id and start
    }

    /// <inheritdoc/>
    public DeferredStartState StartState
    {
        get => (DeferredStartState)Volatile.Read(ref _startState);
        set => Volatile.Write(ref _startState, (byte)value);
    }

    /// <summary>Gets the start of the attempt in progress (or of the last one).</summary>
    public AttemptStart CurrentStart => new(AttemptSessionId, trigger, scheduledAt, AttemptStartedAt, Attempt, runner.InstanceId);

    /// <summary>
    /// Builds the Running session of the attempt in progress, or returns <see langword="null"/> before the first: for
    /// observers and stores other than the in-memory one, and for shutdown to close if the job never returns.
    /// </summary>
    public JobSession? BuildRunningSession() => Attempt == 0 ? null : CurrentStart.ToSession(job.Name);

    public JobSession? LastEnded { get; set; }

    /// <summary>
    /// Gets or sets a value indicating whether the run itself recorded <see cref="LastEnded"/> (not shutdown, which
    /// closes a run that does not return): <see cref="RunDispatcher.Complete"/> then makes it the job's last session.
    /// </summary>
    public bool RecordedLastEnded { get; set; }

    /// <summary>
    /// Gets a value indicating whether the run's end is left to the <see cref="RunEndQueue"/>: its only attempt
    /// succeeded at <see cref="QueuedEndedAt"/>, and its ended session is yet to be built, logged, counted and written.
    /// </summary>
    public bool EndQueued { get; private set; }

    /// <summary>Gets when the attempt whose end is queued returned, in the offset its start was read in.</summary>
    public DateTimeOffset QueuedEndedAt => new(_queuedEndedUtcTicks + _attemptStartedOffset.Ticks, _attemptStartedOffset);

    /// <summary>Gets what the job whose end is queued wrote to its context's metadata, or <see langword="null"/>.</summary>
    public IReadOnlyDictionary<string, string>? QueuedMetadata { get; private set; }

    /// <summary>Leaves the end of the attempt that has just succeeded to the <see cref="RunEndQueue"/>.</summary>
    public void QueueEnd(DateTimeOffset endedAt, IReadOnlyDictionary<string, string>? metadata)
    {
        _queuedEndedUtcTicks = endedAt.UtcTicks; // the same clock as the start's: its offset is kept once, with the start
        QueuedMetadata = metadata;
        EndQueued = true;
    }

    /// <summary>Gets or sets the run queued after this one in the <see cref="RunEndQueue"/>.</summary>
    public JobRun? NextEnded { get; set; }

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
