using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Scheduling;

/// <summary>
/// <see cref="IJobScheduler"/> at run time: pause, resume, reschedule, trigger, schedule once, run on startup, add and
/// remove jobs, and the <see cref="JobInfo"/> snapshots of GetJobs/GetJob.
/// </summary>
public sealed class SchedulerControlTests
{
    private static DateTimeOffset M(double minutes) => Start.AddMinutes(minutes);

    // ---- Pause / Resume ----

    [Fact]
    public async Task Pause_OccurrencesWhilePaused_RecordNothing()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("minutely")));
        await host.AdvanceToAsync(M(2.5));

        host.Scheduler.Pause("minutely");
        var paused = host.Scheduler.GetJob("minutely");
        Assert.True(paused.IsPaused);
        Assert.Null(paused.NextRunAt);

        await host.AdvanceToAsync(M(30));

        var sessions = await host.GetSessionsAsync("minutely");
        Assert.Equal([M(1), M(2)], sessions.Select(s => s.ScheduledAt));
        Assert.Equal(2, probe.Calls.Count);
    }

    [Theory]
    //          resume at (min)   first run after resume (min)
    [InlineData(10.0,             11.0)] // exactly on an occurrence: that occurrence is not "after now"
    [InlineData(10.5,             11.0)]
    [InlineData(10.999,           11.0)]
    public async Task Resume_AfterPause_FirstOccurrenceIsStrictlyAfterNow(double resumeAt, double firstRun)
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("minutely")));
        await host.AdvanceToAsync(M(1.5));
        host.Scheduler.Pause("minutely");
        await host.AdvanceToAsync(M(resumeAt));

        host.Scheduler.Resume("minutely");

        var resumed = host.Scheduler.GetJob("minutely");
        Assert.False(resumed.IsPaused);
        Assert.Equal(M(firstRun), resumed.NextRunAt);
        await host.AdvanceToAsync(M(firstRun + 1));
        Assert.Equal([M(1), M(firstRun), M(firstRun + 1)], (await host.GetSessionsAsync("minutely")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task Pause_WhileARunIsInProgress_LetsItFinishAndStartsNoMore()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(30)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("minutely")));
        await host.AdvanceToAsync(M(1).AddSeconds(10));

        host.Scheduler.Pause("minutely");
        Assert.Equal(1, host.Scheduler.GetJob("minutely").RunningCount);
        await host.AdvanceToAsync(M(10));

        var session = Assert.Single(await host.GetSessionsAsync("minutely"));
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(M(1.5), session.EndedAt);
        Assert.Equal(0, host.Scheduler.GetJob("minutely").RunningCount);
    }

    [Fact]
    public async Task PauseAndResume_CalledTwice_AreHarmless()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("*/5 * * * *", j => j.WithName("job")));

        host.Scheduler.Resume("job");
        Assert.Equal(M(5), host.Scheduler.GetJob("job").NextRunAt);
        host.Scheduler.Pause("job");
        host.Scheduler.Pause("job");
        Assert.True(host.Scheduler.GetJob("job").IsPaused);
        host.Scheduler.Resume("job");
        host.Scheduler.Resume("job");
        await host.AdvanceToAsync(M(10));

        Assert.Equal([M(5), M(10)], (await host.GetSessionsAsync("job")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task Control_UnknownJobName_ThrowsKeyNotFoundNamingIt()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("known")));

        Assert.Contains("nope", Assert.Throws<KeyNotFoundException>(() => host.Scheduler.Pause("nope")).Message, StringComparison.Ordinal);
        Assert.Throws<KeyNotFoundException>(() => host.Scheduler.Resume("nope"));
        Assert.Throws<KeyNotFoundException>(() => host.Scheduler.GetJob("nope"));
        Assert.Throws<KeyNotFoundException>(() => host.Scheduler.Reschedule("nope", "* * * * *"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => host.Scheduler.TriggerAsync("nope"));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => host.Scheduler.ScheduleOnceAsync("nope", M(5)));
        Assert.False(host.Scheduler.RemoveJob("nope"));
    }

    [Fact]
    public async Task PausedJob_TriggerAndScheduleOnce_StillRun()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("minutely")));
        host.Scheduler.Pause("minutely");

        var manual = await host.RunJobAsync("minutely");
        var oneOffId = await host.Scheduler.ScheduleOnceAsync("minutely", M(5.5));
        await host.AdvanceToAsync(M(10));

        var sessions = await host.GetSessionsAsync("minutely");
        Assert.Equal([(manual.Id, Start, JobTrigger.Manual), (oneOffId, M(5.5), JobTrigger.Scheduled)], sessions.Select(s => (s.Id, s.ScheduledAt, s.Trigger)));
        Assert.True(host.Scheduler.GetJob("minutely").IsPaused);
        Assert.Null(host.Scheduler.GetJob("minutely").NextRunAt);
    }

    // ---- Reschedule ----

    [Fact]
    public async Task Reschedule_ToHourly_NextRunFollowsTheNewExpression()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("job")));
        await host.AdvanceToAsync(M(2.5));

        host.Scheduler.Reschedule("job", "0 * * * *");

        var info = host.Scheduler.GetJob("job");
        Assert.Equal("0 * * * *", info.Schedule);
        Assert.Equal(M(60), info.NextRunAt);
        await host.AdvanceToAsync(M(120));
        Assert.Equal([M(1), M(2), M(60), M(120)], (await host.GetSessionsAsync("job")).Select(s => s.ScheduledAt));
    }

    [Theory]
    //          new expression        zone                 now                    next run
    [InlineData("*/20 * * * * *",     "UTC",               "2026-01-01 00:00:05Z", "2026-01-01 00:00:20Z")] // six fields: seconds
    [InlineData("*/20 * * * *",       "UTC",               "2026-01-01 00:00:05Z", "2026-01-01 00:20:00Z")] // five fields: minutes
    [InlineData("@daily",             "UTC",               "2026-01-01 00:00:05Z", "2026-01-02 00:00:00Z")]
    [InlineData("0 10 * * *",         "America/New_York",  "2026-01-01 00:00:05Z", "2026-01-01 15:00:00Z")] // keeps the job's zone
    public async Task Reschedule_NewExpression_NextRunAtFollowsItInTheJobsZone(string expression, string zone, string now, string next)
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 9 * * *", j => j.WithName("job").InTimeZone(zone)));
        await host.AdvanceToAsync(At(now));

        host.Scheduler.Reschedule("job", expression);

        Assert.Equal(At(next), host.Scheduler.GetJob("job").NextRunAt);
        Assert.Equal(zone, host.Scheduler.GetJob("job").TimeZone);
        await host.AdvanceToAsync(At(next));
        Assert.Equal([At(next)], (await host.GetSessionsAsync("job")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task Reschedule_IntervalJob_BecomesACronJob()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job").WithInterval(TimeSpan.FromMinutes(7))));
        await host.AdvanceToAsync(M(7));

        host.Scheduler.Reschedule("job", "*/10 * * * *");

        Assert.Equal("*/10 * * * *", host.Scheduler.GetJob("job").Schedule);
        await host.AdvanceToAsync(M(30));
        Assert.Equal([M(7), M(10), M(20), M(30)], (await host.GetSessionsAsync("job")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task Reschedule_InvalidExpression_ThrowsNamingJobAndKeepsOldSchedule()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("*/5 * * * *", j => j.WithName("job")));

        var error = Assert.Throws<ArgumentException>(() => host.Scheduler.Reschedule("job", "61 * * * *"));

        Assert.Contains("job", error.Message, StringComparison.Ordinal);
        Assert.Contains("61 * * * *", error.Message, StringComparison.Ordinal);
        Assert.Equal("*/5 * * * *", host.Scheduler.GetJob("job").Schedule);
        await host.AdvanceToAsync(M(10));
        Assert.Equal([M(5), M(10)], (await host.GetSessionsAsync("job")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task Reschedule_PausedJob_StaysPausedAndResumeUsesTheNewExpression()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("job")));
        host.Scheduler.Pause("job");

        host.Scheduler.Reschedule("job", "*/10 * * * *");
        Assert.True(host.Scheduler.GetJob("job").IsPaused);
        Assert.Null(host.Scheduler.GetJob("job").NextRunAt);
        await host.AdvanceToAsync(M(12));
        Assert.Empty(await host.GetSessionsAsync("job"));

        host.Scheduler.Resume("job");
        await host.AdvanceToAsync(M(30));
        Assert.Equal([M(20), M(30)], (await host.GetSessionsAsync("job")).Select(s => s.ScheduledAt));
    }

    [Fact]
    public async Task Reschedule_WhileARunIsInProgress_LetsItFinish()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(30)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("job")));
        await host.AdvanceToAsync(M(1).AddSeconds(10));

        host.Scheduler.Reschedule("job", "0 * * * *");
        await host.AdvanceToAsync(M(60));

        var sessions = await host.GetSessionsAsync("job");
        Assert.Equal([M(1), M(60)], sessions.Select(s => s.ScheduledAt));
        Assert.Equal(M(1.5), sessions[0].EndedAt);
        Assert.All(sessions.Take(1), s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
    }

    // ---- TriggerAsync ----

    [Fact]
    public async Task Trigger_OnDemandJob_RunsNowAsManual()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("on-demand")));
        await host.AdvanceToAsync(M(7));

        var handle = await host.Scheduler.TriggerAsync("on-demand");
        await host.WaitForIdleAsync();

        Assert.True(handle.Completion.IsCompleted);
        var session = await handle.Completion;
        Assert.Equal(handle.SessionId, session.Id);
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(JobTrigger.Manual, session.Trigger);
        Assert.Equal(M(7), session.ScheduledAt);
        Assert.Equal(M(7), session.StartedAt);
        var call = Assert.Single(probe.Calls);
        Assert.Equal(JobTrigger.Manual, call.Trigger);
        Assert.Equal(handle.SessionId, call.SessionId);
        Assert.Equal(session.Id, Assert.Single(await host.GetSessionsAsync("on-demand")).Id);
    }

    [Fact]
    public async Task Trigger_ScheduledJob_RunsBesideItsSchedule()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 * * * *", j => j.WithName("hourly")));
        await host.AdvanceToAsync(M(10));

        await host.RunJobAsync("hourly");
        await host.AdvanceToAsync(M(60));

        var sessions = await host.GetSessionsAsync("hourly");
        Assert.Equal([(M(10), JobTrigger.Manual), (M(60), JobTrigger.Scheduled)], sessions.Select(s => (s.ScheduledAt, s.Trigger)));
    }

    [Fact]
    public async Task Trigger_WhileRunningUnderSkip_IsRecordedSkipped()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromMinutes(5)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 * * * *", j => j.WithName("slow")));
        await host.AdvanceToAsync(M(61));

        var handle = await host.Scheduler.TriggerAsync("slow");
        await host.WaitForIdleAsync();

        Assert.True(handle.Completion.IsCompleted);
        var skipped = await handle.Completion;
        Assert.Equal(handle.SessionId, skipped.Id);
        Assert.Equal(JobSessionStatus.Skipped, skipped.Status);
        Assert.Equal(JobTrigger.Manual, skipped.Trigger);
        Assert.Single(probe.Calls);
    }

    [Fact]
    public async Task Trigger_WhileRunningUnderQueue_RunsWhenTheCurrentRunEnds()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromMinutes(5)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 * * * *", j => j.WithName("slow").WithOverlap(OverlapPolicy.Queue)));
        await host.AdvanceToAsync(M(61));

        var handle = await host.Scheduler.TriggerAsync("slow");
        await host.AdvanceToAsync(M(64));
        Assert.False(handle.Completion.IsCompleted);

        await host.AdvanceToAsync(M(75));
        Assert.True(handle.Completion.IsCompleted);
        var session = await handle.Completion;
        Assert.Equal(handle.SessionId, session.Id);
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(JobTrigger.Manual, session.Trigger);
        Assert.Equal(M(65), session.StartedAt);
        Assert.Equal(M(70), session.EndedAt);
    }

    [Fact]
    public async Task Trigger_UnderAllow_RunsConcurrently()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromMinutes(5)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("parallel").WithOverlap(OverlapPolicy.Allow)));

        var first = await host.Scheduler.TriggerAsync("parallel");
        var second = await host.Scheduler.TriggerAsync("parallel");
        await host.WaitForIdleAsync();
        Assert.Equal(2, host.Scheduler.GetJob("parallel").RunningCount);
        await host.AdvanceAsync(TimeSpan.FromMinutes(5));

        Assert.NotEqual(first.SessionId, second.SessionId);
        Assert.Equal(JobSessionStatus.Succeeded, (await first.Completion).Status);
        Assert.Equal(JobSessionStatus.Succeeded, (await second.Completion).Status);
        Assert.Equal(2, probe.MaxRunning);
    }

    // ---- ScheduleOnceAsync ----

    [Fact]
    public async Task ScheduleOnce_OnDemandJob_RunsOnceExactlyAtTheTime()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("on-demand")));
        var runAt = M(90);

        var sessionId = await host.Scheduler.ScheduleOnceAsync("on-demand", runAt);

        Assert.Equal(runAt, host.Scheduler.GetJob("on-demand").NextRunAt);
        await host.AdvanceToAsync(runAt.AddSeconds(-1));
        Assert.Empty(await host.GetSessionsAsync("on-demand"));

        await host.AdvanceToAsync(runAt.AddDays(1));
        var session = Assert.Single(await host.GetSessionsAsync("on-demand"));
        Assert.Equal(sessionId, session.Id);
        Assert.Equal(runAt, session.ScheduledAt);
        Assert.Equal(runAt, session.StartedAt);
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(sessionId, Assert.Single(probe.Calls).SessionId);
        Assert.Null(host.Scheduler.GetJob("on-demand").NextRunAt);
    }

    [Fact]
    public async Task ScheduleOnce_CronJob_RunsBesideTheSchedule()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 * * * *", j => j.WithName("hourly")));

        var sessionId = await host.Scheduler.ScheduleOnceAsync("hourly", M(30));

        Assert.Equal(M(30), host.Scheduler.GetJob("hourly").NextRunAt);
        await host.AdvanceToAsync(M(120));
        var sessions = await host.GetSessionsAsync("hourly");
        Assert.Equal([M(30), M(60), M(120)], sessions.Select(s => s.ScheduledAt));
        Assert.Equal(sessionId, sessions[0].Id);
    }

    [Fact]
    public async Task ScheduleOnce_SeveralTimes_RunsEachOnce()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("on-demand")));

        var late = await host.Scheduler.ScheduleOnceAsync("on-demand", M(50));
        var early = await host.Scheduler.ScheduleOnceAsync("on-demand", M(20));

        Assert.Equal(M(20), host.Scheduler.GetJob("on-demand").NextRunAt);
        await host.AdvanceToAsync(M(100));
        var sessions = await host.GetSessionsAsync("on-demand");
        Assert.Equal([(early, M(20)), (late, M(50))], sessions.Select(s => (s.Id, s.ScheduledAt)));
    }

    [Fact]
    public async Task ScheduleOnce_TimeNotInTheFuture_RunsNow()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("on-demand")));
        await host.AdvanceToAsync(M(10));

        var sessionId = await host.Scheduler.ScheduleOnceAsync("on-demand", M(5));
        await host.WaitForIdleAsync();

        var session = Assert.Single(await host.GetSessionsAsync("on-demand"));
        Assert.Equal(sessionId, session.Id);
        Assert.Equal(M(10), session.StartedAt);
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
    }

    // ---- RunOnStartup ----

    [Fact]
    public async Task RunOnStartup_CronJob_RunsOnceAtStartThenOnSchedule()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 0 * * *", j => j.WithName("nightly").RunOnStartup()));

        var atStart = Assert.Single(await host.GetSessionsAsync("nightly"));
        Assert.Equal(Start, atStart.ScheduledAt);
        Assert.Equal(Start, atStart.StartedAt);
        Assert.Equal(JobSessionStatus.Succeeded, atStart.Status);

        await host.AdvanceAsync(TimeSpan.FromDays(2));
        Assert.Equal([Start, Start.AddDays(1), Start.AddDays(2)], (await host.GetSessionsAsync("nightly")).Select(s => s.ScheduledAt));
    }

    [CronJob("0 0 * * *", Name = "startup-attribute", RunOnStartup = true)]
    private sealed class StartupJob(RunProbe probe, TimeProvider time) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => probe.RunAsync(context, time, cancellationToken);
    }

    [Fact]
    public async Task RunOnStartup_FromAttribute_RunsAtStart()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<StartupJob>());

        Assert.Equal(Start, Assert.Single(await host.GetSessionsAsync("startup-attribute")).ScheduledAt);
    }

    [Fact]
    public async Task RunOnStartup_NotSet_NothingRunsAtStart()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 0 * * *", j => j.WithName("nightly")));

        Assert.Empty(await host.GetSessionsAsync("nightly"));
        Assert.Empty(probe.Calls);
    }

    // ---- AddJob / RemoveJob at run time ----

    [Fact]
    public async Task AddJob_AtRunTime_IsScheduledFromNow()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 0 * * *", j => j.WithName("existing")));
        await host.AdvanceToAsync(M(5));

        host.Scheduler.AddJob<OtherProbeJob>("*/5 * * * *", j => j.WithName("late").WithTimeout(TimeSpan.FromSeconds(1)));

        var info = host.Scheduler.GetJob("late");
        Assert.Equal(M(10), info.NextRunAt); // strictly after now: 00:05 itself is not run
        Assert.Equal("*/5 * * * *", info.Schedule);
        Assert.Contains(host.Scheduler.GetJobs(), j => j.Name == "late");
        await host.AdvanceToAsync(M(20));
        Assert.Equal([M(10), M(15), M(20)], (await host.GetSessionsAsync("late")).Select(s => s.ScheduledAt));
        Assert.All(probe.CallsOf("late"), c => Assert.Equal(c.ScheduledAt, c.ClockAtStart));
    }

    [Fact]
    public async Task AddJob_AtRunTime_AppliesTheBuilderPolicies()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromMinutes(1)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 0 * * *", j => j.WithName("existing")));

        host.Scheduler.AddJob<ProbeJob>("0 * * * *", j => j.WithName("late").InTimeZone("Asia/Kolkata").WithTimeout(TimeSpan.FromSeconds(10)).WithRetry(1, TimeSpan.FromSeconds(5)));
        await host.AdvanceToAsync(M(60));

        // Kolkata is +05:30: its hours start at :30 UTC.
        Assert.Equal(M(30), (await host.SessionsByOccurrenceAsync("late"))[0].ScheduledAt);
        Assert.Equal(
            [(1, JobSessionStatus.TimedOut), (2, JobSessionStatus.TimedOut)],
            (await host.SessionsByOccurrenceAsync("late")).Select(s => (s.Attempt, s.Status)));
    }

    [Fact]
    public async Task AddJob_DuplicateOrInvalid_ThrowsAndChangesNothing()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 0 * * *", j => j.WithName("existing")));

        var duplicate = Assert.Throws<ArgumentException>(() => host.Scheduler.AddJob<OtherProbeJob>("* * * * *", j => j.WithName("existing")));
        Assert.Contains("existing", duplicate.Message, StringComparison.Ordinal);
        var invalid = Assert.Throws<ArgumentException>(() => host.Scheduler.AddJob<OtherProbeJob>("not a cron", j => j.WithName("bad")));
        Assert.Contains("bad", invalid.Message, StringComparison.Ordinal);

        Assert.Equal(["existing"], host.Scheduler.GetJobs().Select(j => j.Name));
        Assert.Equal("0 0 * * *", host.Scheduler.GetJob("existing").Schedule);
        await host.AdvanceToAsync(M(10));
        Assert.Empty(probe.Calls);
    }

    [Fact]
    public async Task RemoveJob_WhileRunning_LetsTheRunFinishAndRecordsNothingMore()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(90)) };
        await using var host = await StartAsync(probe, b => b
            .AddJob<ProbeJob>("* * * * *", j => j.WithName("doomed"))
            .AddJob<ProbeJob>("0 0 * * *", j => j.WithName("other")));
        await host.AdvanceToAsync(M(1.5));

        Assert.True(host.Scheduler.RemoveJob("doomed"));

        Assert.Throws<KeyNotFoundException>(() => host.Scheduler.GetJob("doomed"));
        Assert.Equal(["other"], host.Scheduler.GetJobs().Select(j => j.Name));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => host.Scheduler.TriggerAsync("doomed"));
        await host.AdvanceToAsync(M(10));

        var session = Assert.Single(await host.GetSessionsAsync("doomed"));
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(M(2.5), session.EndedAt);
        Assert.Single(probe.Calls);
        Assert.False(host.Scheduler.RemoveJob("doomed"));
    }

    [Fact]
    public async Task RemoveJob_WithQueuedRunAndOneOff_NeitherRunsNorIsRecorded()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(90)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("doomed").WithOverlap(OverlapPolicy.Queue)));
        await host.Scheduler.ScheduleOnceAsync("doomed", M(5));
        await host.AdvanceToAsync(M(2.2)); // 1m runs until 2m30; 2m is queued

        Assert.True(host.Scheduler.RemoveJob("doomed"));
        await host.AdvanceToAsync(M(10));

        var session = Assert.Single(await host.GetSessionsAsync("doomed"));
        Assert.Equal(M(1), session.ScheduledAt);
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Single(probe.Calls);
    }

    [Fact]
    public async Task RemoveJob_DuringRetryDelay_RunsNoFurtherAttempt()
    {
        var probe = new RunProbe { Body = RunProbe.Fails("broken") };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 * * * *", j => j.WithName("doomed").WithRetry(3, TimeSpan.FromMinutes(1))));
        await host.AdvanceToAsync(M(60.5)); // attempt 1 failed at 1:00; attempt 2 is due at 1:01

        Assert.True(host.Scheduler.RemoveJob("doomed"));
        await host.AdvanceToAsync(M(120));

        var session = Assert.Single(await host.GetSessionsAsync("doomed"));
        Assert.Equal(JobSessionStatus.Failed, session.Status);
        Assert.Single(probe.Calls);
    }

    [Fact]
    public async Task RemoveJob_ThenAddSameName_RunsTheNewDefinition()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("job")));
        await host.AdvanceToAsync(M(2));

        Assert.True(host.Scheduler.RemoveJob("job"));
        host.Scheduler.AddJob<OtherProbeJob>("*/10 * * * *", j => j.WithName("job"));
        await host.AdvanceToAsync(M(20));

        Assert.Equal([M(1), M(2), M(10), M(20)], (await host.GetSessionsAsync("job")).Select(s => s.ScheduledAt));
    }

    // ---- GetJobs / GetJob ----

    [Fact]
    public async Task GetJobs_DescribesEveryJobSortedByName()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b
            .AddJob<ProbeJob>("0 9 * * *", j => j.WithName("zeta").InTimeZone("Europe/Berlin"))
            .AddJob<ProbeJob>(j => j.WithName("alpha"))
            .AddJob<OtherProbeJob>(j => j.WithName("Mid").WithInterval(TimeSpan.FromMinutes(15))));

        var jobs = host.Scheduler.GetJobs();

        Assert.Equal(["alpha", "Mid", "zeta"], jobs.Select(j => j.Name));
        var alpha = jobs[0];
        Assert.Null(alpha.Schedule);
        Assert.Null(alpha.NextRunAt);
        Assert.Equal("UTC", alpha.TimeZone);
        Assert.Equal(typeof(ProbeJob).FullName, alpha.JobType);
        Assert.Equal(M(15), jobs[1].NextRunAt);
        Assert.Equal(typeof(OtherProbeJob).FullName, jobs[1].JobType);
        var zeta = jobs[2];
        Assert.Equal("0 9 * * *", zeta.Schedule);
        Assert.Equal("Europe/Berlin", zeta.TimeZone);
        Assert.Equal(At("2026-01-01 08:00Z"), zeta.NextRunAt);
        Assert.All(jobs, j =>
        {
            Assert.False(j.IsPaused);
            Assert.True(j.IsEnabled);
            Assert.Equal(0, j.RunningCount);
            Assert.Null(j.LastSession);
        });
        Assert.Equal("zeta", host.Scheduler.GetJob("ZETA").Name); // names are case-insensitive
    }

    [Fact]
    public async Task GetJob_DuringAndAfterARun_ShowsRunningCountLastSessionAndNextRun()
    {
        var probe = new RunProbe { Body = (context, time, ct) => context.ScheduledAt == M(10) ? Task.Delay(TimeSpan.FromMinutes(1), time, ct) : throw new InvalidOperationException("second run fails") };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("*/10 * * * *", j => j.WithName("job")));

        await host.AdvanceToAsync(M(10.5));
        var during = host.Scheduler.GetJob("job");
        Assert.Equal(1, during.RunningCount);
        Assert.Equal(M(20), during.NextRunAt);
        Assert.Null(during.LastSession);

        await host.AdvanceToAsync(M(15));
        var after = host.Scheduler.GetJob("job");
        Assert.Equal(0, after.RunningCount);
        Assert.NotNull(after.LastSession);
        Assert.Equal(JobSessionStatus.Succeeded, after.LastSession.Status);
        Assert.Equal(M(10), after.LastSession.ScheduledAt);
        Assert.Equal(M(11), after.LastSession.EndedAt);
        Assert.Equal(probe.Calls[0].SessionId, after.LastSession.Id);

        await host.AdvanceToAsync(M(20));
        var failed = host.Scheduler.GetJob("job");
        Assert.Equal(JobSessionStatus.Failed, failed.LastSession!.Status);
        Assert.Equal(M(20), failed.LastSession.ScheduledAt);
        Assert.Equal(M(30), failed.NextRunAt);
    }
}
