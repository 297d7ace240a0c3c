using JobScheduler.Hosting;

namespace JobScheduler;

/// <summary>
/// Configures one job in code: passed to <c>AddJob&lt;TJob&gt;(cron, configure)</c> at registration and to
/// <see cref="IJobScheduler.AddJob{TJob}"/> at run time. Values set here win over the class's attributes;
/// configuration (<c>JobScheduler:Jobs:{name}</c>) wins over both. Values are validated when the host starts.
/// </summary>
public sealed class JobBuilder
{
    internal JobBuilder(JobRegistration registration) => Registration = registration;

    internal JobRegistration Registration { get; }

    /// <summary>Sets the job name (default: the <c>Name</c> of its schedule attribute, else the class name).</summary>
    /// <param name="name">A unique, non-empty name.</param>
    /// <returns>This builder.</returns>
    public JobBuilder WithName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Registration.Name = name;
        return this;
    }

    /// <summary>Runs the job on a cron schedule, replacing any other schedule.</summary>
    /// <param name="cronExpression">Five fields, six with seconds first, or a macro such as <c>@daily</c>.</param>
    /// <returns>This builder.</returns>
    public JobBuilder WithCron(string cronExpression)
    {
        ArgumentNullException.ThrowIfNull(cronExpression);
        Registration.Cron = cronExpression;
        Registration.Interval = null;
        return this;
    }

    /// <summary>Runs the job at a fixed rate, replacing any other schedule.</summary>
    /// <param name="interval">A positive interval.</param>
    /// <returns>This builder.</returns>
    public JobBuilder WithInterval(TimeSpan interval)
    {
        Registration.Interval = interval;
        Registration.Cron = null;
        return this;
    }

    /// <summary>Evaluates the cron expression in a time zone (default UTC).</summary>
    /// <param name="timeZoneId">An IANA id (<c>Europe/Berlin</c>) or a Windows id.</param>
    /// <returns>This builder.</returns>
    public JobBuilder InTimeZone(string timeZoneId)
    {
        ArgumentNullException.ThrowIfNull(timeZoneId);
        Registration.TimeZone = timeZoneId;
        return this;
    }

    /// <summary>Cancels an attempt's token when it runs longer than <paramref name="timeout"/>.</summary>
    /// <param name="timeout">A positive timeout.</param>
    /// <returns>This builder.</returns>
    public JobBuilder WithTimeout(TimeSpan timeout)
    {
        Registration.Timeout = timeout;
        return this;
    }

    /// <summary>Retries failed and timed-out attempts.</summary>
    /// <param name="maxRetries">Retries after the first attempt: 3 means up to 4 attempts.</param>
    /// <param name="delay">The base delay before a retry (default 10 seconds).</param>
    /// <param name="backoff">How the delay grows.</param>
    /// <param name="useJitter">Whether delays are randomized.</param>
    /// <returns>This builder.</returns>
    public JobBuilder WithRetry(int maxRetries, TimeSpan? delay = null, RetryBackoff backoff = RetryBackoff.Constant, bool useJitter = false)
    {
        Registration.MaxRetries = maxRetries;
        Registration.RetryDelay = delay ?? JobSchedulerDefaults.RetryDelay;
        Registration.Backoff = backoff;
        Registration.UseJitter = useJitter;
        return this;
    }

    /// <summary>Sets what happens when an occurrence is due while a run is in progress.</summary>
    /// <param name="policy">The overlap policy.</param>
    /// <returns>This builder.</returns>
    public JobBuilder WithOverlap(OverlapPolicy policy)
    {
        Registration.Overlap = policy;
        return this;
    }

    /// <summary>Sets what happens to occurrences that could not fire on time.</summary>
    /// <param name="policy">The misfire policy.</param>
    /// <returns>This builder.</returns>
    public JobBuilder WithMisfire(MisfirePolicy policy)
    {
        Registration.Misfire = policy;
        return this;
    }

    /// <summary>Also runs the job once when the host starts.</summary>
    /// <param name="runOnStartup">Whether to run at start.</param>
    /// <returns>This builder.</returns>
    public JobBuilder RunOnStartup(bool runOnStartup = true)
    {
        Registration.RunOnStartup = runOnStartup;
        return this;
    }
}
