using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Scheduling;

/// <summary>
/// Wall-clock jumps (DESIGN.md "Never early, never twice"): <c>AdjustTime</c> moves the fake clock like an NTP step,
/// leaving pending timers to fire after the same remaining wait. A clock stepping back fires nothing twice; a jump
/// forward is noticed within <see cref="JobSchedulerOptions.MaxTimerWait"/>, and occurrences later than
/// <see cref="JobSchedulerOptions.MisfireThreshold"/> follow the job's <see cref="MisfirePolicy"/>.
/// </summary>
public sealed class ClockTests
{
    private static DateTimeOffset M(double minutes) => Start.AddMinutes(minutes);

    [Fact]
    public async Task StepBack_ThenTimePassesAgain_FiresNoOccurrenceTwice()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("minutely")));
        await host.AdvanceToAsync(M(3));

        host.Clock.AdjustTime(M(1)); // back two minutes: 00:02 and 00:03 come round again

        // Walk the re-lived minutes in small steps so the scheduler wakes up inside them.
        for (var t = 1.5; t <= 6; t += 0.5)
        {
            await host.AdvanceToAsync(M(t));
        }

        var scheduled = (await host.GetSessionsAsync("minutely")).Select(s => s.ScheduledAt).ToArray();
        Assert.Equal(scheduled.Length, scheduled.Distinct().Count());
        Assert.Equal([M(1), M(2), M(3), M(4), M(5), M(6)], scheduled.Order());
        Assert.Equal(6, probe.Calls.Count);

        // Never early: 00:04 did not run before the clock read 00:04 again.
        Assert.All(probe.Calls, c => Assert.True(c.ClockAtStart >= c.ScheduledAt, $"{c.ScheduledAt:O} ran at {c.ClockAtStart:O}"));
    }

    [Fact]
    public async Task StepBack_ThenPauseAndResume_DoesNotRescheduleAnOccurrenceAlreadyFired()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("*/10 * * * *", j => j.WithName("job")));
        await host.AdvanceToAsync(M(30));

        host.Clock.AdjustTime(M(5));
        host.Scheduler.Pause("job");
        host.Scheduler.Resume("job");

        // From 00:05 the next occurrence would be 00:10, but 00:10..00:30 already fired.
        Assert.Equal(M(40), host.Scheduler.GetJob("job").NextRunAt);
        for (var t = 10.0; t <= 45; t += 5)
        {
            await host.AdvanceToAsync(M(t));
        }

        Assert.Equal([M(10), M(20), M(30), M(40)], (await host.GetSessionsAsync("job")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task StepBack_ThenReschedule_DoesNotRepeatAnOccurrenceAlreadyFired()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("*/10 * * * *", j => j.WithName("job")));
        await host.AdvanceToAsync(M(30));

        host.Clock.AdjustTime(M(5));
        host.Scheduler.Reschedule("job", "*/15 * * * *");

        Assert.Equal(M(45), host.Scheduler.GetJob("job").NextRunAt);
    }

    [Fact]
    public async Task StepForward_HourlyJob_IsNoticedWithinMaxTimerWait()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 * * * *", j => j.WithName("hourly")));
        await host.AdvanceToAsync(M(5));

        // At 00:05 the scheduler waits for 01:00, but never longer than MaxTimerWait (1 minute) at a time. The wall
        // clock now jumps to 00:59:30: the pending wait runs out a minute later by the new clock (pending timers keep
        // their remaining wait), so 01:00 runs at 01:00:30 instead of 55 minutes late.
        host.Clock.AdjustTime(M(59.5));
        await JumpSettledAsync(host);
        await host.AdvanceToAsync(M(62));

        var session = Assert.Single(await host.GetSessionsAsync("hourly"));
        Assert.Equal(M(60), session.ScheduledAt);
        Assert.Equal(M(60.5), session.StartedAt);
        Assert.Equal(JobTrigger.Scheduled, session.Trigger);
    }

    [Fact]
    public async Task StepForward_BeyondMisfireThresholdWithSkip_DropsTheMissedOccurrences()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("*/5 * * * *", j => j.WithName("job").WithMisfire(MisfirePolicy.Skip)));
        await host.AdvanceToAsync(M(5));

        host.Clock.AdjustTime(M(60)); // 00:10 .. 01:00 are now in the past
        await JumpSettledAsync(host);
        await host.AdvanceToAsync(M(70));

        // The scheduler wakes at 01:01 by the new clock: 00:10 .. 00:55 are more than MisfireThreshold (1 minute)
        // late and are dropped without a trace; 01:00 is exactly a minute late and still runs.
        var sessions = await host.GetSessionsAsync("job");
        Assert.Equal([M(5), M(60), M(65), M(70)], sessions.Select(s => s.ScheduledAt));
        Assert.Equal([M(5), M(61), M(65), M(70)], sessions.Select(s => s.StartedAt));
        Assert.DoesNotContain(sessions, s => s.Trigger == JobTrigger.CatchUp);
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
    }

    [Fact]
    public async Task StepForward_BeyondMisfireThresholdWithRunOnce_RunsExactlyOneCatchUp()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("*/5 * * * *", j => j.WithName("job").WithMisfire(MisfirePolicy.RunOnce)));
        await host.AdvanceToAsync(M(5));

        host.Clock.AdjustTime(M(60));
        await JumpSettledAsync(host);
        await host.AdvanceToAsync(M(70));

        var sessions = await host.GetSessionsAsync("job");
        var catchUp = Assert.Single(sessions, s => s.Trigger == JobTrigger.CatchUp);
        Assert.Equal(JobSessionStatus.Succeeded, catchUp.Status);
        Assert.InRange(catchUp.ScheduledAt, M(10), M(55)); // one of the missed occurrences
        Assert.Equal(M(61), catchUp.StartedAt);
        Assert.Equal(JobTrigger.CatchUp, Assert.Single(probe.Calls, c => c.Trigger == JobTrigger.CatchUp).Trigger);

        // Besides the catch-up, only on-time occurrences: none of 00:10 .. 00:55 ran as Scheduled.
        var scheduled = sessions.Where(s => s.Trigger == JobTrigger.Scheduled).Select(s => s.ScheduledAt).ToArray();
        Assert.DoesNotContain(scheduled, t => t > M(5) && t < M(60));
        Assert.Equal([M(5), M(60), M(65), M(70)], scheduled);
    }

    [Fact]
    public async Task StepForward_WithinMisfireThreshold_RunsTheLateOccurrence()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(
            probe,
            b => b.AddJob<ProbeJob>("*/5 * * * *", j => j.WithName("job")).Configure(o => o.MisfireThreshold = TimeSpan.FromMinutes(10)));
        await host.AdvanceToAsync(M(4));

        host.Clock.AdjustTime(M(8)); // 00:05 is now 3 minutes late: within the threshold
        await JumpSettledAsync(host);

        var late = Assert.Single(await host.GetSessionsAsync("job"));
        Assert.Equal(M(5), late.ScheduledAt);
        Assert.Equal(JobTrigger.Scheduled, late.Trigger);
        Assert.True(late.StartedAt > late.ScheduledAt);
    }

    [Fact]
    public async Task Stall_TimerFiresLateWithinMisfireThreshold_RunsEachLateOccurrenceOnce()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(
            probe,
            b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("minutely")).Configure(o => o.MisfireThreshold = TimeSpan.FromMinutes(10)));

        // The process stalls: the scheduler's timer (due at 00:01) only fires when the clock already reads 00:05.
        host.Clock.Advance(TimeSpan.FromMinutes(5));
        await host.WaitForIdleAsync();
        await host.AdvanceToAsync(M(7));

        var sessions = await host.GetSessionsAsync("minutely");
        Assert.Equal([M(1), M(2), M(3), M(4), M(5), M(6), M(7)], sessions.Select(s => s.ScheduledAt).Order());
        Assert.All(sessions.Where(s => s.ScheduledAt <= M(5)), s => Assert.Equal(M(5), s.StartedAt));
        Assert.All(sessions, s => Assert.Equal(JobTrigger.Scheduled, s.Trigger));
    }

    /// <summary>
    /// After <c>AdjustTime</c>, lets the scheduler's pending wait (at most MaxTimerWait) run out with a plain
    /// <c>Advance</c> and waits for the runs it fires. (The test host's own stepping works from due times taken before
    /// the jump, so it is used again only once the scheduler has re-armed its timer.)
    /// </summary>
    private static async Task JumpSettledAsync(Testing.JobSchedulerTestHost host)
    {
        await host.WaitForIdleAsync();
        host.Clock.Advance(TimeSpan.FromMinutes(1));
        await host.WaitForIdleAsync();
    }
}
