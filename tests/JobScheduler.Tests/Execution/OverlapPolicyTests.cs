using JobScheduler.Tests.Scheduling;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// What happens when an occurrence is due while the job's previous run is still running (DESIGN.md "Overlap"):
/// Skip records a Skipped session, Queue keeps at most one pending run, Allow runs concurrently. The job blocks on the
/// fake clock, so the clock alone decides how long a run lasts.
/// </summary>
public sealed class OverlapPolicyTests
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    [Theory]
    [InlineData(null)]
    [InlineData(OverlapPolicy.Skip)]
    public async Task Skip_OccurrencesDuringARun_AreRecordedSkippedAndNotRun(OverlapPolicy? policy)
    {
        // Every minute; each run takes 2.5 minutes: 1m runs until 3m30, so 2m and 3m are skipped and 4m runs.
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(150)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j =>
        {
            j.WithName("slow");
            if (policy is { } p)
            {
                j.WithOverlap(p);
            }
        }));

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(4 * 60 + 30));

        var sessions = await host.SessionsByOccurrenceAsync("slow");
        Assert.Equal([Start + Minute, Start + (2 * Minute), Start + (3 * Minute), Start + (4 * Minute)], sessions.Select(s => s.ScheduledAt));
        Assert.Equal(
            [JobSessionStatus.Succeeded, JobSessionStatus.Skipped, JobSessionStatus.Skipped, JobSessionStatus.Running],
            sessions.Select(s => s.Status));
        Assert.Equal(Start + TimeSpan.FromSeconds(210), sessions[0].EndedAt);

        var skipped = sessions[1];
        Assert.Equal(Start + (2 * Minute), skipped.StartedAt);
        Assert.Equal(skipped.StartedAt, skipped.EndedAt);
        Assert.Equal(TimeSpan.Zero, skipped.Duration);
        Assert.Equal(JobTrigger.Scheduled, skipped.Trigger);
        Assert.Equal(1, skipped.Attempt);
        Assert.Contains("Skip", skipped.Error, StringComparison.Ordinal);

        // Only 1m and 4m ran, never two at once.
        Assert.Equal([Start + Minute, Start + (4 * Minute)], probe.Calls.Select(c => c.ScheduledAt));
        Assert.Equal(1, probe.MaxRunning);
    }

    [Fact]
    public async Task Queue_OccurrencesDuringARun_RunOnePendingWhenTheCurrentEndsAndSkipTheRest()
    {
        // Every minute; the 1m run takes 2.5 minutes, later runs 10 seconds.
        var probe = new RunProbe
        {
            Body = (context, time, ct) => Task.Delay(context.ScheduledAt == Start + Minute ? TimeSpan.FromSeconds(150) : TimeSpan.FromSeconds(10), time, ct),
        };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("queued").WithOverlap(OverlapPolicy.Queue)));

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(3 * 60 + 10));

        // At 3m10: 1m still running, 2m waits (nothing recorded yet), 3m found the queue full and was skipped.
        var midway = await host.SessionsByOccurrenceAsync("queued");
        Assert.Equal([Start + Minute, Start + (3 * Minute)], midway.Select(s => s.ScheduledAt));
        Assert.Equal([JobSessionStatus.Running, JobSessionStatus.Skipped], midway.Select(s => s.Status));

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(4 * 60 + 30));

        var sessions = await host.SessionsByOccurrenceAsync("queued");
        Assert.Equal(
            [Start + Minute, Start + (2 * Minute), Start + (3 * Minute), Start + (4 * Minute)],
            sessions.Select(s => s.ScheduledAt));
        Assert.Equal(
            [JobSessionStatus.Succeeded, JobSessionStatus.Succeeded, JobSessionStatus.Skipped, JobSessionStatus.Succeeded],
            sessions.Select(s => s.Status));

        // The pending 2m run started the moment the 1m run ended (3m30), and kept its occurrence.
        Assert.Equal(Start + TimeSpan.FromSeconds(210), sessions[0].EndedAt);
        Assert.Equal(Start + TimeSpan.FromSeconds(210), sessions[1].StartedAt);
        Assert.Equal(Start + TimeSpan.FromSeconds(220), sessions[1].EndedAt);
        Assert.Equal(Start + (4 * Minute), sessions[3].StartedAt);
        Assert.Equal([Start + Minute, Start + (2 * Minute), Start + (4 * Minute)], probe.Calls.Select(c => c.ScheduledAt));
        Assert.Equal(1, probe.MaxRunning);
    }

    [Fact]
    public async Task Queue_RunEndsWithNothingPending_StartsNothingExtra()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(30)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("queued").WithOverlap(OverlapPolicy.Queue)));

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(5 * 60 + 30));

        var sessions = await host.SessionsByOccurrenceAsync("queued");
        Assert.Equal(5, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.All(sessions, s => Assert.Equal(s.ScheduledAt, s.StartedAt));
    }

    [Fact]
    public async Task Allow_OccurrencesDuringARun_RunConcurrently()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(150)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("parallel").WithOverlap(OverlapPolicy.Allow)));

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(3 * 60 + 10));

        // 1m (until 3m30), 2m (until 4m30) and 3m (until 5m30) are all running.
        Assert.Equal(3, probe.Running);
        Assert.Equal(3, host.Scheduler.GetJob("parallel").RunningCount);
        var running = await host.SessionsByOccurrenceAsync("parallel");
        Assert.Equal(3, running.Count);
        Assert.All(running, s => Assert.Equal(JobSessionStatus.Running, s.Status));

        await host.AdvanceToOffsetAsync(TimeSpan.FromMinutes(10));

        var sessions = await host.SessionsByOccurrenceAsync("parallel");
        Assert.Equal(Enumerable.Range(1, 10).Select(i => Start + (i * Minute)), sessions.Select(s => s.ScheduledAt));
        var ended = sessions.Take(7).ToList(); // 8m, 9m and 10m are still running
        Assert.All(ended, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.All(ended, s => Assert.Equal(TimeSpan.FromSeconds(150), s.Duration));
        Assert.All(sessions, s => Assert.Equal(s.ScheduledAt, s.StartedAt));
        Assert.DoesNotContain(sessions, s => s.Status == JobSessionStatus.Skipped);
        Assert.Equal(3, probe.MaxRunning);
    }

    [Fact]
    public async Task Skip_AppliesPerJob_AnotherJobStillRuns()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(150)) };
        probe.On("fast", RunProbe.Takes(TimeSpan.FromSeconds(1)));
        await using var host = await StartAsync(probe, b => b
            .AddJob<ProbeJob>("* * * * *", j => j.WithName("slow"))
            .AddJob<ProbeJob>("* * * * *", j => j.WithName("fast")));

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(3 * 60 + 10));

        Assert.Equal(3, (await host.GetSessionsAsync("fast")).Count(s => s.Status == JobSessionStatus.Succeeded));
        Assert.Equal(
            [JobSessionStatus.Running, JobSessionStatus.Skipped, JobSessionStatus.Skipped],
            (await host.SessionsByOccurrenceAsync("slow")).Select(s => s.Status));
    }
}
