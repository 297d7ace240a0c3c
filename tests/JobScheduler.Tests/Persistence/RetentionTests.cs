using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Tests.Persistence;

public sealed class RetentionTests
{
    private sealed class HalfPastJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    // Runs at :30 and sweeps on the hour, so the two never share an instant.
    private static Task<JobSchedulerTestHost> StartAsync(Action<JobSchedulerOptions> configure)
        => JobSchedulerTestHost.StartAsync(services => services
            .AddJobScheduler(configure)
            .AddJob<HalfPastJob>("30 * * * *", j => j.WithName("half-past"))
            .UseInMemoryStore(o => o.MaxSessionsPerJob = 10_000));

    [Fact]
    public async Task SessionRetention_PurgesSessionsEndedBeforeTheWindow_OnTheSchedulersClock()
    {
        await using var host = await StartAsync(o => o.SessionRetention = TimeSpan.FromDays(1));

        await host.AdvanceAsync(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(10));

        // Last sweep at 72:00 purged everything that ended before 48:00; runs 48:30 … 71:30 remain.
        var sessions = await host.GetSessionsAsync("half-past");
        Assert.Equal(24, sessions.Count);
        Assert.Equal(host.Clock.Start.AddHours(48.5), sessions[0].ScheduledAt);
    }

    [Fact]
    public async Task MaxSessionsPerJob_KeepsTheNewest()
    {
        await using var host = await StartAsync(o => o.MaxSessionsPerJob = 5);

        await host.AdvanceAsync(TimeSpan.FromDays(3) + TimeSpan.FromMinutes(10));

        var sessions = await host.GetSessionsAsync("half-past");
        Assert.Equal(Enumerable.Range(67, 5).Select(h => host.Clock.Start.AddHours(h + 0.5)), sessions.Select(s => s.ScheduledAt));
    }
}
