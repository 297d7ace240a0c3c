namespace JobScheduler;

/// <summary>
/// Retries a failed or timed-out attempt. <c>[JobRetry(3)]</c> means up to four attempts; each is its own session.
/// </summary>
/// <example><code>[JobRetry(3, Delay = "00:00:10", Backoff = RetryBackoff.Exponential)]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class JobRetryAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="JobRetryAttribute"/> class.</summary>
    /// <param name="maxRetries">How many times to retry after the first attempt; zero or more.</param>
    public JobRetryAttribute(int maxRetries) => MaxRetries = maxRetries;

    /// <summary>Gets how many times a failed attempt is retried.</summary>
    public int MaxRetries { get; }

    /// <summary>Gets or sets the base delay before a retry, as a <see cref="TimeSpan"/> string. <value>The default value is <c>00:00:10</c>.</value></summary>
    public string? Delay { get; set; }

    /// <summary>Gets or sets how the delay grows between retries. <value>The default value is <see cref="RetryBackoff.Constant"/>.</value></summary>
    public RetryBackoff Backoff { get; set; }

    /// <summary>Gets or sets a value indicating whether delays are randomized to spread retries out. <value>The default value is <see langword="false"/>.</value></summary>
    public bool UseJitter { get; set; }
}
