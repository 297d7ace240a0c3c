using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static JobScheduler.Tests.Hosting.TestHosts;

namespace JobScheduler.Tests.Hosting;

/// <summary>
/// Configuration (<c>JobScheduler:Jobs:{name}</c>) wins over attributes and code, per job and per value, with
/// case-insensitive keys; code's <c>Configure(...)</c> wins over the <c>JobScheduler</c> section.
/// </summary>
public sealed class ConfigurationOverrideTests
{
    private static async Task<JobSchedulerTestHost> StartAsync(Action<IJobSchedulerBuilder> configure, params (string Key, string Value)[] configuration)
    {
        var options = new JobSchedulerTestHostOptions { StartTime = Start };
        foreach (var (key, value) in configuration)
        {
            options.Configuration[key] = value;
        }

        return await JobSchedulerTestHost.StartAsync(s => configure(s.AddJobScheduler()), options);
    }

    // ---- schedule -----------------------------------------------------------------------------------------------

    [Fact]
    public async Task Enabled_FalseInConfiguration_DisablesTheJob()
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>("*/5 * * * *", j => j.WithName("tick")),
            ("JobScheduler:Jobs:tick:Enabled", "false"));

        var info = host.Scheduler.GetJob("tick");
        Assert.False(info.IsEnabled);
        Assert.Null(info.NextRunAt);
        await host.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Empty(await host.GetSessionsAsync("tick"));
    }

    [Fact]
    public async Task Enabled_TrueInConfiguration_KeepsTheJobRunning()
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>("*/5 * * * *", j => j.WithName("tick")),
            ("JobScheduler:Jobs:tick:Enabled", "true"));

        Assert.True(host.Scheduler.GetJob("tick").IsEnabled);
        await host.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal(12, (await host.GetSessionsAsync("tick")).Count);
    }

    [Fact]
    public async Task Cron_InConfiguration_ReplacesTheCodeSchedule()
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>("0 9 * * *", j => j.WithName("tick")),
            ("JobScheduler:Jobs:tick:Cron", "*/20 * * * *"));

        var info = host.Scheduler.GetJob("tick");
        Assert.Equal("*/20 * * * *", info.Schedule);
        Assert.Equal(Start.AddMinutes(20), info.NextRunAt);
        await host.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal(
            [Start.AddMinutes(20), Start.AddMinutes(40), Start.AddMinutes(60)],
            (await host.GetSessionsAsync("tick")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task Cron_InConfiguration_ReplacesACodeInterval()
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>(j => j.WithName("tick").WithInterval(TimeSpan.FromMinutes(1))),
            ("JobScheduler:Jobs:tick:Cron", "0 9 * * *"));

        Assert.Equal("0 9 * * *", host.Scheduler.GetJob("tick").Schedule);
        Assert.Equal(Start.AddHours(9), await host.AdvanceToNextRunAsync());
        Assert.Single(await host.GetSessionsAsync("tick"));
    }

    [Fact]
    public async Task Interval_InConfiguration_ReplacesTheCronSchedule()
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>("0 9 * * *", j => j.WithName("tick")),
            ("JobScheduler:Jobs:tick:Interval", "00:25:00"));

        var info = host.Scheduler.GetJob("tick");
        Assert.Equal("00:25:00", info.Schedule);
        Assert.Equal(Start.AddMinutes(25), info.NextRunAt);
        await host.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal([Start.AddMinutes(25), Start.AddMinutes(50)], (await host.GetSessionsAsync("tick")).Select(s => s.ScheduledAt));
    }

    [Theory]
    [InlineData("America/New_York",      "2026-01-05T14:00:00Z")] // 09:00 EST
    [InlineData("Eastern Standard Time", "2026-01-05T14:00:00Z")] // Windows id, same zone
    [InlineData("Europe/Berlin",         "2026-01-05T08:00:00Z")] // 09:00 CET; the same zone as the code
    [InlineData("Asia/Tokyo",            "2026-01-06T00:00:00Z")] // 09:00 JST on the 5th is exactly the start: not strictly after
    [InlineData("UTC",                   "2026-01-05T09:00:00Z")]
    public async Task TimeZone_InConfiguration_WinsOverCode(string zone, string expectedNextRun)
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>("0 9 * * *", j => j.WithName("tick").InTimeZone("Europe/Berlin")),
            ("JobScheduler:Jobs:tick:TimeZone", zone));

        var info = host.Scheduler.GetJob("tick");
        Assert.Equal(zone, info.TimeZone);
        Assert.Equal(DateTimeOffset.Parse(expectedNextRun, System.Globalization.CultureInfo.InvariantCulture), info.NextRunAt);
    }

    [Fact]
    public async Task ScheduleAndZone_InConfiguration_WinOverAttributes()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.Report", EmittedJobAssembly.Cron("0 9 * * *", name: "report", timeZone: "Europe/Berlin"));

        await using var host = await StartAsync(
            b => b.AddJobsFromAssembly(jobs.Assembly),
            ("JobScheduler:Jobs:report:Cron", "30 6 * * *"),
            ("JobScheduler:Jobs:report:TimeZone", "America/New_York"));

        var info = host.Scheduler.GetJob("report");
        Assert.Equal("30 6 * * *", info.Schedule);
        Assert.Equal("America/New_York", info.TimeZone);
        Assert.Equal(Start.AddHours(11).AddMinutes(30), info.NextRunAt);
    }

    // ---- run policy (checked through behaviour) -----------------------------------------------------------------

    [Fact]
    public async Task Timeout_InConfiguration_WinsOverCode()
    {
        await using var host = await StartAsync(
            b => b.AddJob<WaitingJob>(j => j.WithName("wait").WithTimeout(TimeSpan.FromMinutes(1))),
            ("JobScheduler:Jobs:wait:Timeout", "00:00:02"));

        var session = await host.RunJobAsync("wait");

        Assert.Equal(JobSessionStatus.TimedOut, session.Status);
        Assert.Equal(TimeSpan.FromSeconds(2), session.Duration);
    }

    [Fact]
    public async Task Timeout_InConfiguration_WinsOverAttribute()
    {
        await using var host = await StartAsync(
            b => b.AddJob<AttributedWaitingJob>(j => j.WithName("wait")),
            ("JobScheduler:Jobs:wait:Timeout", "00:00:03"));

        var session = await host.RunJobAsync("wait");

        Assert.Equal(JobSessionStatus.TimedOut, session.Status);
        Assert.Equal(TimeSpan.FromSeconds(3), session.Duration);
    }

    [Fact]
    public async Task Timeout_InConfigurationOnly_AppliesToAJobWithoutOne()
    {
        await using var host = await StartAsync(
            b => b.AddJob<WaitingJob>(j => j.WithName("wait")),
            ("JobScheduler:Jobs:wait:Timeout", "00:00:04"));

        var session = await host.RunJobAsync("wait");

        Assert.Equal(JobSessionStatus.TimedOut, session.Status);
        Assert.Equal(TimeSpan.FromSeconds(4), session.Duration);
    }

    [Theory]
    [InlineData("0", 1)]
    [InlineData("1", 2)]
    [InlineData("3", 4)]
    public async Task MaxRetries_InConfiguration_WinsOverAttribute(string maxRetries, int expectedAttempts)
    {
        await using var host = await StartAsync(
            b => b.AddJob<AttributedFailingJob>(j => j.WithName("fail")), // [JobRetry(5, Delay = "00:00:01")]
            ("JobScheduler:Jobs:fail:MaxRetries", maxRetries));

        var last = await host.RunJobAsync("fail");

        Assert.Equal(JobSessionStatus.Failed, last.Status);
        Assert.Equal(expectedAttempts, last.Attempt);
        Assert.Equal(Enumerable.Range(1, expectedAttempts), (await host.GetSessionsAsync("fail")).Select(s => s.Attempt));
    }

    [Fact]
    public async Task MaxRetries_InConfigurationOnly_RetriesWithTheDefaultDelay()
    {
        await using var host = await StartAsync(
            b => b.AddJob<FailingJob>(j => j.WithName("fail")),
            ("JobScheduler:Jobs:fail:MaxRetries", "2"));

        await host.RunJobAsync("fail");

        var starts = (await host.GetSessionsAsync("fail")).Select(s => s.StartedAt);
        Assert.Equal([Start, Start.AddSeconds(10), Start.AddSeconds(20)], starts);
    }

    [Fact]
    public async Task RetryDelay_InConfiguration_WinsOverCode()
    {
        await using var host = await StartAsync(
            b => b.AddJob<FailingJob>(j => j.WithName("fail").WithRetry(2, TimeSpan.FromSeconds(5))),
            ("JobScheduler:Jobs:fail:RetryDelay", "00:01:00"));

        await host.RunJobAsync("fail");

        var starts = (await host.GetSessionsAsync("fail")).Select(s => s.StartedAt);
        Assert.Equal([Start, Start.AddMinutes(1), Start.AddMinutes(2)], starts);
    }

    [Theory]
    [InlineData(OverlapPolicy.Skip,  "Allow", JobSessionStatus.Succeeded, 0)]
    [InlineData(OverlapPolicy.Skip,  "Queue", JobSessionStatus.Succeeded, 10)]
    [InlineData(OverlapPolicy.Allow, "Skip",  JobSessionStatus.Skipped,   0)]
    [InlineData(OverlapPolicy.Allow, "queue", JobSessionStatus.Succeeded, 10)] // enum names bind case-insensitively
    public async Task Overlap_InConfiguration_WinsOverCode(OverlapPolicy inCode, string inConfiguration, JobSessionStatus secondStatus, int secondStartsAfterMinutes)
    {
        await using var host = await StartAsync(
            b => b.AddJob<TenMinuteJob>(j => j.WithName("long").WithOverlap(inCode)),
            ("JobScheduler:Jobs:long:Overlap", inConfiguration));

        var first = await host.Scheduler.TriggerAsync("long");
        var second = await host.Scheduler.TriggerAsync("long");
        await host.AdvanceAsync(TimeSpan.FromMinutes(30));

        Assert.Equal(JobSessionStatus.Succeeded, (await first.Completion).Status);
        var secondSession = await second.Completion;
        Assert.Equal(secondStatus, secondSession.Status);
        Assert.Equal(Start.AddMinutes(secondStartsAfterMinutes), secondSession.StartedAt);
    }

    [Theory]
    [InlineData(MisfirePolicy.Skip,    "RunOnce", 1)]
    [InlineData(MisfirePolicy.RunOnce, "Skip",    0)]
    public async Task Misfire_InConfiguration_WinsOverCode(MisfirePolicy inCode, string inConfiguration, int expectedCatchUps)
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>("* * * * *", j => j.WithName("tick").WithMisfire(inCode)),
            ("JobScheduler:Jobs:tick:Misfire", inConfiguration));

        // One jump of an hour, bypassing the host's step-by-step advance: the timer wakes once, an hour late.
        host.Clock.Advance(TimeSpan.FromHours(1));
        await host.WaitForIdleAsync();

        var sessions = await host.GetSessionsAsync("tick");
        Assert.Equal(expectedCatchUps, sessions.Count(s => s.Trigger == JobTrigger.CatchUp));
        Assert.Contains(sessions, s => s.Trigger == JobTrigger.Scheduled && s.ScheduledAt == Start.AddHours(1));
    }

    // ---- keys ---------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("JobScheduler:Jobs:nightly-report:Cron")]
    [InlineData("JOBSCHEDULER:JOBS:NIGHTLY-REPORT:CRON")]
    [InlineData("jobscheduler:jobs:Nightly-Report:cron")]
    public async Task ConfigurationKeys_AnyCase_OverrideTheJob(string key)
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>("0 9 * * *", j => j.WithName("Nightly-Report")),
            (key, "0 7 * * *"));

        Assert.Equal("0 7 * * *", host.Scheduler.GetJob("Nightly-Report").Schedule);
    }

    [Fact]
    public async Task ConfigurationForOneJob_LeavesOtherJobsAlone()
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>("0 9 * * *", j => j.WithName("a")).AddJob<TickJob>("0 9 * * *", j => j.WithName("b")),
            ("JobScheduler:Jobs:a:Cron", "0 7 * * *"),
            ("JobScheduler:Jobs:a:Enabled", "false"));

        Assert.Equal("0 9 * * *", host.Scheduler.GetJob("b").Schedule);
        Assert.True(host.Scheduler.GetJob("b").IsEnabled);
        Assert.Equal("0 7 * * *", host.Scheduler.GetJob("a").Schedule);
    }

    // ---- scheduler options --------------------------------------------------------------------------------------

    [Fact]
    public async Task Section_BindsEverySchedulerOption()
    {
        await using var host = await StartAsync(
            _ => { },
            ("JobScheduler:MaxConcurrentRuns", "7"),
            ("JobScheduler:ShutdownGracePeriod", "00:00:42"),
            ("JobScheduler:InstanceId", "node-7"),
            ("JobScheduler:MaxTimerWait", "00:00:30"),
            ("JobScheduler:MisfireThreshold", "00:05:00"),
            ("JobScheduler:MaxErrorLength", "1000"),
            ("JobScheduler:StoreWriteTimeout", "00:00:02"),
            ("JobScheduler:MaxBufferedWrites", "500"),
            ("JobScheduler:SessionRetention", "7.00:00:00"),
            ("JobScheduler:MaxSessionsPerJob", "250"));

        var options = host.Services.GetRequiredService<IOptions<JobSchedulerOptions>>().Value;

        Assert.Equal(7, options.MaxConcurrentRuns);
        Assert.Equal(TimeSpan.FromSeconds(42), options.ShutdownGracePeriod);
        Assert.Equal("node-7", options.InstanceId);
        Assert.Equal(TimeSpan.FromSeconds(30), options.MaxTimerWait);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MisfireThreshold);
        Assert.Equal(1000, options.MaxErrorLength);
        Assert.Equal(TimeSpan.FromSeconds(2), options.StoreWriteTimeout);
        Assert.Equal(500, options.MaxBufferedWrites);
        Assert.Equal(TimeSpan.FromDays(7), options.SessionRetention);
        Assert.Equal(250, options.MaxSessionsPerJob);
    }

    [Fact]
    public async Task InstanceId_FromConfiguration_IsWrittenOnSessions()
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>(j => j.WithName("tick")),
            ("JobScheduler:InstanceId", "node-7"));

        var session = await host.RunJobAsync("tick");

        Assert.Equal("node-7", session.InstanceId);
    }

    [Fact]
    public async Task MaxConcurrentRuns_FromConfiguration_LimitsRunsAcrossJobs()
    {
        await using var host = await StartAsync(
            b => b.AddJob<TenMinuteJob>(j => j.WithName("a")).AddJob<TenMinuteJob>(j => j.WithName("b")),
            ("JobScheduler:MaxConcurrentRuns", "1"));

        var a = await host.Scheduler.TriggerAsync("a");
        var b = await host.Scheduler.TriggerAsync("b");
        await host.AdvanceAsync(TimeSpan.FromMinutes(30));

        Assert.Equal(Start, (await a.Completion).StartedAt);
        Assert.Equal(Start.AddMinutes(10), (await b.Completion).StartedAt);
    }

    [Fact]
    public async Task Configure_InCode_WinsOverTheSection()
    {
        await using var host = await StartAsync(
            b => b.Configure(o => { o.MaxConcurrentRuns = 3; o.InstanceId = "from-code"; }),
            ("JobScheduler:MaxConcurrentRuns", "5"),
            ("JobScheduler:InstanceId", "from-config"),
            ("JobScheduler:MaxErrorLength", "1000"));

        var options = host.Services.GetRequiredService<IOptions<JobSchedulerOptions>>().Value;

        Assert.Equal(3, options.MaxConcurrentRuns);
        Assert.Equal("from-code", options.InstanceId);
        Assert.Equal(1000, options.MaxErrorLength); // not set in code: the section still applies
    }

    [Fact]
    public async Task AddJobSchedulerWithConfigure_WinsOverTheSection()
    {
        var options = new JobSchedulerTestHostOptions { StartTime = Start };
        options.Configuration["JobScheduler:MaxConcurrentRuns"] = "5";
        await using var host = await JobSchedulerTestHost.StartAsync(s => s.AddJobScheduler(o => o.MaxConcurrentRuns = 2), options);

        Assert.Equal(2, host.Services.GetRequiredService<IOptions<JobSchedulerOptions>>().Value.MaxConcurrentRuns);
    }

    [Fact]
    public async Task Configure_JobOverrideInCode_WinsOverTheSection()
    {
        await using var host = await StartAsync(
            b => b.AddJob<TickJob>("0 9 * * *", j => j.WithName("tick"))
                .Configure(o => o.Jobs["TICK"] = new JobOptions { Cron = "0 6 * * *" }),
            ("JobScheduler:Jobs:tick:Cron", "0 7 * * *"));

        Assert.Equal("0 6 * * *", host.Scheduler.GetJob("tick").Schedule);
    }

    private sealed class TickJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class FailingJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");
    }

    [JobRetry(5, Delay = "00:00:01")]
    private sealed class AttributedFailingJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");
    }

    private sealed class WaitingJob(TimeProvider time) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.Delay(TimeSpan.FromSeconds(10), time, cancellationToken);
    }

    [JobTimeout("00:01:00")]
    private sealed class AttributedWaitingJob(TimeProvider time) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.Delay(TimeSpan.FromSeconds(10), time, cancellationToken);
    }

    private sealed class TenMinuteJob(TimeProvider time) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.Delay(TimeSpan.FromMinutes(10), time, cancellationToken);
    }
}
