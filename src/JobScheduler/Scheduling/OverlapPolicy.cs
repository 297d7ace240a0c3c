namespace JobScheduler;

/// <summary>What happens when an occurrence is due while a previous run of the same job is still running.</summary>
public enum OverlapPolicy
{
    /// <summary>The new occurrence does not run; it is recorded as a <see cref="JobSessionStatus.Skipped"/> session. The default.</summary>
    Skip,

    /// <summary>At most one run waits and starts when the current run ends; further occurrences meanwhile are skipped.</summary>
    Queue,

    /// <summary>Runs start regardless of runs in progress (still bounded by <see cref="JobSchedulerOptions.MaxConcurrentRuns"/>).</summary>
    Allow,
}
