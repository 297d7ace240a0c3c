using System.Collections.Concurrent;
using JobScheduler.Execution;
using JobScheduler.PostgreSql.Diagnostics;
using JobScheduler.PostgreSql.Sessions;
using JobScheduler.PostgreSql.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using static JobScheduler.PostgreSql.Cluster.ClusterDb;

namespace JobScheduler.PostgreSql.Cluster;

/// <summary>
/// Cluster mode on PostgreSQL: claims occurrences with a unique row, keeps each job's overlap lease, and, on a
/// heartbeat timer on the scheduler's clock, keeps this instance registered and takes over the work of dead instances.
/// Any failure to reach the store makes coordination unavailable: no occurrence is claimed, so none runs uncoordinated.
/// </summary>
internal sealed class PostgreSqlRunCoordinator : IRunCoordinator, IAsyncDisposable
{
    private const int MaxFinishesPerWrite = 1000;

    private readonly PostgreSqlJobSessionStore _store;
    private readonly NpgsqlDataSource _dataSource;
    private readonly ClusterSql _sql;
    private readonly PostgreSqlClusterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly InstanceMembership _membership;
    private readonly SemaphoreSlim _joining = new(1, 1);
    private readonly ConcurrentDictionary<Guid, string> _heldLeases = new();
    private readonly ConcurrentQueue<(string JobName, DateTimeOffset Occurrence, Guid RunId)> _finishes = new();
    private readonly Lock _statusLock = new();
    private CoordinationStatus _status = new(true, null, null);
    private ICoordinatedScheduler? _scheduler;
    private ITimer? _heartbeat;
    private Task _beat = Task.CompletedTask;
    private DateTimeOffset _lastPurge = DateTimeOffset.MinValue;
    private int _busy;
    private int _flushing;
    private volatile bool _stopping;

    public PostgreSqlRunCoordinator(
        IJobSessionStore store,
        IOptions<PostgreSqlClusterOptions> options,
        IOptions<JobSchedulerOptions> schedulerOptions,
        TimeProvider? time = null,
        ILogger<PostgreSqlRunCoordinator>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(schedulerOptions);
        _store = store as PostgreSqlJobSessionStore ?? throw new InvalidOperationException(
            $"UseClustering() coordinates the instances through the PostgreSQL store, but the session store is {store?.GetType().FullName ?? "missing"}: " +
            "call UsePostgreSqlStore(connectionString) on the same builder as well.");
        _dataSource = _store.DataSource;
        _sql = new ClusterSql(_store.Schema);
        _options = options.Value;
        _time = time ?? TimeProvider.System;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _membership = new InstanceMembership(_dataSource, _sql, schedulerOptions.Value.InstanceId, _options, _time, _logger);
    }

    public TimeSpan LeasePollInterval => _options.LeasePollInterval;

    public CoordinationStatus Status
    {
        get
        {
            lock (_statusLock)
            {
                return _status;
            }
        }
    }

