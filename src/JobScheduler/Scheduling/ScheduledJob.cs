using System.Diagnostics;
using JobScheduler.Execution;
using JobScheduler.Sessions;

namespace JobScheduler.Scheduling;

/// <summary>A job's state at run time.</summary>
internal sealed class ScheduledJob
{
    private JobPlan _plan;

    public ScheduledJob(JobPlan plan)
    {
        _plan = plan; // and the copies below, through the setter
        Plan = plan;
    }

    /// <summary>Gets or sets how the job runs; replaced whole by Reschedule (engine lock).</summary>
    public JobPlan Plan
    {
        get => _plan;
        set
        {
            _plan = value;
            Schedule = value.Definition.Schedule;
            Misfire = value.Definition.Misfire;
            Overlap = value.Definition.Overlap;
        }
    }

    // Copies of what the timer reads for every occurrence, kept in this object: at thousands of jobs due at once the
    // timer thread's time goes mostly to cache misses, one per object it follows (plan, definition).

    /// <summary>Gets the schedule of <see cref="Plan"/>.</summary>
    public JobSchedule? Schedule { get; private set; }

    /// <summary>Gets the misfire policy of <see cref="Plan"/>.</summary>
    public MisfirePolicy Misfire { get; private set; }

    /// <summary>Gets the overlap policy of <see cref="Plan"/>, which the dispatcher applies on the timer thread.</summary>
    public OverlapPolicy Overlap { get; private set; }

    public string Name => Plan.Definition.Name;

    // Guarded by the engine's lock.

    /// <summary>Gets or sets the generation of the job's queue entry; bumping it drops the queued occurrence.</summary>
    public int Version { get; set; }

    public bool IsPaused { get; set; }

    public DateTimeOffset? NextDue { get; set; }

    /// <summary>Gets or sets the last occurrence fired or missed; nothing at or before it fires again, even if the clock steps back.</summary>
    public DateTimeOffset? LastFired { get; set; }

    /// <summary>Gets the pending one-off run times (<see cref="IJobScheduler.ScheduleOnceAsync"/>); null until the first, as most jobs never get one.</summary>
    public List<DateTimeOffset>? OneOffs { get; private set; }

    public void AddOneOff(DateTimeOffset at) => (OneOffs ??= []).Add(at);

    // Guarded by lock (this ScheduledJob), taken by the dispatcher (and around the last session, below).

    public int RunningCount { get; set; }

    /// <summary>Gets or sets the one run waiting under <see cref="OverlapPolicy.Queue"/>.</summary>
    public JobRun? PendingRun { get; set; }

    /// <summary>
    /// Gets or sets the job's log in the in-memory store, set by the first write so that later runs skip the lookup by
    /// name. Written without a lock: every writer sets the same log.
    /// </summary>
    public SessionLog? SessionLog { get; set; }

    // Written without a lock; readers take a snapshot.

    public volatile bool IsRemoved;

    // The last ended session, by value (see StoredSession): a session object kept until the job's next run would live
    // past a young-generation collection and be promoted, for every job, every run. Guarded by this job's lock, which
    // the dispatcher takes around each run anyway: a lock object of its own was one more object to fetch per run.
    private SessionSnapshot? _lastSession;

    /// <summary>Gets the job's last ended session (a new object per read), or <see langword="null"/> before the first.</summary>
    public JobSession? LastSession
    {
        get
        {
            lock (this)
            {
                return _lastSession?.ToSession();
            }
        }
    }

    /// <summary>Records the session that ended last.</summary>
    public void SetLastSession(JobSession session)
    {
        lock (this)
        {
            _lastSession = SessionSnapshot.Of(session);
        }
    }

    /// <summary>
    /// Records the session that ended last, with this job's lock already held: the dispatcher does it when a run
    /// completes, in the lock it takes to free the job, one lock per run fewer than <see cref="SetLastSession"/>.
    /// </summary>
    public void SetLastSessionLocked(JobSession session)
    {
        Debug.Assert(Monitor.IsEntered(this), "The caller holds the job's lock.");
        _lastSession = SessionSnapshot.Of(session);
    }

    /// <summary>Records <paramref name="session"/> as the last one unless a run has already ended (history loaded at start).</summary>
    public void SetLastSessionIfNone(JobSession session)
    {
        lock (this)
        {
            _lastSession ??= SessionSnapshot.Of(session);
        }
    }
}
