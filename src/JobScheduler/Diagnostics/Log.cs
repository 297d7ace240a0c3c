using Microsoft.Extensions.Logging;
using static JobScheduler.Diagnostics.JobSchedulerEventIds;

namespace JobScheduler.Diagnostics;

/// <summary>Every log message of the scheduler, declared once through the LoggerMessage source generator.</summary>
internal static partial class Log
{
    [LoggerMessage(SchedulerStarted, LogLevel.Information, "Job scheduler started with {JobCount} jobs as instance {InstanceId}")]
    public static partial void SchedulerStartedMessage(ILogger logger, int jobCount, string instanceId);

    [LoggerMessage(JobScheduled, LogLevel.Information, "Job {JobName} scheduled '{Schedule}' ({TimeZone}); next run at {NextRunAt:O}")]
    public static partial void JobScheduledMessage(ILogger logger, string jobName, string schedule, string timeZone, DateTimeOffset? nextRunAt);

    [LoggerMessage(JobNeverFires, LogLevel.Warning, "Job {JobName} schedule '{Schedule}' has no future occurrence; it will only run when triggered")]
    public static partial void JobNeverFiresMessage(ILogger logger, string jobName, string schedule);

    [LoggerMessage(JobDisabled, LogLevel.Information, "Job {JobName} is disabled by configuration (Enabled = false) and is not scheduled")]
    public static partial void JobDisabledMessage(ILogger logger, string jobName);

    [LoggerMessage(RunStarted, LogLevel.Debug, "Job {JobName} started attempt {Attempt} ({Trigger}, session {SessionId}, occurrence {ScheduledAt:O})")]
    public static partial void RunStartedMessage(ILogger logger, string jobName, int attempt, JobTrigger trigger, Guid sessionId, DateTimeOffset scheduledAt);

    [LoggerMessage(RunSucceeded, LogLevel.Information, "Job {JobName} succeeded in {DurationMs:0.###} ms (attempt {Attempt}, session {SessionId})")]
    private static partial void RunSucceededMessage(ILogger logger, string jobName, double durationMs, int attempt, Guid sessionId);

    public static void RunSucceededMessage(ILogger logger, string jobName, TimeSpan duration, int attempt, Guid sessionId)
        => RunSucceededMessage(logger, jobName, duration.TotalMilliseconds, attempt, sessionId);

    [LoggerMessage(RunFailed, LogLevel.Error, "Job {JobName} failed after {DurationMs:0.###} ms (attempt {Attempt}, session {SessionId})")]
    private static partial void RunFailedMessage(ILogger logger, Exception exception, string jobName, double durationMs, int attempt, Guid sessionId);

    public static void RunFailedMessage(ILogger logger, Exception exception, string jobName, TimeSpan duration, int attempt, Guid sessionId)
        => RunFailedMessage(logger, exception, jobName, duration.TotalMilliseconds, attempt, sessionId);

    [LoggerMessage(RunTimedOut, LogLevel.Warning, "Job {JobName} timed out after {DurationMs:0.###} ms (timeout {Timeout}, attempt {Attempt}, session {SessionId})")]
    private static partial void RunTimedOutMessage(ILogger logger, string jobName, double durationMs, TimeSpan timeout, int attempt, Guid sessionId);

    public static void RunTimedOutMessage(ILogger logger, string jobName, TimeSpan duration, TimeSpan timeout, int attempt, Guid sessionId)
        => RunTimedOutMessage(logger, jobName, duration.TotalMilliseconds, timeout, attempt, sessionId);

    [LoggerMessage(RunCancelled, LogLevel.Warning, "Job {JobName} was cancelled by shutdown (attempt {Attempt}, session {SessionId})")]
    public static partial void RunCancelledMessage(ILogger logger, string jobName, int attempt, Guid sessionId);

    [LoggerMessage(RunSkipped, LogLevel.Information, "Job {JobName} occurrence {ScheduledAt:O} skipped: the previous run is still running (overlap policy {Policy})")]
    public static partial void RunSkippedMessage(ILogger logger, string jobName, DateTimeOffset scheduledAt, OverlapPolicy policy);

