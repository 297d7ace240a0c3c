using System.ComponentModel.DataAnnotations;
using JobScheduler.Hosting;

namespace JobScheduler;

/// <summary>
/// Options of the scheduler, set with <c>Configure(...)</c> and bound from the <c>JobScheduler</c> configuration
/// section. Validated when the host starts.
/// </summary>
/// <remarks>
/// Each occurrence passes, in order: the job's overlap policy → the global <see cref="MaxConcurrentRuns"/> gate →
/// for each attempt: a new DI scope, a <see cref="JobSessionStatus.Running"/> session, the job under its timeout,
/// the recorded end → retry after backoff while attempts remain.
/// </remarks>
public sealed class JobSchedulerOptions
{
    /// <summary>Gets or sets how many runs may execute at once across all jobs; further runs wait in arrival order. <value>The default value is 32.</value></summary>
    [Range(1, 100_000)]
    public int MaxConcurrentRuns { get; set; } = JobSchedulerDefaults.MaxConcurrentRuns;

    /// <summary>
    /// Gets or sets how long a shutdown waits for running jobs before it cancels their tokens. Keep it below the
    /// host's <c>HostOptions.ShutdownTimeout</c> (30 s by default).
    /// <value>The default value is 15 seconds.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ShutdownGracePeriod { get; set; } = JobSchedulerDefaults.ShutdownGracePeriod;

    /// <summary>
    /// Gets or sets the name of this process in sessions; a restarted process marks the sessions its predecessor
    /// left <see cref="JobSessionStatus.Running"/> as <see cref="JobSessionStatus.Abandoned"/>.
    /// <value>The default value is the machine name.</value>
    /// </summary>
    [Required(AllowEmptyStrings = false)]
    public string InstanceId { get; set; } = Environment.MachineName;

    /// <summary>
    /// Gets or sets the longest single timer wait; the scheduler wakes at least this often, so a wall clock that jumps
    /// forward is noticed.
    /// <value>The default value is 1 minute.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxTimerWait { get; set; } = JobSchedulerDefaults.MaxTimerWait;

    /// <summary>
    /// Gets or sets how late an occurrence may fire and still count as on time. Later occurrences (after a clock jump
    /// or a long stall) are misfires, handled by the job's <see cref="MisfirePolicy"/>.
    /// <value>The default value is 1 minute.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan MisfireThreshold { get; set; } = JobSchedulerDefaults.MisfireThreshold;

    /// <summary>Gets or sets the maximum length of <see cref="JobSession.Error"/>; longer texts are cut. <value>The default value is 4096.</value></summary>
    [Range(JobSchedulerDefaults.MinErrorLength, 1_000_000)]
    public int MaxErrorLength { get; set; } = JobSchedulerDefaults.MaxErrorLength;

    /// <summary>
    /// Gets or sets how long a session store write may take before the job goes on without it; the write is then queued
    /// and retried in the background.
    /// <value>The default value is 5 seconds.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan StoreWriteTimeout { get; set; } = JobSchedulerDefaults.StoreWriteTimeout;

    /// <summary>
    /// Gets or sets how many session writes are kept while the store is failing; beyond it the oldest are dropped and
    /// counted in the log.
    /// <value>The default value is 10,000.</value>
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxBufferedWrites { get; set; } = JobSchedulerDefaults.MaxBufferedWrites;

    /// <summary>
    /// Gets or sets how long ended sessions are kept; older ones are purged in the background on the scheduler's clock.
    /// <value>The default value is <see langword="null"/>: sessions are kept until the store's own bound.</value>
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "36500.00:00:00")]
    public TimeSpan? SessionRetention { get; set; }

    /// <summary>
    /// Gets or sets how many ended sessions are kept per job, in stores that implement <see cref="IJobSessionRetention"/>;
    /// older ones are purged in the background.
    /// <value>The default value is <see langword="null"/>: no count limit.</value>
    /// </summary>
    [Range(1, int.MaxValue)]
    public int? MaxSessionsPerJob { get; set; }

    /// <summary>
    /// Gets per-job overrides keyed by job name (case-insensitive), bound from <c>JobScheduler:Jobs</c>. A key that names
    /// no registered job fails validation.
    /// </summary>
    public IDictionary<string, JobOptions> Jobs { get; } = new Dictionary<string, JobOptions>(StringComparer.OrdinalIgnoreCase);
}
