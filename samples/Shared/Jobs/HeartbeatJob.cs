using System.Globalization;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Samples.Jobs;

/// <summary>
/// Runs every 10 seconds, so a newcomer sees sessions within a minute of starting the sample.
/// Six cron fields: the first one is seconds.
/// </summary>
[CronJob("*/10 * * * * *", Name = "heartbeat")]
public sealed partial class HeartbeatJob(ILogger<HeartbeatJob> logger) : IJob
{
    /// <inheritdoc />
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        // Lateness = when the attempt started minus the occurrence it belongs to.
        var lateness = context.StartedAt - context.ScheduledAt;
        LogBeat(logger, context.ScheduledAt, lateness.TotalMilliseconds, context.Trigger);

        // Metadata is saved with the session: GET /jobs/heartbeat/sessions shows it.
        context.Metadata["latenessMs"] = lateness.TotalMilliseconds.ToString("0.###", CultureInfo.InvariantCulture);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Heartbeat for {ScheduledAt:O}, {LatenessMs:0.###} ms late ({Trigger})")]
    private static partial void LogBeat(ILogger logger, DateTimeOffset scheduledAt, double latenessMs, JobTrigger trigger);
}
