namespace JobScheduler;

/// <summary>
/// Keeps the record of every run. The in-memory store is the default; <c>UseSessionStore&lt;T&gt;()</c> plugs in another.
/// </summary>
/// <remarks>
/// The scheduler calls <see cref="RecordStartAsync"/> when an attempt starts and <see cref="RecordEndAsync"/> with the
/// same <see cref="JobSession.Id"/> when it ends. A session that ended without a start (a skipped occurrence) arrives
/// through <see cref="RecordEndAsync"/> alone. Implementations must be safe for concurrent use.
/// </remarks>
public interface IJobSessionStore
{
    /// <summary>Records a session in the <see cref="JobSessionStatus.Running"/> state.</summary>
    /// <param name="session">The session.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the session is stored.</returns>
    ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken);

    /// <summary>Records the final state of a session, inserting it when no start was recorded.</summary>
    /// <param name="session">The session with its end time and final status.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when the session is stored.</returns>
    ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken);

    /// <summary>Returns sessions matching the query, newest <see cref="JobSession.StartedAt"/> first.</summary>
    /// <param name="query">The filters and limit.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>At most <see cref="JobSessionQuery.Limit"/> sessions, newest first.</returns>
    ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken);

    /// <summary>Deletes sessions that ended before the given time. Running sessions are never purged.</summary>
    /// <param name="endedBefore">Sessions with <see cref="JobSession.EndedAt"/> before this are deleted.</param>
    /// <param name="cancellationToken">Cancels the purge.</param>
    /// <returns>How many sessions were deleted.</returns>
    ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken);
}
