namespace JobScheduler;

/// <summary>The state of one session (one attempt of a job run).</summary>
public enum JobSessionStatus
{
    /// <summary>The attempt has started and not ended yet.</summary>
    Running,

    /// <summary>The job returned normally.</summary>
    Succeeded,

    /// <summary>The job threw an exception; <see cref="JobSession.Error"/> holds it.</summary>
    Failed,

    /// <summary>The attempt ran longer than its timeout.</summary>
    TimedOut,

    /// <summary>The attempt was cancelled because the scheduler shut down.</summary>
    Cancelled,

    /// <summary>The occurrence did not run because of the job's <see cref="OverlapPolicy"/>.</summary>
    Skipped,

    /// <summary>The process running the attempt stopped without recording its end (crash, kill); set at the next start.</summary>
    Abandoned,
}
