namespace JobScheduler;

/// <summary>What happens to occurrences that passed while they could not fire (process down, clock jump, long stall).</summary>
public enum MisfirePolicy
{
    /// <summary>Missed occurrences are dropped; the schedule resumes with the next one. The default.</summary>
    Skip,

    /// <summary>One run with trigger <see cref="JobTrigger.CatchUp"/> replaces all missed occurrences.</summary>
    RunOnce,
}
