namespace JobScheduler;

/// <summary>Convenience queries over any <see cref="IJobSessionStore"/>.</summary>
public static class JobSessionStoreExtensions
{
    /// <summary>Returns the most recent sessions of one job, newest first.</summary>
    /// <param name="store">The store.</param>
    /// <param name="jobName">The job name.</param>
    /// <param name="limit">The maximum number of sessions.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The sessions, newest first.</returns>
    public static ValueTask<IReadOnlyList<JobSession>> GetSessionsByJobAsync(
        this IJobSessionStore store, string jobName, int limit = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrEmpty(jobName);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        return store.QueryAsync(new JobSessionQuery { JobName = jobName, Limit = limit }, cancellationToken);
    }

    /// <summary>Returns the sessions currently <see cref="JobSessionStatus.Running"/>, newest first.</summary>
    /// <param name="store">The store.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The running sessions, at most 1,000.</returns>
    public static ValueTask<IReadOnlyList<JobSession>> GetRunningSessionsAsync(
        this IJobSessionStore store, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.QueryAsync(new JobSessionQuery { Status = JobSessionStatus.Running, Limit = 1000 }, cancellationToken);
    }
}