    [LoggerMessage(RunQueued, LogLevel.Debug, "Job {JobName} occurrence {ScheduledAt:O} queued behind the running run")]
    public static partial void RunQueuedMessage(ILogger logger, string jobName, DateTimeOffset scheduledAt);

    [LoggerMessage(RetryScheduled, LogLevel.Information, "Job {JobName} attempt {Attempt} ended {Status}; retry in {DelayMs:0.###} ms")]
    private static partial void RetryScheduledMessage(ILogger logger, string jobName, int attempt, JobSessionStatus status, double delayMs);

    public static void RetryScheduledMessage(ILogger logger, string jobName, int attempt, JobSessionStatus status, TimeSpan delay)
        => RetryScheduledMessage(logger, jobName, attempt, status, delay.TotalMilliseconds);

    [LoggerMessage(TimeoutElapsed, LogLevel.Warning, "Job {JobName} exceeded its timeout of {Timeout}; cancellation requested (session {SessionId})")]
    public static partial void TimeoutElapsedMessage(ILogger logger, string jobName, TimeSpan timeout, Guid sessionId);

    [LoggerMessage(TimeoutIgnored, LogLevel.Warning, "Job {JobName} ignored its timeout of {Timeout}: it returned {OverrunMs:0.###} ms after cancellation was requested and held its overlap lock until then (session {SessionId})")]
    private static partial void TimeoutIgnoredMessage(ILogger logger, string jobName, TimeSpan timeout, double overrunMs, Guid sessionId);

    public static void TimeoutIgnoredMessage(ILogger logger, string jobName, TimeSpan timeout, TimeSpan overrun, Guid sessionId)
        => TimeoutIgnoredMessage(logger, jobName, timeout, overrun.TotalMilliseconds, sessionId);

    [LoggerMessage(OccurrencesMissed, LogLevel.Warning, "Job {JobName} missed {Count} occurrence(s) from {FirstMissed:O} (more than {Threshold} late: clock jump or stall); misfire policy {Policy}")]
    public static partial void OccurrencesMissedMessage(ILogger logger, string jobName, int count, DateTimeOffset firstMissed, TimeSpan threshold, MisfirePolicy policy);

    [LoggerMessage(JobPaused, LogLevel.Information, "Job {JobName} paused")]
    public static partial void JobPausedMessage(ILogger logger, string jobName);

    [LoggerMessage(JobResumed, LogLevel.Information, "Job {JobName} resumed; next run at {NextRunAt:O}")]
    public static partial void JobResumedMessage(ILogger logger, string jobName, DateTimeOffset? nextRunAt);

    [LoggerMessage(JobRescheduled, LogLevel.Information, "Job {JobName} rescheduled to '{Schedule}'; next run at {NextRunAt:O}")]
    public static partial void JobRescheduledMessage(ILogger logger, string jobName, string schedule, DateTimeOffset? nextRunAt);

    [LoggerMessage(JobAdded, LogLevel.Information, "Job {JobName} added at run time")]
    public static partial void JobAddedMessage(ILogger logger, string jobName);

    [LoggerMessage(JobRemoved, LogLevel.Information, "Job {JobName} removed; {RunningCount} run(s) in progress will finish")]
    public static partial void JobRemovedMessage(ILogger logger, string jobName, int runningCount);

    [LoggerMessage(SessionsAbandoned, LogLevel.Warning, "Marked {Count} session(s) left Running by instance {InstanceId} as Abandoned")]
    public static partial void SessionsAbandonedMessage(ILogger logger, int count, string instanceId);

    [LoggerMessage(StoreWriteFailed, LogLevel.Error, "Session store failed to record the {Write}; it is queued and retried while jobs keep their schedule")]
    public static partial void StoreWriteFailedMessage(ILogger logger, Exception exception, string write);

    [LoggerMessage(StoreWritesDropped, LogLevel.Error, "Session store write queue is full ({Capacity}); {DroppedCount} write(s) dropped so far, the latest: {Write}")]
    public static partial void StoreWritesDroppedMessage(ILogger logger, long droppedCount, int capacity, string write);

