namespace JobScheduler;

/// <summary>Filters for <see cref="IJobSessionStore.QueryAsync"/>. Unset filters match everything.</summary>
public sealed record JobSessionQuery
{
    /// <summary>Gets the job name to match exactly, or <see langword="null"/> for every job.</summary>
    public string? JobName { get; init; }

    /// <summary>Gets the status to match, or <see langword="null"/> for every status.</summary>
    public JobSessionStatus? Status { get; init; }

    /// <summary>Gets the earliest <see cref="JobSession.StartedAt"/> to include, or <see langword="null"/> for no lower bound.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Gets the maximum number of sessions to return. <value>The default value is 100.</value></summary>
    public int Limit { get; init; } = 100;
}
