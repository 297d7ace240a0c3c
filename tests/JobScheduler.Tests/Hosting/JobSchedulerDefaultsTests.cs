using JobScheduler.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JobScheduler.Tests.Hosting;

/// <summary>
/// Pins every default: a changed default is a behaviour change for every user, so it must change a test too.
/// Values are written as literals on purpose, not read back from <see cref="JobSchedulerDefaults"/>.
/// </summary>
public sealed class JobSchedulerDefaultsTests
{
    [Fact]
    public void EnsureDefaults()
    {
        Assert.Equal("JobScheduler", JobSchedulerDefaults.ConfigurationSection);
        Assert.Equal(32, JobSchedulerDefaults.MaxConcurrentRuns);
        Assert.Equal(4096, JobSchedulerDefaults.MaxErrorLength);
        Assert.Equal(256, JobSchedulerDefaults.MinErrorLength);
        Assert.Equal(TimeSpan.FromSeconds(15), JobSchedulerDefaults.ShutdownGracePeriod);
        Assert.Equal(TimeSpan.FromMinutes(1), JobSchedulerDefaults.MaxTimerWait);
        Assert.Equal(TimeSpan.FromMinutes(1), JobSchedulerDefaults.MisfireThreshold);
        Assert.Equal(TimeSpan.FromSeconds(10), JobSchedulerDefaults.RetryDelay);
        Assert.Equal("UTC", JobSchedulerDefaults.TimeZoneId);
        Assert.Equal(10_000, JobSchedulerDefaults.MaxBufferedWrites);
        Assert.Equal(TimeSpan.FromSeconds(5), JobSchedulerDefaults.StoreWriteTimeout);
        Assert.Equal(TimeSpan.FromHours(1), JobSchedulerDefaults.RetentionSweepInterval);
    }

