using System.ComponentModel.DataAnnotations;
using JobScheduler.PostgreSql.Hosting;

namespace JobScheduler;

/// <summary>
/// Options of cluster mode (<c>UseClustering</c>): how often an instance proves it is alive, and how long the others
/// wait before they treat it as dead and take over its work. Validated at host start.
/// </summary>
/// <remarks>
/// Every time in the cluster tables is written by the instance's own clock (its <see cref="TimeProvider"/>), so two
/// instances whose clocks differ by <em>s</em> see each other's heartbeats <em>s</em> older or younger than they are.
/// Keep <see cref="InstanceTimeout"/> larger than <see cref="HeartbeatInterval"/> plus the worst clock skew between
/// replicas; the defaults (5 s and 30 s) tolerate 25 s of skew. See docs/clustering.md.
/// </remarks>
public sealed class PostgreSqlClusterOptions
{
    /// <summary>Gets or sets how often the instance renews its registration and the leases of its runs, and looks for dead instances.</summary>
    /// <value>Between 100 ms and 1 hour. The default value is 5 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.1", "01:00:00")]
    public TimeSpan HeartbeatInterval { get; set; } = PostgreSqlClusterDefaults.HeartbeatInterval;

    /// <summary>
    /// Gets or sets how long after its last heartbeat an instance counts as dead: its leases expire, its Running sessions
    /// become <see cref="JobSessionStatus.Abandoned"/>, and its unfinished <see cref="MisfirePolicy.RunOnce"/> runs are run
    /// again by a live instance (see <see cref="MaxTakeovers"/>).
    /// </summary>
    /// <value>At least twice <see cref="HeartbeatInterval"/>, at most 1 day. The default value is 30 seconds.</value>
    [Range(typeof(TimeSpan), "00:00:00.2", "1.00:00:00")]
    public TimeSpan InstanceTimeout { get; set; } = PostgreSqlClusterDefaults.InstanceTimeout;

    /// <summary>
    /// Gets or sets how often a run queued behind a run on another instance (<see cref="OverlapPolicy.Queue"/>) checks
    /// whether the lease was handed to it.
    /// </summary>
    /// <value>Between 10 ms and 1 minute. The default value is 1 second.</value>
    [Range(typeof(TimeSpan), "00:00:00.01", "00:01:00")]
    public TimeSpan LeasePollInterval { get; set; } = PostgreSqlClusterDefaults.LeasePollInterval;

    /// <summary>
    /// Gets or sets how many times one occurrence of a <see cref="MisfirePolicy.RunOnce"/> job is taken over from a dead
    /// instance and run again. Every takeover counts, including one whose instance died again before the new run started:
    /// a process killed by its own job may die before it records anything.
    /// </summary>
    /// <value>
    /// Between 0 (never run an abandoned occurrence again) and 10. The default value is 3: an occurrence survives its
    /// instance being killed twice more while it runs again, yet a job that crashes its own process takes down at most
    /// three more instances, not the whole cluster in turn.
    /// </value>
    [Range(0, 10)]
    public int MaxTakeovers { get; set; } = PostgreSqlClusterDefaults.MaxTakeovers;

    /// <summary>Gets or sets how long a finished occurrence claim is kept before it is deleted.</summary>
    /// <value>
    /// Between 1 hour and 365 days; it must outlast the clock skew between replicas and their misfire threshold, so an
    /// instance with a late clock still finds the claim of an occurrence another instance ran. The default value is 1 day.
    /// </value>
    [Range(typeof(TimeSpan), "01:00:00", "365.00:00:00")]
    public TimeSpan ClaimRetention { get; set; } = PostgreSqlClusterDefaults.ClaimRetention;
}
