using JobScheduler.PostgreSql.Diagnostics;
using JobScheduler.PostgreSql.Sessions;
using Microsoft.Extensions.Logging;
using Npgsql;
using static JobScheduler.PostgreSql.Cluster.ClusterDb;

namespace JobScheduler.PostgreSql.Cluster;

/// <summary>
/// This instance's row in the <c>instances</c> table: joining (and taking over what this instance's previous process
/// left), the heartbeat that keeps the row and the instance's leases alive, finding dead instances and taking over
/// their work, and leaving.
/// </summary>
internal sealed class InstanceMembership(
    NpgsqlDataSource dataSource,
    ClusterSql sql,
    string instanceId,
    PostgreSqlClusterOptions options,
    TimeProvider time,
    ILogger logger)
{
    private bool _joinedBefore;
    private bool _sharedIdReported;

    /// <summary>Gets the id of this process among every process that ever ran as <see cref="InstanceId"/>.</summary>
    public Guid Incarnation { get; } = Guid.NewGuid();

    public string InstanceId => instanceId;

    /// <summary>Gets a value indicating whether the instance's row is in the table, as far as this process knows.</summary>
    public bool IsJoined { get; private set; }

    /// <summary>
    /// Adds the instance's row. The first join of the process also takes over the work the instance's previous process
    /// left behind (it was killed, or it crashed); a later join, after the cluster presumed this process dead, does not,
    /// because this process's own runs may still be going.
    /// </summary>
    /// <returns>The occurrences to run again and the sessions abandoned.</returns>
    public async Task<Takeover> JoinAsync(string[] rerunJobs, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var taken = new Takeover();
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                int inserted;
                using (var insert = Command(sql.InsertInstance, connection, transaction, Text(instanceId), Id(Incarnation), Time(now), Time(now + options.InstanceTimeout)))
                {
                    inserted = await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                if (_joinedBefore)
                {
                    if (inserted == 0)
                    {
                        // The row is back, with another incarnation: a second process runs with this instance id.
                        ReportSharedId();
                        return taken;
                    }
                }
                else
                {
                    if (inserted == 0)
                    {
                        using (var lockRow = Command(sql.LockInstance, connection, transaction, Text(instanceId)))
                        {
                            await lockRow.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                        }

                        using var replace = Command(sql.ReplaceInstance, connection, transaction, Text(instanceId), Id(Incarnation), Time(now), Time(now + options.InstanceTimeout));
                        await replace.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    var error = $"A previous process of instance '{instanceId}' stopped while this attempt was running (killed or crashed); marked Abandoned when the instance started again.";
                    var (abandoned, closed) = await TakeOverAsync(connection, transaction, instanceId, now, rerunJobs, error, taken, cancellationToken).ConfigureAwait(false);
                    if (abandoned + taken.Runs.Count + closed > 0)
                    {
                        Log.PreviousProcessTakenOverMessage(logger, instanceId, abandoned, taken.Runs.Count, closed);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        if (!_joinedBefore)
        {
            Log.InstanceJoinedMessage(logger, instanceId, sql.Schema, options.HeartbeatInterval, options.InstanceTimeout);
        }

        _joinedBefore = true;
        IsJoined = true;
        _sharedIdReported = false;
        return taken;
    }

    /// <summary>Renews the instance's row and the leases of its runs; finds out when the cluster presumed it dead.</summary>
    public async Task HeartbeatAsync(Guid[] heldLeases, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var expires = now + options.InstanceTimeout;
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var batch = new NpgsqlBatch(connection);
            await using (batch.ConfigureAwait(false))
            {
                batch.BatchCommands.Add(BatchCommand(sql.Heartbeat, Text(instanceId), Id(Incarnation), Time(now), Time(expires)));
                if (heldLeases.Length > 0)
                {
                    batch.BatchCommands.Add(BatchCommand(sql.RenewLeases, Text(instanceId), Ids(heldLeases), Time(expires)));
                }

                await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                if (batch.BatchCommands[0].RecordsAffected == 1)
                {
                    return;
                }
            }

            using var read = Command(sql.ReadIncarnation, connection, null, Text(instanceId));
            if (await read.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is Guid)
            {
                ReportSharedId();
            }
            else
            {
                Log.InstancePresumedDeadMessage(logger, instanceId, options.InstanceTimeout);
            }

            IsJoined = false;
        }
    }

    /// <summary>Finds instances whose heartbeat expired and takes over their work, each in one transaction with its row locked.</summary>
    /// <returns>The occurrences to run again and the sessions abandoned.</returns>
    public async Task<Takeover> SweepAsync(string[] rerunJobs, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var taken = new Takeover();
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                // SKIP LOCKED: when two live instances sweep at once, each dead instance is taken over by one of them.
                List<(string Id, Guid Incarnation, DateTimeOffset ExpiredAt)> dead = [];
                using (var find = Command(sql.LockDeadInstances, connection, transaction, Text(instanceId), Time(now)))
                {
                    var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                    await using (reader.ConfigureAwait(false))
                    {
                        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                        {
                            dead.Add((reader.GetString(0), reader.GetGuid(1), reader.GetFieldValue<DateTimeOffset>(2)));
                        }
                    }
                }

                if (dead.Count == 0)
                {
                    return taken;
                }

                foreach (var (deadId, incarnation, expiredAt) in dead)
                {
                    var before = taken.Runs.Count;
                    var error = $"Instance '{deadId}' stopped sending heartbeats while this attempt was running (its registration expired at {expiredAt:O}); marked Abandoned by instance '{instanceId}'.";
                    var (abandoned, closed) = await TakeOverAsync(connection, transaction, deadId, now, rerunJobs, error, taken, cancellationToken).ConfigureAwait(false);
                    using (var delete = Command(sql.DeleteInstance, connection, transaction, Text(deadId), Id(incarnation)))
                    {
                        await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }

                    Log.InstanceDeclaredDeadMessage(logger, deadId, expiredAt, instanceId, abandoned, taken.Runs.Count - before, closed);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        return taken;
    }

    /// <summary>Removes the instance's row at a clean stop, so nobody waits out its timeout.</summary>
    public async Task LeaveAsync(CancellationToken cancellationToken)
    {
        if (!IsJoined)
        {
            return;
        }

        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            using var delete = Command(sql.DeleteInstance, connection, null, Text(instanceId), Id(Incarnation));
            await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        IsJoined = false;
        Log.InstanceLeftMessage(logger, instanceId);
    }

    /// <summary>
    /// Takes over a dead instance's work: its unfinished claims of jobs that run abandoned occurrences again become this
    /// instance's (up to MaxTakeovers times per occurrence), its other unfinished claims are closed, its Running sessions
    /// become Abandoned, and its leases and places in lease queues are released.
    /// </summary>
    private async Task<(int Abandoned, int Closed)> TakeOverAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        string deadId,
        DateTimeOffset now,
        string[] rerunJobs,
        string error,
        Takeover taken,
        CancellationToken cancellationToken)
    {
        List<Guid> takenIds = [];
        using (var takeOver = Command(sql.TakeOverClaims, connection, transaction, Text(deadId), Text(instanceId), Time(now), Texts(rerunJobs), Int(options.MaxTakeovers)))
        {
            var reader = await takeOver.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var run = new TakenOverRun(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.GetGuid(2));
                    taken.Runs.Add(run);
                    takenIds.Add(run.RunId);
                }
            }
        }

        int closed, abandoned;
        using (var close = Command(sql.CloseClaims, connection, transaction, Text(deadId), Time(now), Ids([.. takenIds])))
        {
            closed = await close.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var abandon = Command(sql.AbandonSessions, connection, transaction, Text(deadId), Time(now), Text(error)))
        {
            var reader = await abandon.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                var before = taken.Abandoned.Count;
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    taken.Abandoned.Add(SessionRows.Read(reader));
                }

                abandoned = taken.Abandoned.Count - before;
            }
        }

        using (var leases = Command(sql.DeleteLeasesOf, connection, transaction, Text(deadId)))
        {
            await leases.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        using (var waits = Command(sql.ClearWaitsOf, connection, transaction, Text(deadId)))
        {
            await waits.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        return (abandoned, closed);
    }

    private void ReportSharedId()
    {
        IsJoined = false;
        if (!_sharedIdReported)
        {
            _sharedIdReported = true;
            Log.InstanceIdSharedMessage(logger, instanceId);
        }
    }
}
