namespace JobScheduler.Sessions;

/// <summary>
/// The values of a Running session, without the session object: what the in-memory store writes when it is read while
/// the attempt is in progress (<see cref="IDeferredStart"/>). The object would be garbage a moment later, when the
/// attempt ends and its ended session replaces it.
/// </summary>
internal readonly record struct AttemptStart(
    Guid Id,
    JobTrigger Trigger,
    DateTimeOffset ScheduledAt,
    DateTimeOffset StartedAt,
    int Attempt,
    string? InstanceId)
{
    /// <summary>Builds the Running session, for the writers that need an object (observers, other stores).</summary>
    public JobSession ToSession(string jobName) => new()
    {
        Id = Id,
        JobName = jobName,
        Trigger = Trigger,
        ScheduledAt = ScheduledAt,
        StartedAt = StartedAt,
        Status = JobSessionStatus.Running,
        Attempt = Attempt,
        InstanceId = InstanceId,
    };
}
