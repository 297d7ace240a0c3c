namespace JobScheduler;

/// <summary>
/// Receives every attempt's start and end, after the session store has recorded them. Register any number in DI
/// (<c>services.AddSingleton&lt;IJobRunObserver, MyAlerts&gt;()</c>) to send alerts or feed dashboards.
/// </summary>
/// <remarks>Observers run on the job's run path: keep them quick. An observer that throws is logged and ignored.</remarks>
public interface IJobRunObserver
{
    /// <summary>Called after an attempt's <see cref="JobSessionStatus.Running"/> session was recorded.</summary>
    /// <param name="session">The running session.</param>
    /// <param name="cancellationToken">Cancelled when the scheduler shuts down.</param>
    /// <returns>A task that completes when the observer is done.</returns>
    ValueTask OnRunStartedAsync(JobSession session, CancellationToken cancellationToken);

    /// <summary>Called after an attempt's final session (including skipped occurrences) was recorded.</summary>
    /// <param name="session">The ended session.</param>
    /// <param name="cancellationToken">Cancelled when the scheduler shuts down.</param>
    /// <returns>A task that completes when the observer is done.</returns>
    ValueTask OnRunEndedAsync(JobSession session, CancellationToken cancellationToken);
}
