using Cronos;
using JobScheduler.Scheduling;

namespace JobScheduler.Tests.Scheduling;

/// <summary>Jobs on the same cron text and zone share one immutable schedule; anything else gets its own.</summary>
public sealed class SharedCronSchedulesTests
{
    private static readonly CronExpression EverySecond = CronExpression.Parse("* * * * * *", CronFormat.IncludeSeconds);

    [Fact]
    public void Get_SameTextAndZone_ReturnsOneInstance()
        => Assert.Same(
            SharedCronSchedules.Get(EverySecond, TimeZoneInfo.Utc, "* * * * * *"),
            SharedCronSchedules.Get(EverySecond, TimeZoneInfo.Utc, "* * * * * *"));

    [Fact]
    public void Get_OtherZone_ReturnsAnotherScheduleInThatZone()
    {
        var berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        var daily = CronExpression.Parse("0 9 * * *");

        var utc = SharedCronSchedules.Get(daily, TimeZoneInfo.Utc, "0 9 * * *");
        var local = SharedCronSchedules.Get(daily, berlin, "0 9 * * *");

        Assert.NotSame(utc, local);
        var from = new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero), utc.GetNextOccurrence(from));
        Assert.Equal(new DateTimeOffset(2026, 1, 5, 8, 0, 0, TimeSpan.Zero), local.GetNextOccurrence(from));
    }
}