    [LoggerMessage(StoreRecovered, LogLevel.Information, "Session store is writable again; every queued write reached it ({DroppedCount} dropped while it was down)")]
    public static partial void StoreRecoveredMessage(ILogger logger, long droppedCount);

    [LoggerMessage(StoreStillFailing, LogLevel.Warning, "Session store still failing after {Failures} retries; {QueuedCount} write(s) queued")]
    public static partial void StoreStillFailingMessage(ILogger logger, Exception exception, int queuedCount, int failures);

    [LoggerMessage(StoreWritesLostAtShutdown, LogLevel.Error, "Job scheduler stopped with {QueuedCount} session write(s) that never reached the store")]
    public static partial void StoreWritesLostAtShutdownMessage(ILogger logger, int queuedCount);

    [LoggerMessage(SessionsPurged, LogLevel.Information, "Session retention purged {Count} session(s)")]
    public static partial void SessionsPurgedMessage(ILogger logger, int count);

    [LoggerMessage(RetentionFailed, LogLevel.Warning, "Session retention could not purge sessions; it tries again at the next sweep")]
    public static partial void RetentionFailedMessage(ILogger logger, Exception exception);

    [LoggerMessage(CatchUpRun, LogLevel.Information, "Job {JobName} missed occurrences while the scheduler was down (last fired {LastFired:O}); one catch-up run for {Occurrence:O}")]
    public static partial void CatchUpRunMessage(ILogger logger, string jobName, DateTimeOffset lastFired, DateTimeOffset occurrence);

    [LoggerMessage(ObserverFailed, LogLevel.Error, "Run observer {Observer} failed for session {SessionId} of job {JobName}")]
    public static partial void ObserverFailedMessage(ILogger logger, Exception exception, string observer, Guid sessionId, string jobName);

    [LoggerMessage(SchedulerStopping, LogLevel.Information, "Job scheduler stopping: waiting up to {GracePeriod} for {RunCount} run(s) to finish")]
    public static partial void SchedulerStoppingMessage(ILogger logger, TimeSpan gracePeriod, int runCount);

    [LoggerMessage(RunsCancelledAtShutdown, LogLevel.Warning, "Job scheduler cancelling {RunCount} run(s) still in progress after the grace period")]
    public static partial void RunsCancelledAtShutdownMessage(ILogger logger, int runCount);

    [LoggerMessage(RunIgnoredShutdown, LogLevel.Warning, "Job {JobName} did not stop after cancellation; session {SessionId} recorded Cancelled while it still runs")]
    public static partial void RunIgnoredShutdownMessage(ILogger logger, string jobName, Guid sessionId);

    [LoggerMessage(SchedulerFault, LogLevel.Critical, "Job scheduler fault in {Where}; scheduling continues")]
    public static partial void SchedulerFaultMessage(ILogger logger, Exception exception, string where);

    [LoggerMessage(OccurrenceClaimedElsewhere, LogLevel.Debug, "Job {JobName} occurrence {ScheduledAt:O} was claimed by another instance of the cluster")]
    public static partial void OccurrenceClaimedElsewhereMessage(ILogger logger, string jobName, DateTimeOffset scheduledAt);

    [LoggerMessage(OccurrenceNotClaimed, LogLevel.Debug, "Job {JobName} occurrence {ScheduledAt:O} not run here: cluster coordination is unavailable, and no instance may run it uncoordinated")]
    public static partial void OccurrenceNotClaimedMessage(ILogger logger, string jobName, DateTimeOffset scheduledAt);

    [LoggerMessage(TakenOverRun, LogLevel.Warning, "Job {JobName} occurrence {ScheduledAt:O}: the instance running it died; running it again here (misfire policy RunOnce)")]
    public static partial void TakenOverRunMessage(ILogger logger, string jobName, DateTimeOffset scheduledAt);

    [LoggerMessage(CoordinationCatchUp, LogLevel.Information, "Job {JobName}: cluster coordination is back; one catch-up run for occurrence {ScheduledAt:O}, the last one that could not be claimed")]
    public static partial void CoordinationCatchUpMessage(ILogger logger, string jobName, DateTimeOffset scheduledAt);
}
