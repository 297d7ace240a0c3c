using JobScheduler.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// A run whose job returns at once leaves the writing of its end to the runner's end queue (not under the test host,
/// which records ends in place): on a real host, every such end must still reach the store, free the job and complete
/// the run's handle, also when many runs end at once and when the host stops right after them.
/// </summary>
public sealed class RunEndQueueTests
{
    private const int Jobs = 200;

    [Fact]
    public async Task ManyRunsEndingAtOnce_EachEndIsRecorded_AndEachJobIsFreeAgain()
    {
        using var host = TestHosts.Build(AddInstantJobs);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IJobScheduler>();

        var handles = await TriggerEveryJobAsync(scheduler);
        var ended = await EndsOfAsync(handles);

        Assert.All(ended, session => Assert.Equal(JobSessionStatus.Succeeded, session.Status));
        Assert.Equal(handles.Select(h => h.SessionId), ended.Select(s => s.Id));
        foreach (var session in ended)
        {
            var job = scheduler.GetJob(session.JobName);
            Assert.Equal(0, job.RunningCount);
            Assert.Equal(session.Id, job.LastSession?.Id);
        }

        var stored = await StoredAsync(host);
        Assert.Equal(ended.Select(s => (s.Id, s.Status)).Order(), stored.Select(s => (s.Id, s.Status)).Order());
        await host.StopAsync();
    }

    [Fact]
    public async Task Stop_RightAfterManyRuns_WaitsForTheirEnds()
    {
        using var host = TestHosts.Build(AddInstantJobs);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IJobScheduler>();
        var handles = await TriggerEveryJobAsync(scheduler);

        await host.StopAsync();

        Assert.All(handles, h => Assert.True(h.Completion.IsCompletedSuccessfully, $"run {h.SessionId} has no end after the host stopped"));
        var stored = await StoredAsync(host);
        Assert.Equal(Jobs, stored.Count);
        Assert.All(stored, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
    }

    [Fact]
    public async Task ScheduledBurst_ThenStop_EveryOccurrenceEndsSucceeded()
    {
        var clock = new FakeTimeProvider(TestHosts.Start);
        using var host = TestHosts.Build(
            b =>
            {
                foreach (var name in Names())
                {
                    b.AddJob<InstantJob>("* * * * * *", j => j.WithName(name));
                }
            },
            clock: clock);
        await host.StartAsync();

        clock.Advance(TimeSpan.FromSeconds(1)); // every job's first occurrence is due: the timer queues all of them
        await host.StopAsync();

        var stored = await StoredAsync(host);
        Assert.Equal(Names().Order(), stored.Select(s => s.JobName).Order());
        Assert.All(stored, s =>
        {
            Assert.Equal(JobSessionStatus.Succeeded, s.Status);
            Assert.Equal(TestHosts.Start.AddSeconds(1), s.ScheduledAt);
        });
    }

    [Fact]
    public async Task RunsThatFailAmongRunsThatSucceed_EachEndsWithItsOwnStatus()
    {
        using var host = TestHosts.Build(b =>
        {
            foreach (var (name, i) in Names().Select((n, i) => (n, i)))
            {
                if (i % 2 == 0)
                {
                    b.AddJob<InstantJob>(j => j.WithName(name));
                }
                else
                {
                    b.AddJob<ThrowingJob>(j => j.WithName(name));
                }
            }
        });
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IJobScheduler>();

        var handles = await TriggerEveryJobAsync(scheduler);
        var ended = await EndsOfAsync(handles);

        var stored = (await StoredAsync(host)).ToDictionary(s => s.Id);
        Assert.All(ended.Select((session, i) => (session, i)), e =>
        {
            var expected = e.i % 2 == 0 ? JobSessionStatus.Succeeded : JobSessionStatus.Failed;
            Assert.Equal(expected, e.session.Status);
            Assert.Equal(expected, stored[e.session.Id].Status);
            Assert.Equal(expected == JobSessionStatus.Failed, stored[e.session.Id].Error?.Contains(ThrowingJob.Message, StringComparison.Ordinal) == true);
        });
        await host.StopAsync();
    }

    [Fact]
    public async Task QueuedEnd_TakesTheEndTimeWhenTheJobReturns_InTheClocksOffset()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 5, 2, 0, 0, TimeSpan.FromHours(2)));
        using var host = TestHosts.Build(b => b.AddJob<ClockJob>(j => j.WithName("clock")), services: s => s.AddSingleton(clock), clock: clock);
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IJobScheduler>();
        var started = clock.GetUtcNow();

        var handle = await scheduler.TriggerAsync("clock");
        var ended = await handle.Completion.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(JobSessionStatus.Succeeded, ended.Status);
        Assert.Equal(started, ended.StartedAt);
        Assert.Equal(started + ClockJob.Takes, ended.EndedAt);
        Assert.Equal(ClockJob.Takes, ended.Duration);
        Assert.Equal(ended.StartedAt.Offset, ended.EndedAt!.Value.Offset);
        await host.StopAsync();
    }

    private static Task<JobRunHandle[]> TriggerEveryJobAsync(IJobScheduler scheduler)
        => Task.WhenAll(Names().Select(name => scheduler.TriggerAsync(name)));

    private static Task<JobSession[]> EndsOfAsync(IEnumerable<JobRunHandle> handles)
        => Task.WhenAll(handles.Select(h => h.Completion)).WaitAsync(TimeSpan.FromSeconds(30));

    private static IEnumerable<string> Names() => Enumerable.Range(0, Jobs).Select(i => $"job-{i:000}");

    private static void AddInstantJobs(IJobSchedulerBuilder builder)
    {
        foreach (var name in Names())
        {
            builder.AddJob<InstantJob>(j => j.WithName(name));
        }
    }

    private static async Task<IReadOnlyList<JobSession>> StoredAsync(IHost host)
        => await host.Services.GetRequiredService<IJobSessionStore>().QueryAsync(new JobSessionQuery { Limit = 10 * Jobs }, CancellationToken.None);

    private sealed class InstantJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    /// <summary>Moves the fake clock while it runs, so its end time differs from its start.</summary>
    private sealed class ClockJob(FakeTimeProvider clock) : IJob
    {
        public static readonly TimeSpan Takes = TimeSpan.FromSeconds(5);

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            clock.Advance(Takes);
            return Task.CompletedTask;
        }
    }

    private sealed class ThrowingJob : IJob
    {
        public const string Message = "thrown by the job";

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => throw new InvalidOperationException(Message);
    }
}
