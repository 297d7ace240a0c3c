using JobScheduler.Execution;

namespace JobScheduler.Scheduling;

/// <summary>A job's state at run time.</summary>
internal sealed class ScheduledJob(JobPlan plan)
{
    /// <summary>Gets or sets how the job runs; replaced whole by Reschedule (engine lock).</summary>
    public JobPlan Plan { get; set; } = plan;

    public string Name => Plan.Definition.Name;

    // Guarded by the engine's lock.

    /// <summary>Gets or sets the generation of the job's queue entry; bumping it drops the queued occurrence.</summary>
    public int Version { get; set; }

    public bool IsPaused { get; set; }

    public DateTimeOffset? NextDue { get; set; }

    /// <summary>Gets or sets the last occurrence fired or missed; nothing at or before it fires again, even if the clock steps back.</summary>
    public DateTimeOffset? LastFired { get; set; }

    public List<DateTimeOffset> OneOffs { get; } = [];

    // Guarded by lock (this ScheduledJob), taken by the dispatcher.

    public int RunningCount { get; set; }

    /// <summary>Gets or sets the one run waiting under <see cref="OverlapPolicy.Queue"/>.</summary>
    public JobRun? PendingRun { get; set; }

    // Written without a lock; readers take a snapshot.

    public volatile bool IsRemoved;

    public volatile JobSession? LastSession;
}
