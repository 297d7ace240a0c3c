namespace JobScheduler;

/// <summary>
/// A unit of scheduled work. Implement it, declare a schedule with <see cref="CronJobAttribute"/> or
/// <see cref="IntervalJobAttribute"/> (or register it in code), and the scheduler runs it.
/// </summary>
/// <remarks>
/// A new instance is resolved from a fresh dependency-injection scope for every attempt, so a job may
/// inject scoped services such as a <c>DbContext</c>. Throwing marks the attempt
/// <see cref="JobSessionStatus.Failed"/>; the exception never escapes the scheduler.
/// </remarks>
public interface IJob
{
    /// <summary>Runs the job once.</summary>
    /// <param name="context">What this attempt is: job name, session id, occurrence, attempt number, scoped services.</param>
    /// <param name="cancellationToken">
    /// Cancelled when the job's timeout elapses or when the host shuts down. A job that ignores it keeps running
    /// (and keeps its overlap lock) until it returns.
    /// </param>
    /// <returns>A task that completes when the work is done.</returns>
    Task ExecuteAsync(JobContext context, CancellationToken cancellationToken);
}
