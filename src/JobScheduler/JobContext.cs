namespace JobScheduler;

/// <summary>Describes one attempt of a job run. A new context is created for every attempt.</summary>
public sealed class JobContext
{
    private Dictionary<string, string>? _metadata;

    internal JobContext(
        string jobName,
        Guid sessionId,
        DateTimeOffset scheduledAt,
        DateTimeOffset startedAt,
        int attempt,
        JobTrigger trigger,
        IServiceProvider services)
    {
        JobName = jobName;
        SessionId = sessionId;
        ScheduledAt = scheduledAt;
        StartedAt = startedAt;
        Attempt = attempt;
        Trigger = trigger;
        Services = services;
    }

    /// <summary>Gets the name of the job.</summary>
    public string JobName { get; }

    /// <summary>Gets the <see cref="JobSession.Id"/> of the session that records this attempt.</summary>
    public Guid SessionId { get; }

    /// <summary>Gets the occurrence this run belongs to (for a manual run, the time it was requested).</summary>
    public DateTimeOffset ScheduledAt { get; }

    /// <summary>Gets the time this attempt started, by the scheduler's <see cref="TimeProvider"/>.</summary>
    public DateTimeOffset StartedAt { get; }

    /// <summary>Gets the attempt number, starting at 1. Values above 1 are retries.</summary>
    public int Attempt { get; }

    /// <summary>Gets why the run was started.</summary>
    public JobTrigger Trigger { get; }

    /// <summary>Gets the service provider of the dependency-injection scope created for this attempt.</summary>
    public IServiceProvider Services { get; }

    /// <summary>
    /// Gets key/value pairs saved with the attempt's session when it ends (for example counts of processed records).
    /// </summary>
    public IDictionary<string, string> Metadata => _metadata ??= new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The metadata written by the job, or <see langword="null"/> when it wrote none (saves an allocation per run).</summary>
    internal IReadOnlyDictionary<string, string>? MetadataOrNull => _metadata;
}
