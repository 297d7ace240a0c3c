namespace JobScheduler.Execution;

/// <summary>
/// Coordinates the scheduler instances that share one store (cluster mode): who runs an occurrence, who holds a job's
/// overlap lock, and who takes over the work of an instance that died.
/// </summary>
/// <remarks>
/// Internal on purpose: its one implementation is JobScheduler.PostgreSql's, which ships in lock-step with this
/// package. It becomes public once a second store shows which shape fits more than one database.
/// </remarks>
internal interface IRunCoordinator
{
    /// <summary>Gets how often a run queued behind a run elsewhere asks again for the lease.</summary>
    TimeSpan LeasePollInterval { get; }

    /// <summary>Gets whether coordination works now, and since when it has not, for logs and health.</summary>
    CoordinationStatus Status { get; }

    /// <summary>
    /// Joins the cluster: registers the instance, takes over the unfinished work of this instance's previous process,
    /// and starts the heartbeat. Never throws for an unreachable store: it keeps trying, and claims wait for it.
    /// </summary>
    Task StartAsync(ICoordinatedScheduler scheduler, CancellationToken cancellationToken);

    /// <summary>Leaves the cluster cleanly: finishes the pending claim writes, releases leases, deregisters.</summary>
    Task StopAsync(CancellationToken cancellationToken);

    /// <summary>Claims an occurrence of a job for this instance; only the winner runs it.</summary>
    ValueTask<ClaimOutcome> ClaimAsync(string jobName, DateTimeOffset occurrence, Guid runId, CancellationToken cancellationToken);

    /// <summary>Marks a claimed run as finished (whatever its outcome), so nobody takes it over. Never throws.</summary>
    void Finish(string jobName, DateTimeOffset occurrence, Guid runId);

    /// <summary>Takes the job's overlap lease for a run, or queues for it (<see cref="OverlapPolicy.Queue"/>).</summary>
    ValueTask<LeaseOutcome> AcquireLeaseAsync(string jobName, Guid runId, bool queue, CancellationToken cancellationToken);

    /// <summary>Releases the lease, handing it to the run queued for it, if any. Never throws: a lease not released expires.</summary>
    ValueTask ReleaseLeaseAsync(string jobName, Guid runId);

    /// <summary>Returns whether no coordination work is in flight, for the fake-clock test host; otherwise describes it.</summary>
    bool IsSettled(out string? busy);
}

/// <summary>What the coordinator needs from the scheduler it coordinates.</summary>
internal interface ICoordinatedScheduler
{
    /// <summary>Returns the jobs that run an occurrence again when the instance running it died (<see cref="MisfirePolicy.RunOnce"/>).</summary>
    string[] JobsThatRerunAbandonedRuns();

    /// <summary>
    /// Reports sessions the coordinator already stored as <see cref="JobSessionStatus.Abandoned"/> (a dead instance's
    /// runs), so metrics and run observers count them as the scheduler's own abandoned sessions are counted.
    /// </summary>
    void SessionsAbandoned(IReadOnlyList<JobSession> sessions);

    /// <summary>Runs an occurrence whose claim this instance took over from a dead one.</summary>
    void RunTakenOver(string jobName, DateTimeOffset occurrence, Guid runId);

    /// <summary>Coordination works again after an outage: occurrences that could not be claimed meanwhile get their catch-up.</summary>
    void CoordinationRestored();

    /// <summary>Tells the fake-clock test host that coordination work finished.</summary>
    void NotifyChanged();
}

/// <summary>The result of <see cref="IRunCoordinator.ClaimAsync"/>.</summary>
internal enum ClaimOutcome
{
    /// <summary>This instance runs the occurrence.</summary>
    Won,

    /// <summary>Another instance claimed it first.</summary>
    Lost,

    /// <summary>The store cannot be reached: nobody may run it without coordination.</summary>
    Unavailable,
}

/// <summary>The result of <see cref="IRunCoordinator.AcquireLeaseAsync"/>.</summary>
internal enum LeaseOutcome
{
    /// <summary>The run holds the lease.</summary>
    Acquired,

    /// <summary>The run is next in line; ask again after <see cref="IRunCoordinator.LeasePollInterval"/>.</summary>
    Queued,

    /// <summary>A run elsewhere holds the lease (and, when queueing, another run is already next in line).</summary>
    HeldElsewhere,

    /// <summary>The store cannot be reached.</summary>
    Unavailable,
}

/// <summary>Whether coordination works, and since when it has not.</summary>
/// <param name="IsAvailable">Whether the last exchange with the store succeeded.</param>
/// <param name="UnavailableSince">When coordination first failed in the current outage.</param>
/// <param name="Problem">The last error, for logs and health.</param>
internal readonly record struct CoordinationStatus(bool IsAvailable, DateTimeOffset? UnavailableSince, string? Problem);
