using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Tests.Hosting;

/// <summary>
/// Bad input at run time (<see cref="IJobScheduler"/> calls) fails at once with an exception that names the job and the
/// value, and leaves the scheduler as it was.
/// </summary>
public sealed class RuntimeValidationTests
{
    private static readonly string Plain = typeof(PlainJob).FullName!;

    private static Task<JobSchedulerTestHost> StartAsync(JobSchedulerTestHostOptions? options = null) => JobSchedulerTestHost.StartAsync(
        s => s.AddJobScheduler()
            .AddJob<PlainJob>("0 9 * * *", j => j.WithName("beta"))
            .AddJob<OtherJob>("0 10 * * *", j => j.WithName("alpha")),
        options);

    // ---- AddJob -------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("0 61 * * *",    "invalid cron expression '0 61 * * *'")]
    [InlineData("not a cron",    "cron expression 'not a cron' has 3 fields")]
    [InlineData("* * * *",       "cron expression '* * * *' has 4 fields")]
    [InlineData("* * * * * * *", "cron expression '* * * * * * *' has 7 fields")]
    public async Task AddJob_InvalidCron_ThrowsArgumentExceptionNamingJobClassAndValue(string cron, string expected)
    {
        await using var host = await StartAsync();

        var exception = Assert.Throws<ArgumentException>(() => host.Scheduler.AddJob<PlainJob>(cron, j => j.WithName("late")));

        Assert.StartsWith($"Job 'late' ({Plain}): ", exception.Message);
        Assert.Contains(expected, exception.Message);
        Assert.Equal("cronExpression", exception.ParamName);
        Assert.Equal(["alpha", "beta"], host.Scheduler.GetJobs().Select(j => j.Name));
    }

