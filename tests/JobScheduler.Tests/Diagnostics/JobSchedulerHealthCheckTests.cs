using JobScheduler.Diagnostics;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace JobScheduler.Tests.Diagnostics;

public sealed class JobSchedulerHealthCheckTests
{
    [Fact]
    public async Task CheckHealth_RunningWithoutFailures_Healthy()
    {
        await using var host = await StartAsync(new JobBodies(), s => s.AddJob<DiagnosticsJob>("0 10 * * *", j => j.WithName("ten")));

        await host.AdvanceToAsync(DiagnosticsHost.Start.AddHours(1));
        var entry = await host.Services.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal("running", entry.Data["state"]);
        Assert.Equal(0, entry.Data["failedRuns"]);
        Assert.Empty((IReadOnlyDictionary<string, int>)entry.Data["failedJobs"]);
        Assert.Empty((IReadOnlyDictionary<string, TimeSpan>)entry.Data["runningJobs"]);
        Assert.Empty((IReadOnlyDictionary<string, TimeSpan>)entry.Data["overdueJobs"]);
        Assert.Equal(TimeSpan.FromHours(1), entry.Data["failureWindow"]);
    }

    [Fact]
    public async Task CheckHealth_OneFailedRun_DegradedNamingTheJob()
    {
        var bodies = new JobBodies().On("sync", JobBodies.Fails());
        await using var host = await StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("sync")));

        await host.RunJobAsync("sync");
        var entry = await host.Services.CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, entry.Status);
        Assert.Equal(1, entry.Data["failedRuns"]);
        Assert.Equal(1, ((IReadOnlyDictionary<string, int>)entry.Data["failedJobs"])["sync"]);
        Assert.Equal("1 failed run(s) in the last 01:00:00 (degraded from 1): sync (1).", entry.Description);
    }

    [Fact]
    public async Task CheckHealth_TimedOutRun_CountsAsAFailure()
    {
        var bodies = new JobBodies().On("slow", JobBodies.Takes(TimeSpan.FromMinutes(1)));
        await using var host = await StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("slow").WithTimeout(TimeSpan.FromSeconds(5))));

        await host.RunJobAsync("slow");

        Assert.Equal(HealthStatus.Degraded, (await host.Services.CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task CheckHealth_UnhealthyAfterFailures_Unhealthy()
    {
        var bodies = new JobBodies().On("sync", JobBodies.Fails());
        await using var host = await StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("sync")));

        for (var i = 0; i < 4; i++)
        {
            await host.RunJobAsync("sync");
        }

        Assert.Equal(HealthStatus.Degraded, (await host.Services.CheckHealthAsync()).Status);

        await host.RunJobAsync("sync");
        var entry = await host.Services.CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal(5, entry.Data["failedRuns"]);
        Assert.Contains("unhealthy from 5", entry.Description);
    }

    [Fact]
    public async Task CheckHealth_ConfiguredThresholdsAndFailureStatus_AreUsed()
    {
        var bodies = new JobBodies().On("sync", JobBodies.Fails());
        await using var host = await StartAsync(
            bodies,
            s => s.AddJob<DiagnosticsJob>(j => j.WithName("sync")),
            checks => checks.AddJobScheduler(o => { o.DegradedAfterFailures = 2; o.UnhealthyAfterFailures = 3; }, failureStatus: HealthStatus.Degraded));

        await host.RunJobAsync("sync");
        Assert.Equal(HealthStatus.Healthy, (await host.Services.CheckHealthAsync()).Status);

        await host.RunJobAsync("sync");
        await host.RunJobAsync("sync");
        var entry = await host.Services.CheckHealthAsync();

        Assert.Equal(HealthStatus.Degraded, entry.Status); // the registration's failure status, not Unhealthy
        Assert.Contains("unhealthy from 3", entry.Description);
    }

    [Fact]
    public async Task CheckHealth_FailuresOlderThanTheWindow_HealthyAgain()
    {
        var bodies = new JobBodies().On("sync", JobBodies.Fails());
        await using var host = await StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("sync")));
        await host.RunJobAsync("sync");

        await host.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.Equal(HealthStatus.Degraded, (await host.Services.CheckHealthAsync()).Status); // exactly one hour: still inside

        await host.AdvanceAsync(TimeSpan.FromSeconds(1));
        var entry = await host.Services.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(0, entry.Data["failedRuns"]);
    }

    [Fact]
    public async Task CheckHealth_RetriedAndSucceeded_NotAFailure()
    {
        var bodies = new JobBodies().On("flaky", JobBodies.FailsFirst(2));
        await using var host = await StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("flaky").WithRetry(2, TimeSpan.FromSeconds(10))));

        await host.RunJobAsync("flaky");

        Assert.Equal(HealthStatus.Healthy, (await host.Services.CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task CheckHealth_RetriesExhausted_OneFailedRun()
    {
        var bodies = new JobBodies().On("flaky", JobBodies.Fails());
        await using var host = await StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("flaky").WithRetry(2, TimeSpan.FromSeconds(10))));

        await host.RunJobAsync("flaky");

        Assert.Equal(1, (await host.Services.CheckHealthAsync()).Data["failedRuns"]);
    }

    [Fact]
    public async Task CheckHealth_JobRunning_ListedWithHowLongOnTheSchedulersClock()
    {
        var bodies = new JobBodies().On("long", JobBodies.Takes(TimeSpan.FromMinutes(10)));
        await using var host = await StartAsync(bodies, s => s.AddJob<DiagnosticsJob>(j => j.WithName("long")));

        var handle = await host.Scheduler.TriggerAsync("long");
        await host.AdvanceAsync(TimeSpan.FromMinutes(3));
        var entry = await host.Services.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, entry.Status);
        Assert.Equal(TimeSpan.FromMinutes(3), ((IReadOnlyDictionary<string, TimeSpan>)entry.Data["runningJobs"])["long"]);
        Assert.Contains("1 job(s) running", entry.Description);

        await host.AdvanceAsync(TimeSpan.FromMinutes(7));
        await handle.Completion;

        Assert.Empty((IReadOnlyDictionary<string, TimeSpan>)(await host.Services.CheckHealthAsync()).Data["runningJobs"]);
    }

    [Fact]
    public async Task CheckHealth_NotStarted_Unhealthy()
    {
        using var host = BuildHost();

        var entry = await host.Services.CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("not_started", entry.Data["state"]);
        Assert.Contains("has not started", entry.Description);
    }

    [Fact]
    public async Task CheckHealth_NotStarted_ReportsTheRegistrationsFailureStatus()
    {
        using var host = BuildHost(checks => checks.AddJobScheduler(failureStatus: HealthStatus.Degraded));

        Assert.Equal(HealthStatus.Degraded, (await host.Services.CheckHealthAsync()).Status);
    }

    [Fact]
    public async Task CheckHealth_Stopped_Unhealthy()
    {
        using var host = BuildHost();
        await host.StartAsync();
        Assert.Equal(HealthStatus.Healthy, (await host.Services.CheckHealthAsync()).Status);

        await host.StopAsync();
        var entry = await host.Services.CheckHealthAsync();

        Assert.Equal(HealthStatus.Unhealthy, entry.Status);
        Assert.Equal("stopped", entry.Data["state"]);
    }

    [Theory]
    [InlineData("00:00:00", HealthStatus.Healthy)]     // due now: the timer is firing it
    [InlineData("00:01:00", HealthStatus.Healthy)]     // late by exactly the tolerance
    [InlineData("00:01:00.001", HealthStatus.Unhealthy)]
    [InlineData("01:00:00", HealthStatus.Unhealthy)]
    public async Task CheckHealth_JobPastItsNextRunTime_UnhealthyBeyondTheTolerance(string late, HealthStatus expected)
    {
        var now = DiagnosticsHost.Start;
        var scheduler = new StuckScheduler(
            Job("stuck", next: now - TestSpan(late)),
            Job("paused", next: null, paused: true),
            Job("later", next: now.AddHours(1)));

        var result = await CheckAsync(scheduler, now);

        Assert.Equal(expected, result.Status);
        var overdue = (IReadOnlyDictionary<string, TimeSpan>)result.Data["overdueJobs"];
        if (expected == HealthStatus.Healthy)
        {
            Assert.Empty(overdue);
        }
        else
        {
            Assert.Equal(TestSpan(late), Assert.Single(overdue, o => o.Key == "stuck").Value);
            Assert.Contains("1 job(s) overdue by more than 00:01:00 (the scheduler looks stuck): stuck (by ", result.Description);
        }
    }

    [Fact]
    public async Task CheckHealth_Overdue_RespectsToleranceOptionAndFailureStatus()
    {
        var now = DiagnosticsHost.Start;
        var scheduler = new StuckScheduler(Job("stuck", next: now.AddMinutes(-3)));

        var relaxed = await CheckAsync(scheduler, now, new JobSchedulerHealthCheckOptions { OverdueTolerance = TimeSpan.FromMinutes(5) });
        var degraded = await CheckAsync(scheduler, now, failureStatus: HealthStatus.Degraded);

        Assert.Equal(HealthStatus.Healthy, relaxed.Status);
        Assert.Equal(HealthStatus.Degraded, degraded.Status);
    }

    [Fact]
    public async Task CheckHealth_SchedulerKeepsItsSchedule_NoJobIsEverOverdue()
    {
        // A day of an every-minute job on the fake clock: NextRunAt moves on as each occurrence fires.
        await using var host = await StartAsync(new JobBodies(), s => s.AddJob<DiagnosticsJob>("* * * * *", j => j.WithName("minutely")));

        for (var hour = 0; hour < 24; hour++)
        {
            await host.AdvanceAsync(TimeSpan.FromHours(1));
            Assert.Equal(HealthStatus.Healthy, (await host.Services.CheckHealthAsync()).Status);
        }
    }

    [Fact]
    public async Task CheckHealth_WithoutAddJobScheduler_ExplainsWhatIsMissing()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddHealthChecks().AddJobScheduler();
        using var provider = services.BuildServiceProvider();

        // Like any check whose services are missing, the misconfiguration surfaces from the first probe.
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => provider.CheckHealthAsync());

        Assert.Contains("call services.AddJobScheduler()", exception.Message);
    }

    [Fact]
    public async Task AddJobScheduler_CustomNameAndTags_RegisteredAsGiven()
    {
        await using var host = await StartAsync(
            new JobBodies(),
            s => s.AddJob<DiagnosticsJob>(j => j.WithName("any")),
            checks => checks.AddJobScheduler(name: "scheduler", tags: ["ready"]));

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));

        var entry = Assert.Single(report.Entries);
        Assert.Equal("scheduler", entry.Key);
        Assert.Equal(["ready"], entry.Value.Tags);
    }

    [Fact]
    public void AddJobScheduler_InvalidArguments_Throw()
    {
        var checks = new ServiceCollection().AddHealthChecks();

        Assert.Throws<ArgumentNullException>("builder", () => JobSchedulerHealthChecksBuilderExtensions.AddJobScheduler(null!));
        Assert.Throws<ArgumentNullException>("name", () => checks.AddJobScheduler(name: null!));
        Assert.Throws<ArgumentException>("name", () => checks.AddJobScheduler(name: " "));
    }

    private static Task<JobSchedulerTestHost> StartAsync(
        JobBodies bodies,
        Action<IJobSchedulerBuilder> jobs,
        Action<IHealthChecksBuilder>? checks = null)
        => DiagnosticsHost.StartAsync(bodies, jobs, services =>
        {
            var builder = services.AddHealthChecks();
            if (checks is null)
            {
                builder.AddJobScheduler();
            }
            else
            {
                checks(builder);
            }
        });

    private static IHost BuildHost(Action<IHealthChecksBuilder>? checks = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(DiagnosticsHost.Start));
        builder.Services.AddSingleton(new JobBodies());
        builder.Services.AddJobScheduler().AddJob<DiagnosticsJob>("0 10 * * *", j => j.WithName("ten"));
        var healthChecks = builder.Services.AddHealthChecks();
        (checks ?? (c => c.AddJobScheduler())).Invoke(healthChecks);
        return builder.Build();
    }

    private static Task<HealthCheckResult> CheckAsync(
        IJobScheduler scheduler,
        DateTimeOffset now,
        JobSchedulerHealthCheckOptions? options = null,
        HealthStatus failureStatus = HealthStatus.Unhealthy)
    {
        var state = new JobSchedulerHealthState();
        state.MarkStarted();
        var check = new JobSchedulerHealthCheck(scheduler, state, new FakeTimeProvider(now), options ?? new JobSchedulerHealthCheckOptions());
        var context = new HealthCheckContext { Registration = new HealthCheckRegistration("jobscheduler", check, failureStatus, tags: null) };
        return check.CheckHealthAsync(context);
    }

    private static JobInfo Job(string name, DateTimeOffset? next, bool paused = false)
        => new() { Name = name, JobType = typeof(DiagnosticsJob).FullName!, TimeZone = "UTC", Schedule = "* * * * *", NextRunAt = next, IsPaused = paused };

    private static TimeSpan TestSpan(string text) => TimeSpan.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// A scheduler whose jobs' next run times stay where they are, as they would if its timer stopped firing. The fake
    /// clock of a real scheduler always fires the timer, so a stuck one can only be stood in for.
    /// </summary>
    private sealed class StuckScheduler(params JobInfo[] jobs) : IJobScheduler
    {
        public IReadOnlyList<JobInfo> GetJobs() => jobs;

        public JobInfo GetJob(string name) => jobs.Single(j => j.Name == name);

        public Task<JobRunHandle> TriggerAsync(string name, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<Guid> ScheduleOnceAsync(string name, DateTimeOffset runAt, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public void Pause(string name) => throw new NotSupportedException();

        public void Resume(string name) => throw new NotSupportedException();

        public void Reschedule(string name, string cronExpression) => throw new NotSupportedException();

        public void AddJob<TJob>(string? cronExpression, Action<JobBuilder>? configure = null)
            where TJob : class, IJob => throw new NotSupportedException();

        public bool RemoveJob(string name) => throw new NotSupportedException();
    }
}
