namespace JobScheduler;

/// <summary>
/// Per-job overrides from configuration (<c>JobScheduler:Jobs:{name}</c>). Every set value wins over the job's
/// attributes and code registration, so operators change a job without a build.
/// </summary>
public sealed class JobOptions
{
    /// <summary>Gets or sets a value indicating whether the job is scheduled. <value>The default value is <see langword="null"/> (enabled).</value></summary>
    public bool? Enabled { get; set; }

    /// <summary>Gets or sets a cron expression that replaces the job's schedule.</summary>
    public string? Cron { get; set; }

    /// <summary>Gets or sets a fixed-rate interval that replaces the job's schedule.</summary>
    public TimeSpan? Interval { get; set; }

    /// <summary>Gets or sets the time zone id the cron expression is evaluated in.</summary>
    public string? TimeZone { get; set; }

    /// <summary>Gets or sets the timeout of each attempt.</summary>
    public TimeSpan? Timeout { get; set; }

    /// <summary>Gets or sets how many times a failed attempt is retried.</summary>
    public int? MaxRetries { get; set; }

    /// <summary>Gets or sets the base delay between retries.</summary>
    public TimeSpan? RetryDelay { get; set; }

    /// <summary>Gets or sets the overlap policy.</summary>
    public OverlapPolicy? Overlap { get; set; }

    /// <summary>Gets or sets the misfire policy.</summary>
    public MisfirePolicy? Misfire { get; set; }
}
