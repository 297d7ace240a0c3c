namespace JobScheduler;

/// <summary>The record of one attempt of a job run, as kept by an <see cref="IJobSessionStore"/>.</summary>
public sealed record JobSession
{
    internal static readonly IReadOnlyDictionary<string, string> EmptyMetadata =
        new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(new Dictionary<string, string>());

    /// <summary>Gets the session id; equals <see cref="JobContext.SessionId"/> of the attempt.</summary>
    public required Guid Id { get; init; }

    /// <summary>Gets the job name.</summary>
    public required string JobName { get; init; }

    /// <summary>Gets why the run was started.</summary>
    public JobTrigger Trigger { get; init; }

    /// <summary>Gets the occurrence the run belongs to.</summary>
    public DateTimeOffset ScheduledAt { get; init; }

    /// <summary>Gets when the attempt started (for a skipped occurrence, when it was skipped).</summary>
    public DateTimeOffset StartedAt { get; init; }

    /// <summary>Gets when the attempt ended, or <see langword="null"/> while it is running.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary>Gets how long the attempt ran, or <see langword="null"/> while it is running.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>Gets the status.</summary>
    public JobSessionStatus Status { get; init; }

    /// <summary>Gets the attempt number, starting at 1.</summary>
    public int Attempt { get; init; } = 1;

    /// <summary>Gets the error text (exception type, message and stack trace), capped at <see cref="JobSchedulerOptions.MaxErrorLength"/>.</summary>
    public string? Error { get; init; }

    /// <summary>Gets the <see cref="JobSchedulerOptions.InstanceId"/> of the process that ran the attempt.</summary>
    public string? InstanceId { get; init; }

    /// <summary>Gets the metadata the job wrote to <see cref="JobContext.Metadata"/>.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;
}
