using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace JobScheduler.Tests.Persistence;

public sealed class StoreFaultTests
{
    private sealed class RunLog
    {
        public List<DateTimeOffset> Starts { get; } = [];
    }

    private sealed class LoggedJob(RunLog log, TimeProvider time) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            lock (log)
            {
                log.Starts.Add(time.GetUtcNow()); // when the job's code ran, after any wait on the store
            }

            return Task.CompletedTask;
        }
    }

    private static Task<JobSchedulerTestHost> StartAsync(ControllableStore store, RunLog log, Action<JobSchedulerOptions>? configure = null)
        => JobSchedulerTestHost.StartAsync(services =>
        {
            services.AddSingleton(log);
            services.AddJobScheduler(o => configure?.Invoke(o)).AddJob<LoggedJob>("*/10 * * * * *", j => j.WithName("tick"));
            services.Replace(ServiceDescriptor.Singleton<IJobSessionStore>(store));
        });

    [Fact]
    public async Task ThrowingStore_JobsKeepTheirSchedule_AndEverySessionArrivesWhenItRecovers()
    {
        var store = new ControllableStore();
        var log = new RunLog();
        await using var host = await StartAsync(store, log);

        store.Mode = StoreMode.Throwing;
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(Enumerable.Range(1, 6).Select(i => host.Clock.Start.AddSeconds(10 * i)), log.Starts);
        Assert.True(store.FailedWrites > 0);
        Assert.Empty(await host.GetSessionsAsync("tick"));
        Assert.Equal(JobSessionStatus.Succeeded, host.Scheduler.GetJob("tick").LastSession?.Status);

        store.Heal();
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        var sessions = await host.GetSessionsAsync("tick");
        Assert.Equal(12, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.Equal(log.Starts, sessions.Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task HangingStore_HoldsARunAtMostTheWriteTimeout_AndRunsStayOnSchedule()
    {
        // The write timeout bounds real I/O, so it is real time (kept short here); the schedule is on the fake clock.
        var store = new ControllableStore();
        var log = new RunLog();
        await using var host = await StartAsync(store, log, o => o.StoreWriteTimeout = TimeSpan.FromMilliseconds(100));

        store.Mode = StoreMode.Hanging;
        await host.AdvanceAsync(TimeSpan.FromSeconds(30));

        Assert.Equal([host.Clock.Start.AddSeconds(10), host.Clock.Start.AddSeconds(20), host.Clock.Start.AddSeconds(30)], log.Starts);

        store.Heal();
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        var sessions = await host.GetSessionsAsync("tick");
        Assert.Equal(9, sessions.Count);
        Assert.DoesNotContain(sessions, s => s.Status == JobSessionStatus.Running);
    }

    [Fact]
    public async Task FullBuffer_DropsTheOldestWrites_AndKeepsScheduling()
    {
        var store = new ControllableStore();
        var log = new RunLog();
        await using var host = await StartAsync(store, log, o => o.MaxBufferedWrites = 4);

        store.Mode = StoreMode.Throwing;
        await host.AdvanceAsync(TimeSpan.FromSeconds(50)); // 5 runs = 10 writes; the queue keeps the newest 4
        host.Scheduler.Pause("tick");
        store.Heal();
        await host.AdvanceAsync(TimeSpan.FromMinutes(2)); // the retry loop's backoff is at most 30 s

        Assert.Equal(5, log.Starts.Count);
        var sessions = await host.GetSessionsAsync("tick");
        Assert.Equal(log.Starts.Skip(3), sessions.Select(s => s.ScheduledAt));
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
    }
}
