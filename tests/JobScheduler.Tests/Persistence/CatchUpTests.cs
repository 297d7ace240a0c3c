using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JobScheduler.Tests.Persistence;

/// <summary>Misfire handling across a restart, on a store that keeps each job's last occurrence.</summary>
public sealed class CatchUpTests
{
    private static readonly DateTimeOffset Jan1 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private sealed class NightlyJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static Task<JobSchedulerTestHost> StartAsync(ControllableStore store, DateTimeOffset at, MisfirePolicy misfire)
        => JobSchedulerTestHost.StartAsync(
            services =>
            {
                services.AddJobScheduler().AddJob<NightlyJob>("0 2 * * *", j => j.WithName("nightly").WithMisfire(misfire));
                services.Replace(ServiceDescriptor.Singleton<IJobSessionStore>(store));
            },
            new JobSchedulerTestHostOptions { StartTime = at });

    [Fact]
    public async Task RunOnce_AfterDowntime_RunsOneCatchUpForTheLatestMissedOccurrence()
    {
        var store = new ControllableStore();
        await using (var first = await StartAsync(store, Jan1, MisfirePolicy.RunOnce))
        {
            await first.AdvanceAsync(TimeSpan.FromHours(27)); // fires Jan 1 and Jan 2 at 02:00
        }

        await using var second = await StartAsync(store, Jan1.AddDays(4).AddHours(12), MisfirePolicy.RunOnce);

        var catchUp = Assert.Single(await second.GetSessionsAsync("nightly"), s => s.Trigger == JobTrigger.CatchUp);
        Assert.Equal(Jan1.AddDays(4).AddHours(2), catchUp.ScheduledAt);
        Assert.Equal(JobSessionStatus.Succeeded, catchUp.Status);
        Assert.Equal(3, (await second.GetSessionsAsync("nightly")).Count);
        Assert.Equal(Jan1.AddDays(5).AddHours(2), second.Scheduler.GetJob("nightly").NextRunAt);
    }

    [Fact]
    public async Task Skip_AfterDowntime_RunsNothingUntilTheNextOccurrence()
    {
        var store = new ControllableStore();
        await using (var first = await StartAsync(store, Jan1, MisfirePolicy.Skip))
        {
            await first.AdvanceAsync(TimeSpan.FromHours(27));
        }

        await using var second = await StartAsync(store, Jan1.AddDays(4).AddHours(12), MisfirePolicy.Skip);

        Assert.Equal(2, (await second.GetSessionsAsync("nightly")).Count);
        Assert.Equal(Jan1.AddDays(5).AddHours(2), second.Scheduler.GetJob("nightly").NextRunAt);
    }

    [Fact]
    public async Task RunOnce_RestartBeforeTheNextOccurrence_RunsNoCatchUp()
    {
        var store = new ControllableStore();
        await using (var first = await StartAsync(store, Jan1, MisfirePolicy.RunOnce))
        {
            await first.AdvanceAsync(TimeSpan.FromHours(3)); // fires Jan 1 02:00
        }

        await using var second = await StartAsync(store, Jan1.AddHours(20), MisfirePolicy.RunOnce);

        Assert.DoesNotContain(await second.GetSessionsAsync("nightly"), s => s.Trigger == JobTrigger.CatchUp);
        Assert.Equal(Jan1.AddDays(1).AddHours(2), second.Scheduler.GetJob("nightly").NextRunAt);
    }
}
