using System.Globalization;
using System.Text;
using JobScheduler.Execution;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace JobScheduler.Diagnostics;

/// <summary>
/// Reports whether the scheduler runs, which jobs are running and for how long, recent failed runs, and jobs overdue
/// against their schedule. Reads only in-process state on the scheduler's clock; never touches the session store.
/// </summary>
internal sealed class JobSchedulerHealthCheck(
    IJobScheduler scheduler,
    JobSchedulerHealthState state,
    TimeProvider time,
    JobSchedulerHealthCheckOptions options,
    IRunCoordinator? coordinator = null) : IHealthCheck
{
    // Keys of HealthCheckResult.Data; documented in docs/operations.md.
    public const string StateKey = "state";
    public const string RunningJobsKey = "runningJobs";
    public const string FailedRunsKey = "failedRuns";
    public const string FailedJobsKey = "failedJobs";
    public const string FailureWindowKey = "failureWindow";
    public const string OverdueJobsKey = "overdueJobs";
    public const string ClusterKey = "cluster";

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult(Check(context.Registration.FailureStatus));
    }

    private HealthCheckResult Check(HealthStatus failureStatus)
    {
        var now = time.GetUtcNow();
        var schedulerState = state.State;
        var running = state.GetRunning(now);
        var failedJobs = state.GetFailuresSince(now - options.FailureWindow, out var failedRuns);
        var overdue = schedulerState == JobSchedulerHealthState.SchedulerState.Running
            ? FindOverdue(now)
            : new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);

        var data = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            [StateKey] = schedulerState switch
            {
                JobSchedulerHealthState.SchedulerState.NotStarted => "not_started",
                JobSchedulerHealthState.SchedulerState.Running => "running",
                _ => "stopped",
            },
            [RunningJobsKey] = running,
            [FailedRunsKey] = failedRuns,
            [FailedJobsKey] = failedJobs,
            [FailureWindowKey] = options.FailureWindow,
            [OverdueJobsKey] = overdue,
        };
        var cluster = coordinator?.Status;
        if (cluster is { } clusterStatus)
        {
            data[ClusterKey] = clusterStatus.IsAvailable ? "connected" : "unreachable";
        }

        if (schedulerState != JobSchedulerHealthState.SchedulerState.Running)
        {
            var why = schedulerState == JobSchedulerHealthState.SchedulerState.NotStarted
                ? "The job scheduler has not started (the host has not started, or its start failed)."
                : "The job scheduler has stopped.";
            return new HealthCheckResult(failureStatus, why, data: data);
        }

        var status = HealthStatus.Healthy;
        var description = new StringBuilder();
        if (overdue.Count > 0)
        {
            status = Worst(status, failureStatus);
            Append(description, $"{overdue.Count} job(s) overdue by more than {options.OverdueTolerance} (the scheduler looks stuck): {Describe(overdue)}.");
        }

        if (cluster is { IsAvailable: false } outage)
        {
            // Degraded, not unhealthy: the process is fine and recovers by itself when the store is back; a restart would not help.
            status = Worst(status, HealthStatus.Degraded);
            Append(description, string.Create(CultureInfo.InvariantCulture,
                $"Cluster coordination unavailable since {outage.UnavailableSince:O}: this instance claims no occurrence until the store is back ({outage.Problem})."));
        }

        if (options.UnhealthyAfterFailures > 0 && failedRuns >= options.UnhealthyAfterFailures)
        {
            status = Worst(status, failureStatus);
            Append(description, FailureText(failedRuns, failedJobs, $"unhealthy from {options.UnhealthyAfterFailures}"));
        }
        else if (options.DegradedAfterFailures > 0 && failedRuns >= options.DegradedAfterFailures)
        {
            status = Worst(status, HealthStatus.Degraded);
            Append(description, FailureText(failedRuns, failedJobs, $"degraded from {options.DegradedAfterFailures}"));
        }

        if (description.Length == 0)
        {
            description.Append(CultureInfo.InvariantCulture, $"The job scheduler is running; {running.Count} job(s) running, {failedRuns} failed run(s) in the last {options.FailureWindow}.");
        }

        return new HealthCheckResult(status, description.ToString(), data: data);
    }

    private Dictionary<string, TimeSpan> FindOverdue(DateTimeOffset now)
    {
        var overdue = new Dictionary<string, TimeSpan>(StringComparer.OrdinalIgnoreCase);
        foreach (var job in scheduler.GetJobs())
        {
            // NextRunAt is null for paused, disabled and on-demand jobs.
            if (job.NextRunAt is { } next && now - next > options.OverdueTolerance)
            {
                overdue[job.Name] = now - next;
            }
        }

        return overdue;
    }

    private string FailureText(int failedRuns, Dictionary<string, int> failedJobs, string threshold)
    {
        var jobs = string.Join(", ", failedJobs.OrderBy(static j => j.Key, StringComparer.OrdinalIgnoreCase).Select(static j => $"{j.Key} ({j.Value})"));
        var atLeast = failedRuns >= JobSchedulerHealthState.FailureCapacity ? "at least " : string.Empty;
        return $"{atLeast}{failedRuns} failed run(s) in the last {options.FailureWindow} ({threshold}): {jobs}.";
    }

    private static string Describe(Dictionary<string, TimeSpan> overdue)
        => string.Join(", ", overdue.OrderBy(static j => j.Key, StringComparer.OrdinalIgnoreCase).Select(static j => $"{j.Key} (by {j.Value:c})"));

    private static void Append(StringBuilder description, string text)
    {
        if (description.Length > 0)
        {
            description.Append(' ');
        }

        description.Append(text);
    }

    // HealthStatus orders Unhealthy (0) < Degraded (1) < Healthy (2).
    private static HealthStatus Worst(HealthStatus a, HealthStatus b) => a < b ? a : b;
}