    [Fact]
    public void JobSchedulerOptions_EnsureDefaults()
    {
        var options = new JobSchedulerOptions();

        Assert.Equal(32, options.MaxConcurrentRuns);
        Assert.Equal(TimeSpan.FromSeconds(15), options.ShutdownGracePeriod);
        Assert.Equal(Environment.MachineName, options.InstanceId);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxTimerWait);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MisfireThreshold);
        Assert.Equal(4096, options.MaxErrorLength);
        Assert.Equal(TimeSpan.FromSeconds(5), options.StoreWriteTimeout);
        Assert.Equal(10_000, options.MaxBufferedWrites);
        Assert.Null(options.SessionRetention);
        Assert.Null(options.MaxSessionsPerJob);
        Assert.Empty(options.Jobs);
    }

    [Fact]
    public void JobSchedulerOptions_EveryPropertyHasItsDefaultPinnedHere()
    {
        // A new option must get a line in JobSchedulerOptions_EnsureDefaults, then a name here.
        string[] pinned =
        [
            "MaxConcurrentRuns", "ShutdownGracePeriod", "InstanceId", "MaxTimerWait", "MisfireThreshold", "MaxErrorLength",
            "StoreWriteTimeout", "MaxBufferedWrites", "SessionRetention", "MaxSessionsPerJob", "Jobs",
        ];

        Assert.Equal(pinned.Order(), typeof(JobSchedulerOptions).GetProperties().Select(p => p.Name).Order());
    }

    [Fact]
    public void JobSchedulerOptions_Jobs_AreKeyedCaseInsensitively()
    {
        var options = new JobSchedulerOptions();

        options.Jobs["Nightly-Report"] = new JobOptions { Enabled = false };

        Assert.True(options.Jobs.ContainsKey("NIGHTLY-REPORT"));
    }

    [Fact]
    public void JobOptions_EnsureDefaults_EveryOverrideUnset()
    {
        var options = new JobOptions();

        Assert.Null(options.Enabled);
        Assert.Null(options.Cron);
        Assert.Null(options.Interval);
        Assert.Null(options.TimeZone);
        Assert.Null(options.Timeout);
        Assert.Null(options.MaxRetries);
        Assert.Null(options.RetryDelay);
        Assert.Null(options.Overlap);
        Assert.Null(options.Misfire);
    }

    [Fact]
    public void InMemorySessionStoreOptions_EnsureDefaults()
        => Assert.Equal(100, new InMemorySessionStoreOptions().MaxSessionsPerJob);

    [Fact]
    public void JobSessionQuery_EnsureDefaults()
    {
        var query = new JobSessionQuery();

        Assert.Null(query.JobName);
        Assert.Null(query.Status);
        Assert.Null(query.Since);
        Assert.Equal(100, query.Limit);
    }

    [Fact]
    public void JobSession_EnsureDefaults()
    {
        var session = new JobSession { Id = Guid.Empty, JobName = "x" };

        Assert.Equal(1, session.Attempt);
        Assert.Empty(session.Metadata);
        Assert.Equal(JobSessionStatus.Running, session.Status);
        Assert.Equal(JobTrigger.Scheduled, session.Trigger);
        Assert.Null(session.EndedAt);
        Assert.Null(session.Duration);
        Assert.Null(session.Error);
        Assert.Null(session.InstanceId);
    }

    [Fact]
    public void Enums_DefaultToTheDocumentedValues()
    {
        Assert.Equal(OverlapPolicy.Skip, default(OverlapPolicy));
        Assert.Equal(MisfirePolicy.Skip, default(MisfirePolicy));
        Assert.Equal(RetryBackoff.Constant, default(RetryBackoff));
        Assert.Equal(JobTrigger.Scheduled, default(JobTrigger));
    }

    [Fact]
    public void Attributes_EnsureDefaults()
    {
        var cron = new CronJobAttribute("0 9 * * *");
        var interval = new IntervalJobAttribute("00:15:00");
        var retry = new JobRetryAttribute(3);

        Assert.Null(cron.Name);
        Assert.Null(cron.TimeZone);
        Assert.False(cron.RunOnStartup);
        Assert.Null(interval.Name);
        Assert.False(interval.RunOnStartup);
        Assert.Null(retry.Delay);
        Assert.Equal(RetryBackoff.Constant, retry.Backoff);
        Assert.False(retry.UseJitter);
    }

    [Fact]
    public void Registration_WithNoAttributesOrCode_EnsureDefaults()
    {
        var registration = JobRegistration.FromAttributes(typeof(BareJob));

        Assert.Equal("BareJob", registration.EffectiveName);
        Assert.Null(registration.Cron);
        Assert.Null(registration.Interval);
        Assert.Null(registration.TimeZone);
        Assert.Null(registration.Timeout);
        Assert.Equal(0, registration.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(10), registration.RetryDelay);
        Assert.Equal(RetryBackoff.Constant, registration.Backoff);
        Assert.False(registration.UseJitter);
        Assert.Equal(OverlapPolicy.Skip, registration.Overlap);
        Assert.Equal(MisfirePolicy.Skip, registration.Misfire);
        Assert.False(registration.RunOnStartup);
        Assert.Empty(registration.Problems);
    }

    [Fact]
    public void JobBuilder_WithRetry_DefaultsToTenSecondsConstantWithoutJitter()
    {
        var registration = new JobRegistration(typeof(BareJob)) { Backoff = RetryBackoff.Exponential, UseJitter = true };

        new JobBuilder(registration).WithRetry(3);

        Assert.Equal(3, registration.MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(10), registration.RetryDelay);
        Assert.Equal(RetryBackoff.Constant, registration.Backoff);
        Assert.False(registration.UseJitter);
    }

    [Fact]
    public void ResolvedOptions_WithoutConfiguration_AreTheDefaults()
    {
        using var provider = new ServiceCollection().AddJobScheduler().Services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<JobSchedulerOptions>>().Value;

        Assert.Equal(32, options.MaxConcurrentRuns);
        Assert.Equal(TimeSpan.FromSeconds(15), options.ShutdownGracePeriod);
        Assert.Equal(Environment.MachineName, options.InstanceId);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MaxTimerWait);
        Assert.Equal(TimeSpan.FromMinutes(1), options.MisfireThreshold);
        Assert.Equal(4096, options.MaxErrorLength);
        Assert.Equal(TimeSpan.FromSeconds(5), options.StoreWriteTimeout);
        Assert.Equal(10_000, options.MaxBufferedWrites);
        Assert.Null(options.SessionRetention);
        Assert.Null(options.MaxSessionsPerJob);
        Assert.Equal(100, provider.GetRequiredService<IOptions<InMemorySessionStoreOptions>>().Value.MaxSessionsPerJob);
    }

    [Fact]
    public async Task OnDemandJob_WithNoSettings_IsUtcEnabledUnpausedAndUnscheduled()
    {
        using var host = TestHosts.Build(b => b.AddJob<BareJob>());
        await host.StartAsync();

        var info = host.Services.GetRequiredService<IJobScheduler>().GetJob("BareJob");

        Assert.Equal("UTC", info.TimeZone);
        Assert.Null(info.Schedule);
        Assert.Null(info.NextRunAt);
        Assert.True(info.IsEnabled);
        Assert.False(info.IsPaused);
        Assert.Equal(0, info.RunningCount);
        Assert.Null(info.LastSession);
        Assert.Equal(typeof(BareJob).FullName, info.JobType);
        await host.StopAsync();
    }

    private sealed class BareJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
