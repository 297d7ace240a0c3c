namespace JobScheduler.Execution;

/// <summary>Where a run is in its pipeline; the fake-clock test host reads it to know when runs have settled.</summary>
internal enum RunPhase
{
    Dispatched,
    WaitingForSlot,
    Executing,
    InJob,
    RetryDelay,
    Completed,
}
