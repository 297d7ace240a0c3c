using System.Globalization;
using System.Reflection;

namespace JobScheduler.Hosting;

/// <summary>
/// A job as declared by attributes and code, before validation. Bad values are kept as problems so start-up can
/// report every one of them at once.
/// </summary>
internal sealed class JobRegistration
{
    public JobRegistration(Type jobType) => JobType = jobType;

    public Type JobType { get; }

    public string? Name { get; set; }

    public string? Cron { get; set; }

    public TimeSpan? Interval { get; set; }

    public string? TimeZone { get; set; }

    public TimeSpan? Timeout { get; set; }

    public int MaxRetries { get; set; }

    public TimeSpan RetryDelay { get; set; } = JobSchedulerDefaults.RetryDelay;

    public RetryBackoff Backoff { get; set; }

    public bool UseJitter { get; set; }

    public OverlapPolicy Overlap { get; set; }

    public MisfirePolicy Misfire { get; set; }

    public bool RunOnStartup { get; set; }

    /// <summary>Gets problems found while reading attributes, reported at start-up with the job's name.</summary>
    public List<string> Problems { get; } = [];

    /// <summary>Gets the effective name: the explicit one, else the class name.</summary>
    public string EffectiveName => Name ?? JobType.Name;

    /// <summary>Reads every JobScheduler attribute of <paramref name="jobType"/>.</summary>
    public static JobRegistration FromAttributes(Type jobType)
    {
        var registration = new JobRegistration(jobType);
        var cron = jobType.GetCustomAttribute<CronJobAttribute>(inherit: false);
        var interval = jobType.GetCustomAttribute<IntervalJobAttribute>(inherit: false);

        if (cron is not null && interval is not null)
        {
            registration.Problems.Add("has both [CronJob] and [IntervalJob]; use one schedule attribute");
        }

        if (cron is not null)
        {
            registration.Name = cron.Name;
            registration.Cron = cron.Expression;
            registration.TimeZone = cron.TimeZone;
            registration.RunOnStartup = cron.RunOnStartup;
        }
        else if (interval is not null)
        {
            registration.Name = interval.Name;
            registration.Interval = registration.ParseTimeSpan(interval.Interval, "[IntervalJob] interval");
            registration.RunOnStartup = interval.RunOnStartup;
        }

        if (jobType.GetCustomAttribute<JobTimeoutAttribute>(inherit: false) is { } timeout)
        {
            registration.Timeout = registration.ParseTimeSpan(timeout.Timeout, "[JobTimeout] timeout");
        }

        if (jobType.GetCustomAttribute<JobRetryAttribute>(inherit: false) is { } retry)
        {
            registration.MaxRetries = retry.MaxRetries;
            registration.Backoff = retry.Backoff;
            registration.UseJitter = retry.UseJitter;
            if (retry.Delay is not null)
            {
                registration.RetryDelay = registration.ParseTimeSpan(retry.Delay, "[JobRetry] delay") ?? JobSchedulerDefaults.RetryDelay;
            }
        }

        if (jobType.GetCustomAttribute<JobOverlapAttribute>(inherit: false) is { } overlap)
        {
            registration.Overlap = overlap.Policy;
        }

        if (jobType.GetCustomAttribute<JobMisfireAttribute>(inherit: false) is { } misfire)
        {
            registration.Misfire = misfire.Policy;
        }

        return registration;
    }

    /// <summary>Returns whether <paramref name="type"/> declares a schedule attribute.</summary>
    public static bool HasScheduleAttribute(Type type)
        => type.IsDefined(typeof(CronJobAttribute), inherit: false) || type.IsDefined(typeof(IntervalJobAttribute), inherit: false);

    private TimeSpan? ParseTimeSpan(string? text, string what)
    {
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Problems.Add($"{what} '{text}' is not a time span (use hh:mm:ss or d.hh:mm:ss)");
        return null;
    }
}