    public async Task StartAsync(ICoordinatedScheduler scheduler, CancellationToken cancellationToken)
    {
        _scheduler = scheduler;
        try
        {
            await EnsureJoinedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            MarkUnavailable(ex); // not fatal: the heartbeat keeps trying, and claims wait for it
        }

        using (ExecutionContext.SuppressFlow())
        {
            _heartbeat = _time.CreateTimer(static s => ((PostgreSqlRunCoordinator)s!).OnHeartbeat(), this, _options.HeartbeatInterval, Timeout.InfiniteTimeSpan);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        await StopHeartbeatAsync().ConfigureAwait(false);
        try
        {
            await FlushFinishesAsync(cancellationToken).ConfigureAwait(false);
            await _membership.LeaveAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not fatal: the others see this instance's row expire and close what it left.
            MarkUnavailable(ex);
        }
    }

    public async ValueTask<ClaimOutcome> ClaimAsync(string jobName, DateTimeOffset occurrence, Guid runId, CancellationToken cancellationToken)
    {
        try
        {
            await EnsureJoinedAsync(cancellationToken).ConfigureAwait(false);
            var holder = await PooledConnection.RunAsync(_dataSource, async (connection, ct) =>
            {
                // Replay-safe (PooledConnection retries a dead pooled connection): the claim reports the run that holds it.
                using var claim = Command(_sql.Claim, connection, null, Text(jobName), Time(occurrence), Text(_membership.InstanceId), Id(runId), Time(_time.GetUtcNow()));
                return await claim.ExecuteScalarAsync(ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            MarkAvailable();
            return holder is Guid id && id == runId ? ClaimOutcome.Won : ClaimOutcome.Lost;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            MarkUnavailable(ex);
            return ClaimOutcome.Unavailable;
        }
    }

    public void Finish(string jobName, DateTimeOffset occurrence, Guid runId)
    {
        _finishes.Enqueue((jobName, occurrence, runId));
        if (Interlocked.CompareExchange(ref _flushing, 1, 0) == 0)
        {
            Interlocked.Increment(ref _busy);
            _ = FlushInBackgroundAsync();
        }
    }

    public async ValueTask<LeaseOutcome> AcquireLeaseAsync(string jobName, Guid runId, bool queue, CancellationToken cancellationToken)
    {
        try
        {
            // A lease released between the two statements is retried at once; more than a few rounds means heavy contention.
            for (var round = 0; round < 3; round++)
            {
                var now = _time.GetUtcNow();
                var expires = now + _options.InstanceTimeout;
                var (acquired, queued, held) = await PooledConnection.RunAsync(_dataSource, async (connection, ct) =>
                {
                    using (var acquire = Command(_sql.AcquireLease, connection, null, Text(jobName), Id(runId), Text(_membership.InstanceId), Time(now), Time(expires)))
                    {
                        if (await acquire.ExecuteScalarAsync(ct).ConfigureAwait(false) is Guid)
                        {
                            return (true, false, true);
                        }
                    }

                    if (!queue)
                    {
                        return (false, false, true);
                    }

                    using var enqueue = Command(_sql.QueueForLease, connection, null, Text(jobName), Id(runId), Text(_membership.InstanceId), Time(now), Time(expires));
                    var reader = await enqueue.ExecuteReaderAsync(ct).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        await reader.ReadAsync(ct).ConfigureAwait(false);
                        return (false, reader.GetInt64(0) > 0, reader.GetBoolean(1));
                    }
                }, cancellationToken).ConfigureAwait(false);

                MarkAvailable();
                if (acquired)
                {
                    _heldLeases[runId] = jobName;
                    return LeaseOutcome.Acquired;
                }

                if (queued)
                {
                    return LeaseOutcome.Queued;
                }

                if (held)
                {
                    return LeaseOutcome.HeldElsewhere;
                }
            }

            return LeaseOutcome.HeldElsewhere;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            MarkUnavailable(ex);
            return LeaseOutcome.Unavailable;
        }
    }

    public async ValueTask ReleaseLeaseAsync(string jobName, Guid runId)
    {
        // No longer renewed from here on: if the release below fails, the lease expires by itself.
        _heldLeases.TryRemove(runId, out _);
        try
        {
            var now = _time.GetUtcNow();
            await PooledConnection.RunAsync(_dataSource, async (connection, ct) =>
            {
                var batch = new NpgsqlBatch(connection);
                await using (batch.ConfigureAwait(false))
                {
                    batch.BatchCommands.Add(BatchCommand(_sql.HandOverLease, Text(jobName), Id(runId), Time(now), Time(now + _options.InstanceTimeout)));
                    batch.BatchCommands.Add(BatchCommand(_sql.DeleteLease, Text(jobName), Id(runId)));
                    return await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            Log.LeaseReleaseFailedMessage(_logger, ex, jobName, _options.InstanceTimeout);
            MarkUnavailable(ex);
        }
    }

    public bool IsSettled(out string? busy)
    {
        busy = Volatile.Read(ref _busy) > 0 ? "the cluster coordinator is talking to PostgreSQL (heartbeat or claim bookkeeping)" : null;
        return busy is null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopHeartbeatAsync().ConfigureAwait(false);
        _joining.Dispose();
    }

    private async Task StopHeartbeatAsync()
    {
        _stopping = true;
        _heartbeat?.Dispose();
        await _beat.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void OnHeartbeat()
    {
        if (_stopping)
        {
            return;
        }

        // Counted before the work starts, on the timer's thread, so the fake-clock test host waits for the whole beat.
        Interlocked.Increment(ref _busy);
        _beat = BeatAsync();
    }

    /// <summary>One heartbeat: stay registered (or join again), renew leases, retry finished claims, take over the dead.</summary>
    private async Task BeatAsync()
    {
        try
        {
            if (_membership.IsJoined)
            {
                await _membership.HeartbeatAsync([.. _heldLeases.Keys], CancellationToken.None).ConfigureAwait(false);
            }

            await EnsureJoinedAsync(CancellationToken.None).ConfigureAwait(false);
            await FlushFinishesAsync(CancellationToken.None).ConfigureAwait(false);
            Report(await _membership.SweepAsync(_scheduler!.JobsThatRerunAbandonedRuns(), CancellationToken.None).ConfigureAwait(false));
            await PurgeClaimsIfDueAsync().ConfigureAwait(false);
            MarkAvailable();
        }
        catch (Exception ex)
        {
            MarkUnavailable(ex);
        }
        finally
        {
            if (!_stopping)
            {
                try
                {
                    _heartbeat?.Change(_options.HeartbeatInterval, Timeout.InfiniteTimeSpan);
                }
                catch (ObjectDisposedException)
                {
                    // Stopped meanwhile.
                }
            }

            Interlocked.Decrement(ref _busy);
            _scheduler?.NotifyChanged();
        }
    }

    /// <summary>Joins the cluster once (and again after being presumed dead), serialised between heartbeats and claims.</summary>
    private async Task EnsureJoinedAsync(CancellationToken cancellationToken)
    {
        if (_membership.IsJoined)
        {
            return;
        }

        Takeover taken;
        await _joining.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_membership.IsJoined)
            {
                return;
            }

            await _store.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
            taken = await _membership.JoinAsync(_scheduler!.JobsThatRerunAbandonedRuns(), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _joining.Release();
        }

        Report(taken);
    }

    private void Report(Takeover taken)
    {
        if (taken.Abandoned.Count > 0)
        {
            _scheduler!.SessionsAbandoned(taken.Abandoned);
        }

        foreach (var (jobName, occurrence, runId) in taken.Runs)
        {
            _scheduler!.RunTakenOver(jobName, occurrence, runId);
        }
    }

    private async Task FlushInBackgroundAsync()
    {
        try
        {
            await FlushFinishesAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            MarkUnavailable(ex); // the finishes stay queued; the next heartbeat writes them
        }
        finally
        {
            Volatile.Write(ref _flushing, 0);
            Interlocked.Decrement(ref _busy);
            _scheduler?.NotifyChanged();
        }
    }

    /// <summary>Writes the queued claim ends in batches; on failure puts them back for the next try.</summary>
    private async Task FlushFinishesAsync(CancellationToken cancellationToken)
    {
        while (!_finishes.IsEmpty)
        {
            List<(string JobName, DateTimeOffset Occurrence, Guid RunId)> batch = [];
            while (batch.Count < MaxFinishesPerWrite && _finishes.TryDequeue(out var finish))
            {
                batch.Add(finish);
            }

            try
            {
                var now = _time.GetUtcNow();
                await PooledConnection.RunAsync(_dataSource, async (connection, ct) =>
                {
                    using var finish = Command(
                        _sql.Finish,
                        connection,
                        null,
                        Texts([.. batch.Select(static f => f.JobName)]),
                        Times([.. batch.Select(static f => f.Occurrence.ToUniversalTime())]),
                        Ids([.. batch.Select(static f => f.RunId)]),
                        Time(now));
                    return await finish.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                foreach (var finish in batch)
                {
                    _finishes.Enqueue(finish);
                }

                throw;
            }
        }
    }

    private async Task PurgeClaimsIfDueAsync()
    {
        // Hourly is plenty: the retention is an hour at least, and claims are small rows.
        var now = _time.GetUtcNow();
        if (now - _lastPurge < TimeSpan.FromHours(1))
        {
            return;
        }

        var cutoff = now - _options.ClaimRetention;
        var purged = await PooledConnection.RunAsync(_dataSource, async (connection, ct) =>
        {
            using var purge = Command(_sql.PurgeClaims, connection, null, Time(cutoff));
            return await purge.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, CancellationToken.None).ConfigureAwait(false);
        _lastPurge = now;
        if (purged > 0)
        {
            Log.ClaimsPurgedMessage(_logger, purged, cutoff);
        }
    }

    private void MarkAvailable()
    {
        TimeSpan outage;
        lock (_statusLock)
        {
            if (_status.IsAvailable)
            {
                return;
            }

            outage = _time.GetUtcNow() - _status.UnavailableSince!.Value;
            _status = new CoordinationStatus(true, null, null);
        }

        Log.CoordinationRestoredMessage(_logger, outage, _membership.InstanceId);
        _scheduler?.CoordinationRestored();
    }

    private void MarkUnavailable(Exception exception)
    {
        lock (_statusLock)
        {
            var firstFailure = _status.IsAvailable;
            _status = new CoordinationStatus(false, _status.UnavailableSince ?? _time.GetUtcNow(), exception.Message);
            if (!firstFailure)
            {
                return;
            }
        }

        Log.CoordinationUnavailableMessage(_logger, exception, _membership.InstanceId);
    }
}
