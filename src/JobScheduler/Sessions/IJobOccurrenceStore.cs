namespace JobScheduler;

/// <summary>
/// An optional capability of a persistent <see cref="IJobSessionStore"/>: it remembers the last occurrence fired for
/// each job, so that after downtime a job with <see cref="MisfirePolicy.RunOnce"/> gets one catch-up run.
/// </summary>
/// <remarks>The scheduler uses it when the registered <see cref="IJobSessionStore"/> also implements this interface.</remarks>
public interface IJobOccurrenceStore
{
    /// <summary>Returns the last occurrence recorded for the job, or <see langword="null"/> when none was.</summary>
    /// <param name="jobName">The job name.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The last fired occurrence.</returns>
    ValueTask<DateTimeOffset?> GetLastOccurrenceAsync(string jobName, CancellationToken cancellationToken);

    /// <summary>Records that the occurrence fired. An occurrence older than the one stored is ignored.</summary>
    /// <param name="jobName">The job name.</param>
    /// <param name="occurrence">The occurrence.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the occurrence is stored.</returns>
    ValueTask RecordOccurrenceAsync(string jobName, DateTimeOffset occurrence, CancellationToken cancellationToken);
}
