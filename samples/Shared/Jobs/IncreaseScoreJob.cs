using System.Globalization;
using JobScheduler.Samples.Services;
using Microsoft.Extensions.Logging;

namespace JobScheduler.Samples.Jobs;

/// <summary>
/// Raises the score of open opportunities whose travel date is near, every day at 02:00.
/// Port of the reference's <c>increaseScoreJob</c> (<c>schedule: '0 2 * * *'</c>).
/// </summary>
/// <remarks>
/// Travel within 7 days adds 20 points, within 14 days 15, within 30 days 10. Converted, junk, not-interested and
/// deleted opportunities are left alone. The number of updated opportunities is saved with the session as
/// <c>Metadata["updated"]</c>.
/// </remarks>
[CronJob("0 2 * * *", Name = "increase-score-for-nearing-travel-date")]
public sealed partial class IncreaseScoreJob(
    OpportunityRepository opportunities,
    TimeProvider timeProvider,
    ILogger<IncreaseScoreJob> logger) : IJob
{
    /// <inheritdoc />
    public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
    {
        LogStarting(logger);

        var today = timeProvider.GetUtcNow();
        var candidates = opportunities.FindScorable(today, today.AddDays(30));

        var updated = 0;
        foreach (var opportunity in candidates)
        {
            cancellationToken.ThrowIfCancellationRequested();

            var daysUntilTravel = (int)Math.Floor((opportunity.TravelDate - today).TotalDays);
            var increase = ScoreIncrease(daysUntilTravel);
            if (increase > 0)
            {
                opportunities.IncreaseScore(opportunity.Id, increase);
                updated++;
            }
        }

        context.Metadata["updated"] = updated.ToString(CultureInfo.InvariantCulture);
        LogUpdated(logger, updated);
        return Task.CompletedTask;
    }

    /// <summary>The urgency rule: the nearer the travel date, the bigger the increase.</summary>
    /// <param name="daysUntilTravel">Whole days from now to the travel date.</param>
    /// <returns>The points to add, or 0.</returns>
    public static int ScoreIncrease(int daysUntilTravel) => daysUntilTravel switch
    {
        < 0 => 0,
        <= 7 => 20,
        <= 14 => 15,
        <= 30 => 10,
        _ => 0,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Starting opportunity score update for nearing travel dates")]
    private static partial void LogStarting(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Updated opportunity scores for {UpdatedCount} records")]
    private static partial void LogUpdated(ILogger logger, int updatedCount);
}
