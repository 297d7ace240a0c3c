using System.ComponentModel.DataAnnotations;
using JobScheduler.Diagnostics;
using JobScheduler.Hosting;

namespace JobScheduler;

/// <summary>
/// Thresholds of the job scheduler health check added by
/// <see cref="JobSchedulerHealthChecksBuilderExtensions.AddJobScheduler"/>. Validated when the host starts.
/// </summary>
/// <remarks>
/// The check reports the registration's failure status (<see cref="Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy"/>
/// by default) when the scheduler is not running, when a job is overdue by more than <see cref="OverdueTolerance"/>, or
/// when at least <see cref="UnhealthyAfterFailures"/> runs failed within <see cref="FailureWindow"/>;
/// <see cref="Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded"/> when at least
/// <see cref="DegradedAfterFailures"/> runs failed within the window; otherwise
/// <see cref="Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy"/>. A failed run is one whose last
/// attempt ended <see cref="JobSessionStatus.Failed"/> or <see cref="JobSessionStatus.TimedOut"/>: an attempt that a
/// retry then made good does not count.
/// </remarks>
public sealed class JobSchedulerHealthCheckOptions
{
    /// <summary>
    /// Gets or sets how far back failed runs count; the check reads them from memory, never from the session store.
    /// <value>The default value is 1 hour.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan FailureWindow { get; set; } = JobSchedulerDefaults.HealthFailureWindow;

    /// <summary>
    /// Gets or sets how many failed runs within <see cref="FailureWindow"/> make the check report
    /// <see cref="Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded"/>; 0 turns this off.
    /// <value>The default value is 1.</value>
    /// </summary>
    [Range(0, JobSchedulerHealthState.FailureCapacity)]
    public int DegradedAfterFailures { get; set; } = JobSchedulerDefaults.HealthDegradedAfterFailures;

    /// <summary>
    /// Gets or sets how many failed runs within <see cref="FailureWindow"/> make the check report the registration's
    /// failure status (<see cref="Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy"/> by default);
    /// 0 turns this off. When both thresholds are set, it must not be below <see cref="DegradedAfterFailures"/>.
    /// <value>The default value is 5.</value>
    /// </summary>
    [Range(0, JobSchedulerHealthState.FailureCapacity)]
    public int UnhealthyAfterFailures { get; set; } = JobSchedulerDefaults.HealthUnhealthyAfterFailures;

    /// <summary>
    /// Gets or sets how long past its next run time an enabled, unpaused job may still be waiting before it counts as
    /// overdue. The scheduler moves a job's next run time on as soon as an occurrence fires (even a skipped one), so
    /// an overdue job means the scheduler itself is stuck; the check then reports the registration's failure status.
    /// <value>The default value is 1 minute.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan OverdueTolerance { get; set; } = JobSchedulerDefaults.HealthOverdueTolerance;
}
