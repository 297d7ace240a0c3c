using Microsoft.Extensions.Logging;
using static JobScheduler.PostgreSql.Diagnostics.PostgreSqlEventIds;

namespace JobScheduler.PostgreSql.Diagnostics;

/// <summary>Every log message of the PostgreSQL store, declared once through the LoggerMessage source generator.</summary>
internal static partial class Log
{
    [LoggerMessage(SchemaMigrated, LogLevel.Information, "PostgreSQL schema {Schema} migrated from version {FromVersion} to {ToVersion}")]
    public static partial void SchemaMigratedMessage(ILogger logger, string schema, int fromVersion, int toVersion);

    [LoggerMessage(WriteBatchFailed, LogLevel.Debug, "A batch of {Count} session writes to PostgreSQL failed; writing them one by one so each caller sees its own outcome")]
    public static partial void WriteBatchFailedMessage(ILogger logger, Exception exception, int count);

    [LoggerMessage(WriterFault, LogLevel.Error, "The PostgreSQL session writer failed unexpectedly; pending writes were failed")]
    public static partial void WriterFaultMessage(ILogger logger, Exception exception);

    [LoggerMessage(InstanceJoined, LogLevel.Information, "Instance {InstanceId} joined the cluster in schema {Schema} (heartbeat every {HeartbeatInterval}, dead after {InstanceTimeout})")]
    public static partial void InstanceJoinedMessage(ILogger logger, string instanceId, string schema, TimeSpan heartbeatInterval, TimeSpan instanceTimeout);

    [LoggerMessage(InstanceLeft, LogLevel.Information, "Instance {InstanceId} left the cluster")]
    public static partial void InstanceLeftMessage(ILogger logger, string instanceId);

    [LoggerMessage(PreviousProcessTakenOver, LogLevel.Warning, "Instance {InstanceId} restarted: took over its previous process's work ({Abandoned} Running session(s) abandoned, {Rerun} occurrence(s) to run again, {Closed} claim(s) closed)")]
    public static partial void PreviousProcessTakenOverMessage(ILogger logger, string instanceId, int abandoned, int rerun, int closed);

    [LoggerMessage(InstanceDeclaredDead, LogLevel.Warning, "Instance {DeadInstanceId} missed its heartbeats (expired {ExpiredAt:O}); {InstanceId} took over its work: {Abandoned} Running session(s) abandoned, {Rerun} occurrence(s) to run again, {Closed} claim(s) closed, its leases released")]
    public static partial void InstanceDeclaredDeadMessage(ILogger logger, string deadInstanceId, DateTimeOffset expiredAt, string instanceId, int abandoned, int rerun, int closed);

    [LoggerMessage(InstancePresumedDead, LogLevel.Warning, "Instance {InstanceId} was presumed dead by the cluster (no heartbeat for longer than {InstanceTimeout}) and joins again; runs it had in progress may have been taken over")]
    public static partial void InstancePresumedDeadMessage(ILogger logger, string instanceId, TimeSpan instanceTimeout);

    [LoggerMessage(InstanceIdShared, LogLevel.Error, "Another process registered instance id {InstanceId} in the cluster: give every process its own JobScheduler:InstanceId, or the instances take over each other's work")]
    public static partial void InstanceIdSharedMessage(ILogger logger, string instanceId);

    [LoggerMessage(CoordinationUnavailable, LogLevel.Warning, "Cluster coordination is unavailable: instance {InstanceId} claims no occurrence until the PostgreSQL store is reachable again")]
    public static partial void CoordinationUnavailableMessage(ILogger logger, Exception exception, string instanceId);

    [LoggerMessage(CoordinationRestored, LogLevel.Information, "Cluster coordination is back after {Outage}: instance {InstanceId} claims occurrences again")]
    public static partial void CoordinationRestoredMessage(ILogger logger, TimeSpan outage, string instanceId);

    [LoggerMessage(ClaimsPurged, LogLevel.Debug, "Deleted {Count} occurrence claim(s) finished before {Cutoff:O}")]
    public static partial void ClaimsPurgedMessage(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(LeaseReleaseFailed, LogLevel.Warning, "Could not release the cluster lease of job {JobName}; it expires after {InstanceTimeout}")]
    public static partial void LeaseReleaseFailedMessage(ILogger logger, Exception exception, string jobName, TimeSpan instanceTimeout);
}
