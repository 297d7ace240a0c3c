using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JobScheduler.Tests.Persistence;

/// <summary><see cref="JobInfo.LastSession"/> after a restart, on a store that keeps its sessions.</summary>
public sealed class LastSessionTests
{
    private sealed class TickJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static Task<JobSchedulerTestHost> StartAsync(ControllableStore store, DateTimeOffset at)
        => JobSchedulerTestHost.StartAsync(
            services =>
            {
                services.AddJobScheduler().AddJob<TickJob>("0 * * * *", j => j.WithName("hourly"));
                services.Replace(ServiceDescriptor.Singleton<IJobSessionStore>(store));
            },
            new JobSchedulerTestHostOptions { StartTime = at });

    [Fact]
    public async Task Restart_LoadsTheNewestStoredSession_BeforeTheJobRunsAgain()
    {
        var store = new ControllableStore();
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        JobSession? lastBeforeRestart;
        await using (var first = await StartAsync(store, start))
        {
            await first.AdvanceAsync(TimeSpan.FromHours(3));
            lastBeforeRestart = first.Scheduler.GetJob("hourly").LastSession;
        }

        await using var second = await StartAsync(store, start.AddHours(3).AddMinutes(30));

        Assert.NotNull(lastBeforeRestart);
        Assert.Equal(start.AddHours(3), lastBeforeRestart.ScheduledAt);
        Assert.Equal(lastBeforeRestart, second.Scheduler.GetJob("hourly").LastSession);
    }

    [Fact]
    public async Task Restart_WithNothingStored_LeavesLastSessionEmpty()
    {
        await using var host = await StartAsync(new ControllableStore(), new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

        Assert.Null(host.Scheduler.GetJob("hourly").LastSession);
    }
}
