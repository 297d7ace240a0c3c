using Microsoft.Extensions.Logging;

namespace JobScheduler.Samples.Jobs;

/// <summary>
/// The template job: runs every four hours, logs, and simulates one second of async work.
/// Port of the reference's <c>sampleJob</c> (<c>schedule: '0 */4 * * *'</c>).
/// </summary>
/// <remarks>
/// No <c>Name</c> is given, so the job is called after its class: <c>SampleJob</c>.
/// The delay goes through the injected <see cref="TimeProvider"/>, so a test with a fake clock does not wait a real second.
/// </remarks>
[CronJob("0 */4 * * *")]
public sealed partial class SampleJob(ILogger<SampleJob> logger, TimeProvider timeProvider) : IJob
{
    /// <inheritdoc />
    public async Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        LogRunning(logger, context.JobName, context.Trigger);

        // Simulate async work. Pass the token: a timeout or a shutdown cancels the wait.
        await Task.Delay(TimeSpan.FromSeconds(1), timeProvider, cancellationToken);

        LogCompleted(logger, context.JobName);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{JobName} is running ({Trigger})")]
    private static partial void LogRunning(ILogger logger, string jobName, JobTrigger trigger);

    [LoggerMessage(Level = LogLevel.Information, Message = "{JobName} completed")]
    private static partial void LogCompleted(ILogger logger, string jobName);
}
