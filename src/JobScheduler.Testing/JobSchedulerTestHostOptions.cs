namespace JobScheduler.Testing;

/// <summary>Options of a <see cref="JobSchedulerTestHost"/>.</summary>
public sealed class JobSchedulerTestHostOptions
{
    /// <summary>Gets or sets the fake clock's start time. <value>The default value is 2026-01-01T00:00:00Z.</value></summary>
    public DateTimeOffset StartTime { get; set; } = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Gets or sets how long, in real time, the host waits for runs to settle before it fails with the name of the job
    /// that is still busy (a job blocked on something other than the fake clock).
    /// <value>The default value is 30 seconds.</value>
    /// </summary>
    public TimeSpan SettleTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets configuration values for the host, for example <c>["JobScheduler:Jobs:report:Enabled"] = "false"</c>.</summary>
    public IDictionary<string, string?> Configuration { get; } = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
}
