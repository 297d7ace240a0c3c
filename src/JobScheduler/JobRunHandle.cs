namespace JobScheduler;

/// <summary>A run started by <see cref="IJobScheduler.TriggerAsync"/>.</summary>
public sealed class JobRunHandle
{
    internal JobRunHandle(Guid sessionId, Task<JobSession> completion)
    {
        SessionId = sessionId;
        Completion = completion;
    }

    /// <summary>Gets the id of the run's first session (its first attempt, or its skipped record).</summary>
    public Guid SessionId { get; }

    /// <summary>Gets a task that completes with the run's last session once no attempt remains.</summary>
    public Task<JobSession> Completion { get; }
}
