using BenchmarkDotNet.Attributes;
using Cronos;
using JobScheduler.Scheduling;

namespace JobScheduler.Benchmarks.Micro;

/// <summary>Next-occurrence computation, the work the engine does once per fired occurrence.</summary>
[MemoryDiagnoser]
public class ScheduleBenchmarks
{
    private static readonly DateTimeOffset From = new(2026, 3, 29, 0, 30, 0, TimeSpan.Zero);
    private CronSchedule _everySecond = null!;
    private CronSchedule _weekdaysBerlin = null!;
    private CronSchedule _everyFiveMinutesUtc = null!;
    private IntervalSchedule _interval = null!;

    [GlobalSetup]
    public void Setup()
    {
        _everySecond = new CronSchedule(CronExpression.Parse("* * * * * *", CronFormat.IncludeSeconds), TimeZoneInfo.Utc, "* * * * * *");
        _everyFiveMinutesUtc = new CronSchedule(CronExpression.Parse("*/5 * * * *"), TimeZoneInfo.Utc, "*/5 * * * *");
        _weekdaysBerlin = new CronSchedule(CronExpression.Parse("0 9 * * 1-5"), TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"), "0 9 * * 1-5");
        _interval = new IntervalSchedule(TimeSpan.FromMinutes(15));
    }

    [Benchmark(Description = "Cron '* * * * * *' (UTC)")]
    public DateTimeOffset? CronEverySecond() => _everySecond.GetNextOccurrence(From);

    [Benchmark(Description = "Cron '*/5 * * * *' (UTC)")]
    public DateTimeOffset? CronEveryFiveMinutes() => _everyFiveMinutesUtc.GetNextOccurrence(From);

    [Benchmark(Description = "Cron '0 9 * * 1-5' (Europe/Berlin, DST day)")]
    public DateTimeOffset? CronWeekdaysBerlin() => _weekdaysBerlin.GetNextOccurrence(From);

    [Benchmark(Description = "Interval 00:15:00")]
    public DateTimeOffset? Interval() => _interval.GetNextOccurrence(From);
}
