namespace JobScheduler;

/// <summary>
/// Cancels the job's token when an attempt runs longer than the timeout; the attempt is recorded
/// <see cref="JobSessionStatus.TimedOut"/>.
/// </summary>
/// <example><code>[JobTimeout("00:05:00")]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class JobTimeoutAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="JobTimeoutAttribute"/> class.</summary>
    /// <param name="timeout">The timeout as a <see cref="TimeSpan"/> string, validated (positive) when the host starts.</param>
    public JobTimeoutAttribute(string timeout) => Timeout = timeout;

    /// <summary>Gets the timeout text.</summary>
    public string Timeout { get; }
}
