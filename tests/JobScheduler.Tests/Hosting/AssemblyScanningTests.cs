using JobScheduler.Hosting;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using static JobScheduler.Tests.Hosting.EmittedJobAssembly;
using static JobScheduler.Tests.Hosting.TestHosts;

namespace JobScheduler.Tests.Hosting;

/// <summary>
/// <c>AddJobsFromAssembly</c> registers exactly the classes with a schedule attribute and reads every JobScheduler
/// attribute on them. The scanned assemblies are emitted per test (<see cref="EmittedJobAssembly"/>), so the result is
/// known in full.
/// </summary>
public sealed class AssemblyScanningTests
{
    private static List<JobRegistration> ScanRegistrations(Action<IJobSchedulerBuilder> scan)
    {
        var services = new ServiceCollection();
        scan(services.AddJobScheduler());
        return [.. services.Where(d => d.ServiceType == typeof(JobRegistration)).Select(d => (JobRegistration)d.ImplementationInstance!)];
    }

    [Fact]
    public void AddJobsFromAssembly_PicksOnlyClassesWithAScheduleAttribute_InFullNameOrder()
    {
        var jobs = new EmittedJobAssembly();
        var report = jobs.AddClass("Acme.Jobs.Report", Cron("0 9 * * *"));
        var poller = jobs.AddClass("Acme.Jobs.Poller", Interval("00:05:00"));
        jobs.AddClass("Acme.Jobs.Helper");                       // an IJob without a schedule attribute
        jobs.AddClass("Acme.Jobs.TimedHelper", Timeout("00:01:00")); // policy attributes alone do not make a scheduled job
        jobs.AddClass("Acme.Services.Clock", [], baseType: typeof(object));
        var archive = jobs.AddClass("Acme.Archive.Nightly", Cron("0 2 * * *", name: "archive"));

        var registrations = ScanRegistrations(b => b.AddJobsFromAssembly(jobs.Assembly));

        Assert.Equal([archive, poller, report], registrations.Select(r => r.JobType));
    }

    [Fact]
    public void AddJobsFromAssemblyContaining_ScansTheMarkersAssembly()
    {
        var jobs = new EmittedJobAssembly();
        var marker = jobs.AddClass("Acme.Program", [], baseType: typeof(object));
        var report = jobs.AddClass("Acme.Jobs.Report", Cron("0 9 * * *"));
        var method = typeof(JobSchedulerBuilderExtensions).GetMethod(nameof(JobSchedulerBuilderExtensions.AddJobsFromAssemblyContaining))!;

        var registrations = ScanRegistrations(b => method.MakeGenericMethod(marker).Invoke(null, [b]));

        Assert.Equal(report, Assert.Single(registrations).JobType);
    }

    [Fact]
    public void AddJobsFromAssemblyContaining_AssemblyWithoutJobs_AddsNothing()
        => Assert.Empty(ScanRegistrations(b => b.AddJobsFromAssemblyContaining<JobSchedulerTestHost>()));

    [Fact]
    public void AddJobsFromAssembly_ReadsEveryAttribute()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass(
            "Acme.Jobs.Report",
            Cron("0 8 * * 1-5", name: "daily-report", timeZone: "Europe/Berlin", runOnStartup: true),
            Timeout("00:05:00"),
            Retry(3, delay: "00:00:30", backoff: RetryBackoff.Exponential, useJitter: true),
            Overlap(OverlapPolicy.Queue),
            Misfire(MisfirePolicy.RunOnce));

        var registration = Assert.Single(ScanRegistrations(b => b.AddJobsFromAssembly(jobs.Assembly)));

