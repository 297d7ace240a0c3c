using JobScheduler.Tests.Hosting;
using JobScheduler.Tests.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// With the default in-memory store an attempt's start is written only when the store is read while the attempt is in
/// progress; otherwise its ended session is its one write. A reader must see the same sessions either way: each
/// attempt in progress as Running, each ended one once, never both, whatever the reads race with.
/// </summary>
public sealed class DeferredStartTests
{
    private const int Jobs = 100;

    [Fact]
    public async Task ReadDuringAnAttempt_ShowsItRunning_AndItsEndReplacesIt()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(30)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("slow")));

        var handle = await host.Scheduler.TriggerAsync("slow");
        await host.AdvanceAsync(TimeSpan.FromSeconds(10));

        var running = Assert.Single(await host.Store.GetRunningSessionsAsync());
        Assert.Equal(handle.SessionId, running.Id);
        Assert.Equal(Start, running.StartedAt);
        Assert.Equal(1, running.Attempt);
        Assert.Equal(JobTrigger.Manual, running.Trigger);

        await host.AdvanceAsync(TimeSpan.FromSeconds(30));

        var ended = Assert.Single(await host.Store.GetSessionsByJobAsync("slow"));
        Assert.Equal(handle.SessionId, ended.Id);
        Assert.Equal(JobSessionStatus.Succeeded, ended.Status);
        Assert.Equal(TimeSpan.FromSeconds(30), ended.Duration);
    }

    [Fact]
    public async Task ReadDuringARetry_ShowsTheFailedAttemptAndTheRunningOne()
    {
        var attempts = 0;
        var probe = new RunProbe
        {
            Body = (_, time, ct) => Interlocked.Increment(ref attempts) == 1
                ? throw new InvalidOperationException("first attempt fails")
                : Task.Delay(TimeSpan.FromSeconds(30), time, ct),
        };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("flaky").WithRetry(1, TimeSpan.FromSeconds(10))));

        await host.Scheduler.TriggerAsync("flaky");
        await host.AdvanceAsync(TimeSpan.FromSeconds(20)); // the second attempt started at 10 s

        var midway = await host.SessionsByOccurrenceAsync("flaky");
        Assert.Equal([(1, JobSessionStatus.Failed), (2, JobSessionStatus.Running)], midway.Select(s => (s.Attempt, s.Status)));

        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        var sessions = await host.SessionsByOccurrenceAsync("flaky");
        Assert.Equal([(1, JobSessionStatus.Failed), (2, JobSessionStatus.Succeeded)], sessions.Select(s => (s.Attempt, s.Status)));
        Assert.Equal(midway.Select(s => s.Id), sessions.Select(s => s.Id));
    }

    [Fact]
    public async Task ReadsRacingRunsOnARealHost_SeeEachAttemptOnce_AndLeaveNothingRunning()
    {
        // Runs on the thread pool, with their ends written by the end queue, while a reader queries without pause: a
        // start written by a read must be replaced by its end, and an end written first must keep the read from
        // writing a start it no longer owes. Half the jobs return at once, half after a yield.
        using var host = TestHosts.Build(b =>
        {
            foreach (var name in Names())
            {
                b.AddJob<YieldingJob>(j => j.WithName(name).WithOverlap(OverlapPolicy.Allow)); // every trigger runs
            }
        });
        await host.StartAsync();
        var scheduler = host.Services.GetRequiredService<IJobScheduler>();
        var store = host.Services.GetRequiredService<IJobSessionStore>();
        using var stop = new CancellationTokenSource();
        var reads = 0;
        var reader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var seen = await store.QueryAsync(new JobSessionQuery { Limit = 100 * Jobs }, CancellationToken.None);
                Assert.Equal(seen.Count, seen.Select(s => s.Id).Distinct().Count());
                reads++;
            }
        });

        var handles = new List<JobRunHandle>();
        for (var round = 0; round < 20; round++)
        {
            handles.AddRange(await Task.WhenAll(Names().Select(name => scheduler.TriggerAsync(name))));
        }

        var ended = await Task.WhenAll(handles.Select(h => h.Completion)).WaitAsync(TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await reader;

        var stored = await store.QueryAsync(new JobSessionQuery { Limit = 100 * Jobs }, CancellationToken.None);
        Assert.True(reads > 0);
        Assert.Equal(ended.Select(s => s.Id).Order(), stored.Select(s => s.Id).Order());
        Assert.All(stored, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        await host.StopAsync();
    }

    private static IEnumerable<string> Names() => Enumerable.Range(0, Jobs).Select(i => $"job-{i:000}");

    private sealed class YieldingJob : IJob
    {
        public async Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            if (context.JobName[^1] % 2 == 1)
            {
                await Task.Yield();
            }
        }
    }
}
