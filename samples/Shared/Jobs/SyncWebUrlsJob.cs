using System.Globalization;
using JobScheduler.Samples.Services;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Samples.Jobs;

/// <summary>
/// Synchronizes the destinations' web URLs every day at 09:00.
/// Port of the reference's <c>syncWebUrlsJob</c> (<c>schedule: '0 9 * * *'</c>).
/// </summary>
/// <remarks>
/// <para>
/// The job does not catch the service's exception: an exception marks the attempt <see cref="JobSessionStatus.Failed"/>
/// and the scheduler retries it up to 3 times (4 attempts) after 10 s, 20 s and 40 s. Each attempt is its own session.
/// </para>
/// <para>
/// The schedule is evaluated in UTC unless configuration sets a time zone: the sample's appsettings.json sets
/// <c>JobScheduler:Jobs:sync-web-urls:TimeZone</c> to <c>Europe/Berlin</c>.
/// </para>
/// </remarks>
[CronJob("0 9 * * *", Name = "sync-web-urls")]
[JobRetry(3, Delay = "00:00:10", Backoff = RetryBackoff.Exponential)]
[JobTimeout("00:05:00")]
public sealed partial class SyncWebUrlsJob(IDestinationService destinations, ILogger<SyncWebUrlsJob> logger) : IJob
{
    /// <inheritdoc />
    public async Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        LogRunning(logger, context.Attempt);

        // Throws on failure; the scheduler records the error and retries. The token fires after 5 minutes.
        var result = await destinations.SyncWebUrlsAsync(cancellationToken);

        context.Metadata["checked"] = result.Checked.ToString(CultureInfo.InvariantCulture);
        context.Metadata["updated"] = result.Updated.ToString(CultureInfo.InvariantCulture);
        LogCompleted(logger, result.Checked, result.Updated);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sync Web URLs is running (attempt {Attempt})")]
    private static partial void LogRunning(ILogger logger, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Web URLs synchronized: {Checked} checked, {Updated} updated")]
    private static partial void LogCompleted(ILogger logger, int @checked, int updated);
}
