namespace JobScheduler;

/// <summary>
/// Runs the job at a fixed rate: the first occurrence is one interval after the host starts, then every interval
/// after the previous occurrence (not after the previous run ended).
/// </summary>
/// <example><code>[IntervalJob("00:15:00")]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class IntervalJobAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="IntervalJobAttribute"/> class.</summary>
    /// <param name="interval">The interval as a <see cref="TimeSpan"/> string (<c>hh:mm:ss</c> or <c>d.hh:mm:ss</c>), validated when the host starts.</param>
    public IntervalJobAttribute(string interval) => Interval = interval;

    /// <summary>Gets the interval text.</summary>
    public string Interval { get; }

    /// <summary>Gets or sets the job name. <value>The default value is the class name.</value></summary>
    public string? Name { get; set; }

    /// <summary>Gets or sets a value indicating whether the job also runs once when the host starts. <value>The default value is <see langword="false"/>.</value></summary>
    public bool RunOnStartup { get; set; }
}
