namespace JobScheduler;

/// <summary>Inspects and controls the scheduler at run time. Resolve it from dependency injection.</summary>
/// <remarks>
/// Job names are matched case-insensitively. Methods that take a name throw <see cref="KeyNotFoundException"/> when no
/// job has that name.
/// </remarks>
public interface IJobScheduler
{
    /// <summary>Returns every registered job, ordered by name.</summary>
    /// <returns>A snapshot of the jobs.</returns>
    IReadOnlyList<JobInfo> GetJobs();

    /// <summary>Returns one job.</summary>
    /// <param name="name">The job name.</param>
    /// <returns>A snapshot of the job.</returns>
    /// <exception cref="KeyNotFoundException">No job has that name.</exception>
    JobInfo GetJob(string name);

    /// <summary>
    /// Starts a run now with trigger <see cref="JobTrigger.Manual"/>, obeying the job's overlap policy (a run that would
    /// overlap under <see cref="OverlapPolicy.Skip"/> completes as a <see cref="JobSessionStatus.Skipped"/> session).
    /// Runs even when the job is paused.
    /// </summary>
    /// <param name="name">The job name.</param>
    /// <param name="cancellationToken">Cancels the request (not the run).</param>
    /// <returns>A handle with the first attempt's session id and a task for the last attempt's session.</returns>
    /// <exception cref="KeyNotFoundException">No job has that name.</exception>
    /// <exception cref="InvalidOperationException">The job is disabled by configuration, or the scheduler is not running.</exception>
    Task<JobRunHandle> TriggerAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs the job once at the given time (trigger <see cref="JobTrigger.Scheduled"/>), in addition to its schedule.
    /// Works for on-demand jobs and runs even when the job is paused. A time in the past runs at once.
    /// </summary>
    /// <param name="name">The job name.</param>
    /// <param name="runAt">When to run.</param>
    /// <param name="cancellationToken">Cancels the request.</param>
    /// <returns>The id the run's first session will have.</returns>
    /// <exception cref="KeyNotFoundException">No job has that name.</exception>
    /// <exception cref="InvalidOperationException">The job is disabled by configuration, or the scheduler is not running.</exception>
    Task<Guid> ScheduleOnceAsync(string name, DateTimeOffset runAt, CancellationToken cancellationToken = default);

    /// <summary>Stops scheduling the job; runs in progress finish. Occurrences missed while paused record nothing.</summary>
    /// <param name="name">The job name.</param>
    /// <exception cref="KeyNotFoundException">No job has that name.</exception>
    void Pause(string name);

    /// <summary>Schedules a paused job again from its first occurrence strictly after now.</summary>
    /// <param name="name">The job name.</param>
    /// <exception cref="KeyNotFoundException">No job has that name.</exception>
    /// <exception cref="InvalidOperationException">The job is disabled by configuration.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1716", Justification = "The name is part of the fixed public API (DESIGN.md).")]
    void Resume(string name);

    /// <summary>Replaces the job's schedule with a cron expression; the next run is its first occurrence after now.</summary>
    /// <param name="name">The job name.</param>
    /// <param name="cronExpression">Five fields, six with seconds first, or a macro such as <c>@daily</c>.</param>
    /// <exception cref="KeyNotFoundException">No job has that name.</exception>
    /// <exception cref="ArgumentException">The expression is invalid; the message names the job and the expression.</exception>
    void Reschedule(string name, string cronExpression);

    /// <summary>Adds a job while the application runs.</summary>
    /// <typeparam name="TJob">The job class, resolved from a new scope for every attempt.</typeparam>
    /// <param name="cronExpression">The schedule, or <see langword="null"/> for an on-demand job (or one whose schedule <paramref name="configure"/> sets).</param>
    /// <param name="configure">Sets the name, time zone, timeout, retries and policies.</param>
    /// <exception cref="ArgumentException">The definition is invalid or the name is taken; the message lists every problem.</exception>
    void AddJob<TJob>(string? cronExpression, Action<JobBuilder>? configure = null)
        where TJob : class, IJob;

    /// <summary>Removes a job. A run in progress finishes; nothing more is started or recorded for the job after it.</summary>
    /// <param name="name">The job name.</param>
    /// <returns><see langword="true"/> when the job existed.</returns>
    bool RemoveJob(string name);
}
