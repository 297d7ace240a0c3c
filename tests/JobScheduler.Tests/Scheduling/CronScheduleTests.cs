using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Scheduling;

/// <summary>When cron and interval schedules fire, under the fake clock: every occurrence, once, never early.</summary>
public sealed class CronScheduleTests
{
    [Fact]
    public async Task EverySecond_ForAMinute_FiresOncePerSecondWithEachScheduledAt()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * * *", j => j.WithName("tick")));

        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        var expected = Enumerable.Range(1, 60).Select(i => Start.AddSeconds(i)).ToArray();
        var sessions = await host.GetSessionsAsync("tick");
        Assert.Equal(expected, sessions.Select(s => s.ScheduledAt));
        Assert.Equal(expected, sessions.Select(s => s.StartedAt));
        Assert.All(sessions, s =>
        {
            Assert.Equal(JobSessionStatus.Succeeded, s.Status);
            Assert.Equal(JobTrigger.Scheduled, s.Trigger);
            Assert.Equal(1, s.Attempt);
        });
        Assert.Equal(60, sessions.Select(s => s.Id).Distinct().Count());

        // Never early: the job's own code saw the clock at its occurrence, not before.
        Assert.Equal(expected, probe.Calls.Select(c => c.ClockAtStart));
    }

    [Theory]
    //          expression           window         count  first occurrence          period
    // Six fields: seconds come first
    [InlineData("*/10 * * * * *",    "00:01:00",     6,    "2026-01-01 00:00:10Z",   "00:00:10")]
    [InlineData("0 */10 * * * *",    "01:00:00",     6,    "2026-01-01 00:10:00Z",   "00:10:00")]
    [InlineData("30 */10 * * * *",   "01:00:00",     6,    "2026-01-01 00:00:30Z",   "00:10:00")]
    [InlineData("15 0 * * * *",      "03:00:00",     3,    "2026-01-01 00:00:15Z",   "01:00:00")]
    // Five fields: minutes come first
    [InlineData("*/10 * * * *",      "01:00:00",     6,    "2026-01-01 00:10:00Z",   "00:10:00")]
    [InlineData("15 0 * * *",        "3.00:00:00",   3,    "2026-01-01 00:15:00Z",   "1.00:00:00")]
    [InlineData("* * * * *",         "00:05:00",     5,    "2026-01-01 00:01:00Z",   "00:01:00")]
    [InlineData("  */10   * * * *  ", "01:00:00",    6,    "2026-01-01 00:10:00Z",   "00:10:00")]
    // Macros
    [InlineData("@every_second",     "00:00:10",    10,    "2026-01-01 00:00:01Z",   "00:00:01")]
    [InlineData("@every_minute",     "00:10:00",    10,    "2026-01-01 00:01:00Z",   "00:01:00")]
    [InlineData("@hourly",           "1.00:00:00",  24,    "2026-01-01 01:00:00Z",   "01:00:00")]
    [InlineData("@daily",            "3.00:00:00",   3,    "2026-01-02 00:00:00Z",   "1.00:00:00")]
    [InlineData("@midnight",         "2.00:00:00",   2,    "2026-01-02 00:00:00Z",   "1.00:00:00")]
    [InlineData("@DAILY",            "2.00:00:00",   2,    "2026-01-02 00:00:00Z",   "1.00:00:00")]
    [InlineData("@weekly",           "14.00:00:00",  2,    "2026-01-04 00:00:00Z",   "7.00:00:00")] // 2026-01-04 is a Sunday
    public async Task Schedule_OverWindow_FiresAtEveryOccurrenceOnce(string expression, string window, int count, string first, string period)
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(expression, j => j.WithName("job")));

        await host.AdvanceAsync(Span(window));

        var expected = Enumerable.Range(0, count).Select(i => At(first) + (i * Span(period))).ToArray();
        var sessions = await host.GetSessionsAsync("job");
        Assert.Equal(expected, sessions.Select(s => s.ScheduledAt));
        Assert.Equal(expected, sessions.Select(s => s.StartedAt));
        Assert.Equal(expected, probe.Calls.Select(c => c.ClockAtStart));
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
    }

    [Theory]
    //          expression        zone                  start                     expected occurrences (UTC)
    [InlineData("0 9 * * *",      "UTC",                "2026-01-01 00:00Z",      "2026-01-01 09:00Z, 2026-01-02 09:00Z")]
    [InlineData("0 9 * * *",      "Europe/Berlin",      "2026-01-01 00:00Z",      "2026-01-01 08:00Z, 2026-01-02 08:00Z")] // CET, +01:00
    [InlineData("0 9 * * *",      "Europe/Berlin",      "2026-07-01 00:00Z",      "2026-07-01 07:00Z, 2026-07-02 07:00Z")] // CEST, +02:00
    [InlineData("0 9 * * *",      "America/New_York",   "2026-01-01 00:00Z",      "2026-01-01 14:00Z, 2026-01-02 14:00Z")] // EST, -05:00
    [InlineData("0 9 * * *",      "Asia/Kolkata",       "2026-01-01 00:00Z",      "2026-01-01 03:30Z, 2026-01-02 03:30Z")] // +05:30
    [InlineData("0 9 * * *",      "Eastern Standard Time", "2026-01-01 00:00Z",   "2026-01-01 14:00Z, 2026-01-02 14:00Z")] // Windows id
    [InlineData("0 0 * * *",      "Pacific/Auckland",   "2026-01-01 00:00Z",      "2026-01-01 11:00Z, 2026-01-02 11:00Z")] // NZDT, +13:00
    public async Task Schedule_InTimeZone_FiresAtLocalTime(string expression, string zone, string start, string expected)
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(
            probe, b => b.AddJob<ProbeJob>(expression, j => j.WithName("job").InTimeZone(zone)), At(start));

        await host.AdvanceAsync(TimeSpan.FromDays(2));

        Assert.Equal(Times(expected), (await host.GetSessionsAsync("job")).Select(s => s.ScheduledAt));
        Assert.Equal(zone, host.Scheduler.GetJob("job").TimeZone);
    }

    [Fact]
    public async Task Weekdays_OverAWeek_FiresMondayToFridayOnly()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 9 * * 1-5", j => j.WithName("weekday")));

        await host.AdvanceAsync(TimeSpan.FromDays(7));

        // 2026-01-01 is a Thursday: Thu, Fri, (weekend), Mon, Tue, Wed.
        Assert.Equal(
            Times("2026-01-01 09:00Z, 2026-01-02 09:00Z, 2026-01-05 09:00Z, 2026-01-06 09:00Z, 2026-01-07 09:00Z"),
            (await host.GetSessionsAsync("weekday")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task FirstOccurrence_HostStartsExactlyOnAnOccurrence_IsTheNextOneStrictlyAfter()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(
            probe, b => b.AddJob<ProbeJob>("0 9 * * *", j => j.WithName("daily")), At("2026-01-01 09:00Z"));

        Assert.Equal(At("2026-01-02 09:00Z"), host.Scheduler.GetJob("daily").NextRunAt);
        await host.AdvanceAsync(TimeSpan.FromHours(23));
        Assert.Empty(await host.GetSessionsAsync("daily"));

        await host.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal([At("2026-01-02 09:00Z")], (await host.GetSessionsAsync("daily")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task Interval_FixedRate_FiresEveryIntervalFromStartRegardlessOfRunLength()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromMinutes(5)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("interval").WithInterval(TimeSpan.FromMinutes(15))));

        await host.AdvanceAsync(TimeSpan.FromHours(1));

        var expected = Times("2026-01-01 00:15Z, 2026-01-01 00:30Z, 2026-01-01 00:45Z, 2026-01-01 01:00Z");
        var sessions = await host.GetSessionsAsync("interval");
        Assert.Equal(expected, sessions.Select(s => s.ScheduledAt));
        Assert.Equal(expected, sessions.Select(s => s.StartedAt));
        Assert.Equal("00:15:00", host.Scheduler.GetJob("interval").Schedule);
    }

    [CronJob("*/5 * * * *", Name = "from-attribute", TimeZone = "Europe/Berlin")]
    private sealed class AttributedJob(RunProbe probe, TimeProvider time) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => probe.RunAsync(context, time, cancellationToken);
    }

    [IntervalJob("00:20:00", Name = "every-20-minutes")]
    private sealed class AttributedIntervalJob(RunProbe probe, TimeProvider time) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => probe.RunAsync(context, time, cancellationToken);
    }

    [Fact]
    public async Task Attributes_CronAndInterval_GiveNameScheduleAndZone()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<AttributedJob>().AddJob<AttributedIntervalJob>());

        await host.AdvanceAsync(TimeSpan.FromMinutes(40));

        var cron = host.Scheduler.GetJob("from-attribute");
        Assert.Equal("*/5 * * * *", cron.Schedule);
        Assert.Equal("Europe/Berlin", cron.TimeZone);
        Assert.Equal(8, (await host.GetSessionsAsync("from-attribute")).Count);
        Assert.Equal(
            Times("2026-01-01 00:20Z, 2026-01-01 00:40Z"),
            (await host.GetSessionsAsync("every-20-minutes")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task SeveralJobs_DueAtTheSameTime_EachFiresOnce()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b
            .AddJob<ProbeJob>("*/15 * * * *", j => j.WithName("quarter"))
            .AddJob<ProbeJob>("0 * * * *", j => j.WithName("hourly"))
            .AddJob<OtherProbeJob>("*/30 * * * *", j => j.WithName("half")));

        await host.AdvanceAsync(TimeSpan.FromHours(2));

        Assert.Equal(8, (await host.GetSessionsAsync("quarter")).Count);
        Assert.Equal(2, (await host.GetSessionsAsync("hourly")).Count);
        Assert.Equal(4, (await host.GetSessionsAsync("half")).Count);
        Assert.All(probe.Calls, c => Assert.Equal(c.ScheduledAt, c.ClockAtStart));
    }

    [Fact]
    public async Task Yearly_NextOccurrenceBeyondOneTimerWait_FiresAfterAYear()
    {
        // A year is far beyond the ~49.7-day limit of a single timer wait; the scheduler waits in capped steps.
        var probe = new RunProbe();
        await using var host = await StartAsync(
            probe, b => b.AddJob<ProbeJob>("@yearly", j => j.WithName("yearly")).Configure(o => o.MaxTimerWait = TimeSpan.FromHours(1)));

        Assert.Equal(At("2027-01-01 00:00Z"), host.Scheduler.GetJob("yearly").NextRunAt);
        await host.AdvanceToAsync(At("2026-12-31 23:59:59Z"));
        Assert.Empty(probe.Calls);

        await host.AdvanceToAsync(At("2027-01-01 00:00Z"));
        var session = Assert.Single(await host.GetSessionsAsync("yearly"));
        Assert.Equal(At("2027-01-01 00:00Z"), session.ScheduledAt);
        Assert.Equal(At("2027-01-01 00:00Z"), session.StartedAt);
        Assert.Equal(At("2028-01-01 00:00Z"), host.Scheduler.GetJob("yearly").NextRunAt);
    }

    [Fact]
    public async Task Unreachable_February31_NeverFiresWarnsAndCanStillBeTriggered()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(
            probe,
            b => b.AddJob<ProbeJob>("0 0 31 2 *", j => j.WithName("never")),
            services: s => s.AddLogging(l => l.AddFakeLogging()));

        Assert.Null(host.Scheduler.GetJob("never").NextRunAt);
        var warning = Assert.Single(host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot(), r => r.Id.Id == 1002);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("never", warning.Message, StringComparison.Ordinal);

        await host.AdvanceAsync(TimeSpan.FromDays(800));
        Assert.Empty(probe.Calls);

        var manual = await host.RunJobAsync("never");
        Assert.Equal(JobTrigger.Manual, manual.Trigger);
        Assert.Equal(JobSessionStatus.Succeeded, manual.Status);
    }
}
