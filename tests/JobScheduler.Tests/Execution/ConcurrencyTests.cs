using JobScheduler.Tests.Scheduling;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// The global <see cref="JobSchedulerOptions.MaxConcurrentRuns"/> gate: runs beyond the limit wait, in arrival order,
/// and start the moment a slot is free. A run's session is recorded when it gets its slot.
/// </summary>
public sealed class ConcurrencyTests
{
    private static readonly string[] Names = ["job-a", "job-b", "job-c", "job-d", "job-e"];

    [Fact]
    public async Task LimitTwo_FiveJobsDueAtOnce_AtMostTwoRunAndAllFiveRun()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(10)) };
        await using var host = await StartAsync(probe, b =>
        {
            b.Configure(o => o.MaxConcurrentRuns = 2);
            foreach (var name in Names)
            {
                b.AddJob<ProbeJob>("0 * * * *", j => j.WithName(name));
            }
        });

        await host.AdvanceToAsync(Start.AddHours(1).AddSeconds(5));
        Assert.Equal(2, probe.Running);
        Assert.Equal(2, (await host.Store.GetRunningSessionsAsync()).Count);

        await host.AdvanceToAsync(Start.AddHours(1).AddSeconds(15));
        Assert.Equal(2, probe.Running);
        Assert.Equal(4, probe.Calls.Count);

        await host.AdvanceToAsync(Start.AddHours(2).AddMinutes(-1));
        var sessions = await SingleSessionOfEachAsync(host);
        Assert.All(sessions, s =>
        {
            Assert.Equal(JobSessionStatus.Succeeded, s.Status);
            Assert.Equal(Start.AddHours(1), s.ScheduledAt);
            Assert.Equal(TimeSpan.FromSeconds(10), s.Duration);
        });
        var hour = Start.AddHours(1);
        Assert.Equal([hour, hour, hour.AddSeconds(10), hour.AddSeconds(10), hour.AddSeconds(20)], sessions.Select(s => s.StartedAt).Order());
        Assert.Equal(2, probe.MaxRunning);
        Assert.Equal(5, probe.Calls.Select(c => c.JobName).Distinct().Count());
    }

    [Fact]
    public async Task LimitTwo_JobsArrivingOneSecondApart_StartInArrivalOrderAsSlotsFree()
    {
        // Daily: job-a is due at 01:00:00, job-b at 01:00:01, ... job-e at 01:00:04; each runs for a minute.
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromMinutes(1)) };
        await using var host = await StartAsync(probe, b =>
        {
            b.Configure(o => o.MaxConcurrentRuns = 2);
            for (var i = 0; i < Names.Length; i++)
            {
                b.AddJob<ProbeJob>($"{i} 0 1 * * *", j => j.WithName(Names[i]));
            }
        });
        var hour = Start.AddHours(1);

        await host.AdvanceToAsync(hour.AddSeconds(30));
        Assert.Equal(["job-a", "job-b"], (await host.Store.GetRunningSessionsAsync()).Select(s => s.JobName).Order());
        foreach (var name in Names.Skip(2))
        {
            Assert.Empty(await host.GetSessionsAsync(name)); // waiting for a slot: no session yet
        }

        await host.AdvanceToAsync(hour.AddMinutes(5));

        Assert.Equal(Names, probe.Calls.Select(c => c.JobName));
        var sessions = await SingleSessionOfEachAsync(host);
        Assert.Equal(
            [hour, hour.AddSeconds(1), hour.AddMinutes(1), hour.AddMinutes(1).AddSeconds(1), hour.AddMinutes(2)],
            sessions.Select(s => s.StartedAt));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => hour.AddSeconds(i)), sessions.Select(s => s.ScheduledAt));
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.Equal(2, probe.MaxRunning);
    }

    [Fact]
    public async Task LimitOne_TriggeredRuns_RunOneAfterAnother()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(30)) };
        await using var host = await StartAsync(probe, b =>
        {
            b.Configure(o => o.MaxConcurrentRuns = 1);
            foreach (var name in Names.Take(3))
            {
                b.AddJob<ProbeJob>(j => j.WithName(name));
            }
        });

        var handles = new List<JobRunHandle>();
        foreach (var name in Names.Take(3))
        {
            handles.Add(await host.Scheduler.TriggerAsync(name));
        }

        await host.AdvanceAsync(TimeSpan.FromMinutes(2));

        var sessions = new List<JobSession>();
        foreach (var handle in handles)
        {
            Assert.True(handle.Completion.IsCompleted);
            sessions.Add(await handle.Completion);
        }

        Assert.Equal([Start, Start.AddSeconds(30), Start.AddSeconds(60)], sessions.Select(s => s.StartedAt));
        Assert.All(sessions, s => Assert.Equal(Start, s.ScheduledAt));
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.Equal(1, probe.MaxRunning);
    }

    [Fact]
    public async Task DefaultLimit_ManyJobsDueAtOnce_AllRunTogether()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(10)) };
        await using var host = await StartAsync(probe, b =>
        {
            for (var i = 0; i < 20; i++)
            {
                b.AddJob<ProbeJob>("0 * * * *", j => j.WithName($"job-{i:00}"));
            }
        });

        await host.AdvanceToAsync(Start.AddHours(1).AddSeconds(5));

        Assert.Equal(20, probe.Running);
        Assert.All(probe.Calls, c => Assert.Equal(Start.AddHours(1), c.ClockAtStart));
    }

    private static async Task<List<JobSession>> SingleSessionOfEachAsync(Testing.JobSchedulerTestHost host)
    {
        var sessions = new List<JobSession>();
        foreach (var name in Names)
        {
            sessions.Add(Assert.Single(await host.GetSessionsAsync(name)));
        }

        return sessions;
    }
}
