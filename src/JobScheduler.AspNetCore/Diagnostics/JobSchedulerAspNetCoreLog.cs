using Microsoft.Extensions.Logging;
using static JobScheduler.AspNetCore.Diagnostics.JobSchedulerAspNetCoreEventIds;

namespace JobScheduler.AspNetCore.Diagnostics;

/// <summary>Every log message of the endpoints, declared once through the LoggerMessage source generator.</summary>
internal static partial class JobSchedulerAspNetCoreLog
{
    /// <summary>The logger category: filter it with <c>"Logging:LogLevel:JobScheduler.AspNetCore"</c>.</summary>
    public const string Category = "JobScheduler.AspNetCore";

    [LoggerMessage(RemoteRequestRefused, LogLevel.Warning,
        "Refused {Method} {Path} from {RemoteAddress}: the JobScheduler endpoints serve only local requests until RequireAuthorization(...) is called on MapJobScheduler(...)")]
    public static partial void RemoteRequestRefusedMessage(ILogger logger, string method, string? path, string remoteAddress);

    [LoggerMessage(RequestHeaderMissing, LogLevel.Warning,
        "Refused {Method} {Path}: the request does not carry the header {HeaderName}: 1 that every JobScheduler state change needs")]
    public static partial void RequestHeaderMissingMessage(ILogger logger, string method, string? path, string headerName);

    [LoggerMessage(JobTriggered, LogLevel.Information,
        "Job {JobName} triggered through the API by {User} from {RemoteAddress} (session {SessionId})")]
    public static partial void JobTriggeredMessage(ILogger logger, string jobName, string user, string? remoteAddress, Guid sessionId);

    [LoggerMessage(JobPaused, LogLevel.Information, "Job {JobName} paused through the API by {User} from {RemoteAddress}")]
    public static partial void JobPausedMessage(ILogger logger, string jobName, string user, string? remoteAddress);

    [LoggerMessage(JobResumed, LogLevel.Information, "Job {JobName} resumed through the API by {User} from {RemoteAddress}")]
    public static partial void JobResumedMessage(ILogger logger, string jobName, string user, string? remoteAddress);

    [LoggerMessage(SessionStoreReadFailed, LogLevel.Error, "Reading sessions from the session store failed; the API answered 503")]
    public static partial void SessionStoreReadFailedMessage(ILogger logger, Exception exception);
}