    [Fact]
    public async Task AddJob_SeveralProblems_ListsEveryOneInOneException()
    {
        await using var host = await StartAsync();

        var exception = Assert.Throws<ArgumentException>(() => host.Scheduler.AddJob<PlainJob>(
            "0 61 * * *",
            j => j.WithName("late").WithTimeout(TimeSpan.Zero).WithRetry(-1, TimeSpan.FromSeconds(-1))));

        Assert.Contains("'0 61 * * *'", exception.Message);
        Assert.Contains("timeout '00:00:00' must be positive", exception.Message);
        Assert.Contains("retry count -1 must be zero or more", exception.Message);
        Assert.Contains("retry delay '-00:00:01' must not be negative", exception.Message);
        Assert.Equal(4, exception.Message.Split(Environment.NewLine).Count(line => line.StartsWith($"Job 'late' ({Plain}): ", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AddJob_UnknownTimeZone_ThrowsNamingJobAndZone()
    {
        await using var host = await StartAsync();

        var exception = Assert.Throws<ArgumentException>(() => host.Scheduler.AddJob<PlainJob>("0 9 * * *", j => j.WithName("late").InTimeZone("Mars/Olympus")));

        Assert.Contains($"Job 'late' ({Plain}): unknown time zone 'Mars/Olympus'", exception.Message);
    }

    [Theory]
    [InlineData("alpha")]
    [InlineData("ALPHA")]
    public async Task AddJob_NameAlreadyUsedInAnyCase_ThrowsNamingBothClasses(string name)
    {
        await using var host = await StartAsync();

        var exception = Assert.Throws<ArgumentException>(() => host.Scheduler.AddJob<PlainJob>("0 9 * * *", j => j.WithName(name)));

        Assert.Contains($"Job '{name}' ({Plain}): the name is already used by {typeof(OtherJob).FullName}", exception.Message);
        Assert.Equal(typeof(OtherJob).FullName, host.Scheduler.GetJob("alpha").JobType);
    }

    [Fact]
    public async Task AddJob_NullCron_AddsAnOnDemandJob()
    {
        await using var host = await StartAsync();

        host.Scheduler.AddJob<PlainJob>(null, j => j.WithName("manual"));

        var info = host.Scheduler.GetJob("manual");
        Assert.Null(info.Schedule);
        Assert.Null(info.NextRunAt);
        Assert.Equal(JobSessionStatus.Succeeded, (await host.RunJobAsync("manual")).Status);
    }

    // ---- Reschedule ---------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("0 61 * * *", "invalid cron expression '0 61 * * *'")]
    [InlineData("every day",  "cron expression 'every day' has 2 fields")]
    [InlineData("",           "the cron expression is empty")]
    public async Task Reschedule_InvalidCron_ThrowsNamingJobAndKeepsTheSchedule(string cron, string expected)
    {
        await using var host = await StartAsync();
        var before = host.Scheduler.GetJob("beta");

        var exception = Assert.Throws<ArgumentException>(() => host.Scheduler.Reschedule("beta", cron));

        Assert.StartsWith($"Cannot reschedule job 'beta' ({Plain}): ", exception.Message);
        Assert.Contains(expected, exception.Message);
        Assert.Equal("cronExpression", exception.ParamName);
        var after = host.Scheduler.GetJob("beta");
        Assert.Equal("0 9 * * *", after.Schedule);
        Assert.Equal(before.NextRunAt, after.NextRunAt);
    }

    // ---- unknown names ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("GetJob")]
    [InlineData("TriggerAsync")]
    [InlineData("ScheduleOnceAsync")]
    [InlineData("Pause")]
    [InlineData("Resume")]
    [InlineData("Reschedule")]
    public async Task Operation_UnknownJobName_ThrowsKeyNotFoundListingRegisteredJobs(string operation)
    {
        await using var host = await StartAsync();
        var scheduler = host.Scheduler;

        var exception = await Assert.ThrowsAsync<KeyNotFoundException>(() => operation switch
        {
            "GetJob" => Task.FromResult(scheduler.GetJob("ghost")),
            "TriggerAsync" => scheduler.TriggerAsync("ghost"),
            "ScheduleOnceAsync" => scheduler.ScheduleOnceAsync("ghost", host.Now.AddHours(1)),
            "Pause" => Task.Run(() => scheduler.Pause("ghost")),
            "Resume" => Task.Run(() => scheduler.Resume("ghost")),
            "Reschedule" => Task.Run(() => scheduler.Reschedule("ghost", "0 9 * * *")),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        });

        Assert.Equal("No job is named 'ghost'. Registered jobs: alpha, beta.", exception.Message);
    }

    [Fact]
    public async Task GetJob_NameInAnotherCase_FindsTheJob()
    {
        await using var host = await StartAsync();

        Assert.Equal("alpha", host.Scheduler.GetJob("ALPHA").Name);
    }

    [Fact]
    public async Task RemoveJob_UnknownName_ReturnsFalse()
    {
        await using var host = await StartAsync();

        Assert.False(host.Scheduler.RemoveJob("ghost"));
        Assert.Equal(2, host.Scheduler.GetJobs().Count);
    }

    [Fact]
    public async Task GetJob_NullName_ThrowsArgumentNullException()
    {
        await using var host = await StartAsync();

        Assert.Throws<ArgumentNullException>(() => host.Scheduler.GetJob(null!));
    }

    // ---- disabled jobs ------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("TriggerAsync")]
    [InlineData("ScheduleOnceAsync")]
    [InlineData("Resume")]
    public async Task Operation_JobDisabledByConfiguration_ThrowsNamingTheConfigurationKey(string operation)
    {
        var options = new JobSchedulerTestHostOptions();
        options.Configuration["JobScheduler:Jobs:alpha:Enabled"] = "false";
        await using var host = await StartAsync(options);
        var scheduler = host.Scheduler;

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => operation switch
        {
            "TriggerAsync" => scheduler.TriggerAsync("alpha"),
            "ScheduleOnceAsync" => scheduler.ScheduleOnceAsync("alpha", host.Now.AddHours(1)),
            "Resume" => Task.Run(() => scheduler.Resume("alpha")),
            _ => throw new ArgumentOutOfRangeException(nameof(operation)),
        });

        Assert.Equal("Job 'alpha' is disabled by configuration (JobScheduler:Jobs:alpha:Enabled = false).", exception.Message);
        Assert.Empty(await host.GetSessionsAsync());
    }

    private sealed class PlainJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class OtherJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
