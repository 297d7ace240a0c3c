namespace JobScheduler.Scheduling;

/// <summary>A validated job: everything the engine needs, with attributes, code and configuration merged.</summary>
internal sealed record JobDefinition
{
    public required string Name { get; init; }

    public required Type JobType { get; init; }

    /// <summary>Gets the schedule, or <see langword="null"/> for an on-demand job.</summary>
    public JobSchedule? Schedule { get; init; }

    public required string TimeZoneId { get; init; }

    public TimeSpan? Timeout { get; init; }

    public int MaxRetries { get; init; }

    public TimeSpan RetryDelay { get; init; }

    public RetryBackoff Backoff { get; init; }

    public bool UseJitter { get; init; }

    public OverlapPolicy Overlap { get; init; }

    public MisfirePolicy Misfire { get; init; }

    public bool RunOnStartup { get; init; }

    public bool Enabled { get; init; } = true;
}
