namespace JobScheduler;

/// <summary>
/// An optional capability of an <see cref="IJobSessionStore"/>: it can keep only the newest sessions of each job,
/// which <see cref="JobSchedulerOptions.MaxSessionsPerJob"/> uses.
/// </summary>
public interface IJobSessionRetention
{
    /// <summary>Deletes all but the newest <paramref name="maxSessionsPerJob"/> ended sessions of every job. Running sessions are kept.</summary>
    /// <param name="maxSessionsPerJob">How many ended sessions to keep per job; at least 1.</param>
    /// <param name="cancellationToken">Cancels the purge.</param>
    /// <returns>How many sessions were deleted.</returns>
    ValueTask<int> TrimAsync(int maxSessionsPerJob, CancellationToken cancellationToken);
}