        Assert.Equal("daily-report", registration.EffectiveName);
        Assert.Equal("0 8 * * 1-5", registration.Cron);
        Assert.Null(registration.Interval);
        Assert.Equal("Europe/Berlin", registration.TimeZone);
        Assert.True(registration.RunOnStartup);
        Assert.Equal(TimeSpan.FromMinutes(5), registration.Timeout);
        Assert.Equal(3, registration.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(30), registration.RetryDelay);
        Assert.Equal(RetryBackoff.Exponential, registration.Backoff);
        Assert.True(registration.UseJitter);
        Assert.Equal(OverlapPolicy.Queue, registration.Overlap);
        Assert.Equal(MisfirePolicy.RunOnce, registration.Misfire);
        Assert.Empty(registration.Problems);
    }

    [Fact]
    public void AddJobsFromAssembly_ReadsIntervalJobNameAndRunOnStartup()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.Poller", Interval("1.00:00:00", name: "poll", runOnStartup: true), Retry(1));

        var registration = Assert.Single(ScanRegistrations(b => b.AddJobsFromAssembly(jobs.Assembly)));

        Assert.Equal("poll", registration.EffectiveName);
        Assert.Equal(TimeSpan.FromDays(1), registration.Interval);
        Assert.Null(registration.Cron);
        Assert.True(registration.RunOnStartup);
        Assert.Equal(1, registration.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(10), registration.RetryDelay); // [JobRetry] without Delay
    }

    [Fact]
    public async Task AddJobsFromAssembly_ScannedJobs_RunAsTheirAttributesSay()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.Report", Cron("0 8 * * 1-5", name: "daily-report", timeZone: "Europe/Berlin", runOnStartup: true));
        jobs.AddClass("Acme.Jobs.Poller", Interval("00:30:00", name: "poll"));
        jobs.AddClass("Acme.Jobs.Cleanup", Cron("0 3 * * *"));
        var log = new RunLog();
        await using var host = await JobSchedulerTestHost.StartAsync(
            s => s.AddSingleton(log).AddJobScheduler().AddJobsFromAssembly(jobs.Assembly),
            new JobSchedulerTestHostOptions { StartTime = Start }); // Monday 2026-01-05 00:00Z

        Assert.Equal(["Cleanup", "daily-report", "poll"], host.Scheduler.GetJobs().Select(j => j.Name));
        var report = host.Scheduler.GetJob("daily-report");
        Assert.Equal("0 8 * * 1-5", report.Schedule);
        Assert.Equal("Europe/Berlin", report.TimeZone);
        Assert.Equal(Start.AddHours(7), report.NextRunAt);         // 08:00 CET
        Assert.Equal("00:30:00", host.Scheduler.GetJob("poll").Schedule);
        Assert.Equal("UTC", host.Scheduler.GetJob("Cleanup").TimeZone);

        await host.AdvanceAsync(TimeSpan.FromHours(8));

        Assert.Equal(
            [("daily-report", Start, JobTrigger.Scheduled), ("daily-report", Start.AddHours(7), JobTrigger.Scheduled)],
            log.Runs.Where(r => r.JobName == "daily-report")); // RunOnStartup, then the schedule
        Assert.Equal(16, log.Runs.Count(r => r.JobName == "poll"));
        Assert.Equal([Start.AddHours(3)], log.Runs.Where(r => r.JobName == "Cleanup").Select(r => r.ScheduledAt));
    }

    [Fact]
    public async Task AddJobsFromAssembly_ScannedTimeoutAndRetry_ApplyToRuns()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.Stuck", [Cron("0 9 * * *"), Timeout("00:00:05"), Retry(2, delay: "00:00:20", backoff: RetryBackoff.Linear)], baseType: typeof(StuckJob));
        await using var host = await JobSchedulerTestHost.StartAsync(
            s => s.AddJobScheduler().AddJobsFromAssembly(jobs.Assembly),
            new JobSchedulerTestHostOptions { StartTime = Start });

        var last = await host.RunJobAsync("Stuck");

        Assert.Equal(JobSessionStatus.TimedOut, last.Status);
        var sessions = await host.GetSessionsAsync("Stuck");
        Assert.All(sessions, s => Assert.Equal(TimeSpan.FromSeconds(5), s.Duration));
        // attempt 1 at 0 s, times out at 5 s; linear backoff waits 20 s then 40 s
        Assert.Equal([Start, Start.AddSeconds(25), Start.AddSeconds(70)], sessions.Select(s => s.StartedAt));
    }

    [Fact]
    public async Task AddJobsFromAssembly_ScannedOverlapQueue_QueuesTheSecondRun()
    {
        var jobs = new EmittedJobAssembly();
        jobs.AddClass("Acme.Jobs.Slow", [Cron("0 9 * * *"), Overlap(OverlapPolicy.Queue)], baseType: typeof(SlowJob));
        await using var host = await JobSchedulerTestHost.StartAsync(
            s => s.AddJobScheduler().AddJobsFromAssembly(jobs.Assembly),
            new JobSchedulerTestHostOptions { StartTime = Start });

        await host.Scheduler.TriggerAsync("Slow");
        var second = await host.Scheduler.TriggerAsync("Slow");
        await host.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.Equal(Start.AddMinutes(1), (await second.Completion).StartedAt);
    }

    [Fact]
    public void AddJob_ReadsAttributesOfTheClassToo_AndCodeWins()
    {
        var registrations = ScanRegistrations(b => b.AddJob<AttributedPolicyJob>("0 9 * * *", j => j.WithRetry(1)));

        var registration = Assert.Single(registrations);
        Assert.Equal(TimeSpan.FromMinutes(2), registration.Timeout);            // [JobTimeout] read
        Assert.Equal(OverlapPolicy.Allow, registration.Overlap);                 // [JobOverlap] read
        Assert.Equal(MisfirePolicy.RunOnce, registration.Misfire);               // [JobMisfire] read
        Assert.Equal(1, registration.MaxRetries);                                // code wins over [JobRetry(4)]
        Assert.Equal(TimeSpan.FromSeconds(10), registration.RetryDelay);
    }

    /// <summary>Waits far longer than any timeout, on the scheduler's clock, honouring its token. (Emitted subclasses get a default constructor only.)</summary>
    public class StuckJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
            => Task.Delay(TimeSpan.FromHours(1), context.Services.GetRequiredService<TimeProvider>(), cancellationToken);
    }

    /// <summary>Takes a minute on the scheduler's clock.</summary>
    public class SlowJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
            => Task.Delay(TimeSpan.FromMinutes(1), context.Services.GetRequiredService<TimeProvider>(), cancellationToken);
    }

    [JobTimeout("00:02:00")]
    [JobRetry(4, Delay = "00:01:00")]
    [JobOverlap(OverlapPolicy.Allow)]
    [JobMisfire(MisfirePolicy.RunOnce)]
    private sealed class AttributedPolicyJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
