namespace JobScheduler.Samples.Worker;

/// <summary>
/// Reads the scheduler from application code: logs every job at start, then the newest sessions every 30 seconds.
/// </summary>
/// <param name="scheduler">Inspects and controls jobs.</param>
/// <param name="store">The record of every run.</param>
/// <param name="timeProvider">The clock the scheduler uses.</param>
/// <param name="logger">The logger.</param>
public sealed partial class JobStatusReporter(
    IJobScheduler scheduler,
    IJobSessionStore store,
    TimeProvider timeProvider,
    ILogger<JobStatusReporter> logger) : BackgroundService
{
    private static readonly TimeSpan ReportInterval = TimeSpan.FromSeconds(30);

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The scheduler is registered first, so it has started and every job has its next run by now.
        foreach (var job in scheduler.GetJobs())
        {
            LogJob(logger, job.Name, job.Schedule ?? "on demand", job.TimeZone, job.IsEnabled, job.NextRunAt);
        }

        using var timer = new PeriodicTimer(ReportInterval, timeProvider);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var recent = await store.QueryAsync(new JobSessionQuery { Limit = 5 }, stoppingToken);
                foreach (var session in recent)
                {
                    LogSession(logger, session.JobName, session.Status, session.Attempt, session.StartedAt, session.Duration?.TotalMilliseconds);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobName}: '{Schedule}' ({TimeZone}), enabled {Enabled}, next run {NextRunAt:O}")]
    private static partial void LogJob(ILogger logger, string jobName, string schedule, string timeZone, bool enabled, DateTimeOffset? nextRunAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Recent session: {JobName} {Status} (attempt {Attempt}) started {StartedAt:O}, took {DurationMs:0.###} ms")]
    private static partial void LogSession(ILogger logger, string jobName, JobSessionStatus status, int attempt, DateTimeOffset startedAt, double? durationMs);
}
