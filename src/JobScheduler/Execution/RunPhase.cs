namespace JobScheduler.Execution;

/// <summary>Where a run is in its pipeline; the fake-clock test host reads it to know when runs have settled.</summary>
internal enum RunPhase
{
    /// <summary>Cluster mode: claiming the occurrence in the store (real I/O, not settled).</summary>
    Claiming,
    Dispatched,
    /// <summary>Cluster mode: queued behind a run on another instance, asking again for the lease on the scheduler's clock.</summary>
    WaitingForLease,
    WaitingForSlot,
    Executing,
    InJob,
    RetryDelay,
    Completed,
}
