namespace JobScheduler;

/// <summary>
/// Runs the job on a cron schedule, evaluated by Cronos. Five fields (<c>minute hour day month weekday</c>) or six
/// with seconds first; macros such as <c>@daily</c>, <c>@hourly</c> and <c>@every_second</c> are accepted.
/// </summary>
/// <example><code>[CronJob("0 9 * * *", Name = "sync-web-urls", TimeZone = "Europe/Berlin")]</code></example>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CronJobAttribute : Attribute
{
    /// <summary>Initializes a new instance of the <see cref="CronJobAttribute"/> class.</summary>
    /// <param name="expression">The cron expression, validated when the host starts.</param>
    public CronJobAttribute(string expression) => Expression = expression;

    /// <summary>Gets the cron expression.</summary>
    public string Expression { get; }

    /// <summary>Gets or sets the job name. <value>The default value is the class name.</value></summary>
    public string? Name { get; set; }

    /// <summary>
    /// Gets or sets the time zone the expression is evaluated in, as an IANA id (<c>Europe/Berlin</c>) or a Windows id.
    /// <value>The default value is UTC.</value>
    /// </summary>
    public string? TimeZone { get; set; }

    /// <summary>Gets or sets a value indicating whether the job also runs once when the host starts. <value>The default value is <see langword="false"/>.</value></summary>
    public bool RunOnStartup { get; set; }
}
