namespace JobScheduler;

/// <summary>A snapshot of a job's definition and state, from <see cref="IJobScheduler"/>.</summary>
public sealed record JobInfo
{
    /// <summary>Gets the job name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the schedule as configured (a cron expression, or an interval such as <c>00:15:00</c>), or <see langword="null"/> for an on-demand job.</summary>
    public string? Schedule { get; init; }

    /// <summary>Gets the time zone id as configured (UTC when none was).</summary>
    public required string TimeZone { get; init; }

    /// <summary>
    /// Gets the next time the job will run: its next occurrence, or an earlier one-off run from
    /// <see cref="IJobScheduler.ScheduleOnceAsync"/> (which also runs while the job is paused); <see langword="null"/>
    /// when nothing is pending (paused, disabled, on-demand, or a schedule that never fires again).
    /// </summary>
    public DateTimeOffset? NextRunAt { get; init; }

    /// <summary>Gets a value indicating whether the job is paused.</summary>
    public bool IsPaused { get; init; }

    /// <summary>Gets a value indicating whether configuration enables the job (<c>JobScheduler:Jobs:{name}:Enabled</c>).</summary>
    public bool IsEnabled { get; init; } = true;

    /// <summary>Gets how many runs of the job are in progress in this process.</summary>
    public int RunningCount { get; init; }

    /// <summary>
    /// Gets the most recent session this process recorded for the job, or <see langword="null"/> before its first run.
    /// It changes when a run completes, together with <see cref="RunningCount"/>; while a retry waits, it is the attempt
    /// that failed.
    /// </summary>
    public JobSession? LastSession { get; init; }

    /// <summary>Gets the full name of the job class (a string, so the record serializes to JSON as is).</summary>
    public required string JobType { get; init; }
}
