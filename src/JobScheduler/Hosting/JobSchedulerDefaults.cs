namespace JobScheduler.Hosting;

/// <summary>The one home of every default value; <c>JobSchedulerDefaultsTests</c> pins them.</summary>
internal static class JobSchedulerDefaults
{
    public const string ConfigurationSection = "JobScheduler";
    public const int MaxConcurrentRuns = 32;
    public const int MaxErrorLength = 4096;
    public const int MinErrorLength = 256;
    public static readonly TimeSpan ShutdownGracePeriod = TimeSpan.FromSeconds(15);
    public static readonly TimeSpan MaxTimerWait = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan MisfireThreshold = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(10);
    public const string TimeZoneId = "UTC";
    public const int MaxBufferedWrites = 10_000;
    public static readonly TimeSpan StoreWriteTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan RetentionSweepInterval = TimeSpan.FromHours(1);

    // Health check (JobSchedulerHealthCheckOptions).
    public const string HealthCheckName = "jobscheduler";
    public static readonly TimeSpan HealthFailureWindow = TimeSpan.FromHours(1);
    public const int HealthDegradedAfterFailures = 1;
    public const int HealthUnhealthyAfterFailures = 5;
    public static readonly TimeSpan HealthOverdueTolerance = TimeSpan.FromMinutes(1);
}
