using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace JobScheduler.Testing.Tests;

/// <summary>
/// The fake-clock harness users drive their own jobs with: every advance fires each timer at its exact time, in order,
/// and waits for runs to settle; a run that cannot settle fails loudly instead of hanging.
/// </summary>
public sealed class JobSchedulerTestHostTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Task<JobSchedulerTestHost> StartAsync(Action<IJobSchedulerBuilder> configure, JobSchedulerTestHostOptions? options = null)
        => JobSchedulerTestHost.StartAsync(s => configure(s.AddSingleton<RunLog>().AddSingleton<Gate>().AddJobScheduler()), options);

    // ---- start --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task StartAsync_RegistersTheFakeClockAndExposesTheHostsServices()
    {
        await using var host = await StartAsync(b => b.AddJob<RecordingJob>("0 9 * * *", j => j.WithName("daily")));

        Assert.Equal(Start, host.Now);
        Assert.Equal(Start, host.Clock.GetUtcNow());
        Assert.Same(host.Clock, host.Services.GetRequiredService<TimeProvider>());
        Assert.Same(host.Scheduler, host.Services.GetRequiredService<IJobScheduler>());
        Assert.Same(host.Store, host.Services.GetRequiredService<IJobSessionStore>());
        Assert.Equal(Start.AddHours(9), host.Scheduler.GetJob("daily").NextRunAt);
    }

    [Fact]
    public async Task StartAsync_StartTimeOption_SetsTheClock()
    {
        var start = new DateTimeOffset(2030, 6, 15, 12, 30, 0, TimeSpan.Zero);

        await using var host = await StartAsync(b => b.AddJob<RecordingJob>("0 13 * * *", j => j.WithName("daily")), new JobSchedulerTestHostOptions { StartTime = start });

        Assert.Equal(start, host.Now);
        Assert.Equal(start.AddMinutes(30), host.Scheduler.GetJob("daily").NextRunAt);
    }

    [Fact]
    public async Task StartAsync_InvalidJob_ThrowsOptionsValidationExceptionListingTheProblem()
    {
        var exception = await Assert.ThrowsAsync<OptionsValidationException>(
            () => StartAsync(b => b.AddJob<RecordingJob>("0 61 * * *", j => j.WithName("bad").InTimeZone("Mars/Olympus"))));

        Assert.Equal(2, exception.Failures.Count());
        Assert.Contains(exception.Failures, f => f.StartsWith("Job 'bad'", StringComparison.Ordinal) && f.Contains("'0 61 * * *'", StringComparison.Ordinal));
        Assert.Contains(exception.Failures, f => f.StartsWith("Job 'bad'", StringComparison.Ordinal) && f.Contains("'Mars/Olympus'", StringComparison.Ordinal));
    }

    [Fact]
    public void Options_EnsureDefaults()
    {
        var options = new JobSchedulerTestHostOptions();

        Assert.Equal(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero), options.StartTime);
        Assert.Equal(TimeSpan.FromSeconds(30), options.SettleTimeout);
        Assert.Empty(options.Configuration);
        options.Configuration["JobScheduler:Jobs:a:Enabled"] = "false";
        Assert.True(options.Configuration.ContainsKey("jobscheduler:jobs:A:enabled"));
    }

    // ---- AdvanceAsync -------------------------------------------------------------------------------------------

    [Fact]
    public async Task AdvanceAsync_FiresEveryOccurrenceAtItsExactTime_InOrder()
    {
        await using var host = await StartAsync(b => b
            .AddJob<RecordingJob>("*/20 * * * *", j => j.WithName("twenty"))
            .AddJob<RecordingJob>("7,31,52 * * * *", j => j.WithName("odd")));

        await host.AdvanceAsync(TimeSpan.FromHours(1));

        var runs = host.Services.GetRequiredService<RunLog>().Runs.ToList();
        Assert.Equal(
            [("odd", 7), ("twenty", 20), ("odd", 31), ("twenty", 40), ("odd", 52), ("twenty", 60)],
            runs.Select(r => (r.JobName, (int)(r.ClockAtStart - Start).TotalMinutes)));
        Assert.All(runs, r => Assert.Equal(r.ScheduledAt, r.ClockAtStart)); // never early, never late
        Assert.Equal(Start.AddHours(1), host.Now);
    }

    [Fact]
    public async Task AdvanceAsync_SecondsSchedule_FiresEverySecond()
    {
        await using var host = await StartAsync(b => b.AddJob<RecordingJob>("*/15 * * * * *", j => j.WithName("quarter-minute")));

        await host.AdvanceAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(
            Enumerable.Range(1, 8).Select(i => Start.AddSeconds(15 * i)),
            (await host.GetSessionsAsync("quarter-minute")).Select(s => s.StartedAt));
    }

    [Fact]
    public async Task AdvanceAsync_DrivesTheJobsOwnClockWaits()
    {
        await using var host = await StartAsync(b => b.AddJob<SevenMinuteJob>("0 * * * *", j => j.WithName("hourly")));

        await host.AdvanceAsync(TimeSpan.FromHours(2));
        var sessions = await host.GetSessionsAsync("hourly");

        Assert.Equal(JobSessionStatus.Succeeded, sessions[0].Status);
        Assert.Equal(Start.AddHours(1).AddMinutes(7), sessions[0].EndedAt);
        Assert.Equal(JobSessionStatus.Running, sessions[1].Status); // started at 02:00, waits until 02:07

        await host.AdvanceAsync(TimeSpan.FromMinutes(7));

        Assert.Equal(Start.AddHours(2).AddMinutes(7), (await host.GetSessionsAsync("hourly"))[1].EndedAt);
    }

    [Fact]
    public async Task AdvanceAsync_Zero_ChangesNothing()
    {
        await using var host = await StartAsync(b => b.AddJob<RecordingJob>("* * * * *", j => j.WithName("minute")));

        await host.AdvanceAsync(TimeSpan.Zero);

        Assert.Equal(Start, host.Now);
        Assert.Empty(await host.GetSessionsAsync());
    }

    [Fact]
    public async Task AdvanceAsync_Negative_ThrowsArgumentOutOfRange()
    {
        await using var host = await StartAsync(_ => { });

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => host.AdvanceAsync(TimeSpan.FromTicks(-1)));
    }

    [Fact]
    public async Task AdvanceToAsync_StopsExactlyAtTheTarget()
    {
        await using var host = await StartAsync(b => b.AddJob<RecordingJob>("*/10 * * * *", j => j.WithName("ten")));
        var target = Start.AddMinutes(35).AddSeconds(12);

        await host.AdvanceToAsync(target);

        Assert.Equal(target, host.Now);
        Assert.Equal(3, (await host.GetSessionsAsync("ten")).Count);
    }

    [Fact]
    public async Task AdvanceToAsync_PastTime_ThrowsArgumentOutOfRange()
    {
        await using var host = await StartAsync(_ => { });
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        var exception = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => host.AdvanceToAsync(Start));

        Assert.Equal("time", exception.ParamName);
        Assert.Contains("cannot go back", exception.Message);
    }

    [Theory]
    [InlineData(30)] // past the scheduler's pending wake-up (its wait is capped at MaxTimerWait, 1 minute)
    [InlineData(0.5)] // short of it
    public async Task AdvanceAsync_AfterAdjustTimeForward_ThrowsInsteadOfSteppingForever(double minutes)
    {
        await using var host = await StartAsync(b => b.AddJob<RecordingJob>("0 * * * *", j => j.WithName("hourly")));
        host.Clock.AdjustTime(Start.AddMinutes(minutes));

        // Run off the test thread with a real-time guard: stepping forever would otherwise hang the test run.
        var exception = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Task.Run(() => host.AdvanceAsync(TimeSpan.FromHours(2))).WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Contains("AdjustTime", exception.Message);
        Assert.Contains("did not fire", exception.Message);
        host.Clock.Advance(TimeSpan.FromMinutes(1)); // let the shifted wait run out, so the host can stop
        await host.WaitForIdleAsync();
    }

    [Fact]
    public async Task AdvanceAsync_AfterAdjustTimeAndAPlainAdvance_FiresOnTimeAgain()
    {
        await using var host = await StartAsync(b => b.AddJob<RecordingJob>("0 * * * *", j => j.WithName("hourly")));
        host.Clock.AdjustTime(Start.AddMinutes(30));
        host.Clock.Advance(TimeSpan.FromMinutes(1)); // the scheduler's pending wait (at most MaxTimerWait) runs out
        await host.WaitForIdleAsync();

        await host.AdvanceAsync(TimeSpan.FromHours(2));

        var runs = host.Services.GetRequiredService<RunLog>().Runs.ToList();
        Assert.Equal([Start.AddHours(1), Start.AddHours(2)], runs.Select(r => r.ClockAtStart));
        Assert.All(runs, r => Assert.Equal(r.ScheduledAt, r.ClockAtStart));
    }

    // ---- AdvanceToNextRunAsync ----------------------------------------------------------------------------------

    [Fact]
    public async Task AdvanceToNextRunAsync_ReturnsTheNextOccurrenceAndRunsIt()
    {
        await using var host = await StartAsync(b => b
            .AddJob<RecordingJob>("0 9 * * *", j => j.WithName("nine"))
            .AddJob<RecordingJob>("30 13 * * *", j => j.WithName("half-past-one")));

        var first = await host.AdvanceToNextRunAsync();
        var second = await host.AdvanceToNextRunAsync();
        var third = await host.AdvanceToNextRunAsync();

        Assert.Equal([Start.AddHours(9), Start.AddHours(13.5), Start.AddDays(1).AddHours(9)], [first, second, third]);
        Assert.Equal(third, host.Now);
        Assert.Equal(["nine", "half-past-one", "nine"], (await host.GetSessionsAsync()).Select(s => s.JobName));
    }

    [Fact]
    public async Task AdvanceToNextRunAsync_IncludesOneOffRuns()
    {
        await using var host = await StartAsync(b => b.AddJob<RecordingJob>("0 9 * * *", j => j.WithName("nine")).AddJob<RecordingJob>(j => j.WithName("once")));
        await host.Scheduler.ScheduleOnceAsync("once", Start.AddHours(3));

        Assert.Equal(Start.AddHours(3), await host.AdvanceToNextRunAsync());
        Assert.Equal("once", Assert.Single(await host.GetSessionsAsync()).JobName);
    }

    [Theory]
    [InlineData("on-demand")]
    [InlineData("paused")]
    [InlineData("disabled")]
    [InlineData("no jobs")]
    public async Task AdvanceToNextRunAsync_NoFutureOccurrence_ThrowsInvalidOperation(string situation)
    {
        var options = new JobSchedulerTestHostOptions();
        if (situation == "disabled")
        {
            options.Configuration["JobScheduler:Jobs:job:Enabled"] = "false";
        }

        await using var host = await StartAsync(
            b =>
            {
                if (situation == "on-demand")
                {
                    b.AddJob<RecordingJob>(j => j.WithName("job"));
                }
                else if (situation != "no jobs")
                {
                    b.AddJob<RecordingJob>("0 9 * * *", j => j.WithName("job"));
                }
            },
            options);
        if (situation == "paused")
        {
            host.Scheduler.Pause("job");
        }

        var exception = await Assert.ThrowsAsync<InvalidOperationException>(() => host.AdvanceToNextRunAsync());

        Assert.StartsWith("No job has a future occurrence", exception.Message);
        Assert.Equal(Start, host.Now);
    }

    // ---- WaitForIdleAsync ---------------------------------------------------------------------------------------

    [Fact]
    public async Task WaitForIdleAsync_JobBlockedOffTheClock_ThrowsTimeoutNamingTheBusyJob()
    {
        var options = new JobSchedulerTestHostOptions { SettleTimeout = TimeSpan.FromMilliseconds(300) };
        var host = await StartAsync(b => b.AddJob<BlockedJob>(j => j.WithName("blocker")), options);
        var gate = host.Services.GetRequiredService<Gate>();
        JobRunHandle run;
        try
        {
            run = await host.Scheduler.TriggerAsync("blocker");

            var exception = await Assert.ThrowsAsync<TimeoutException>(() => host.WaitForIdleAsync());

            Assert.Contains("within 00:00:00.3000000 of real time", exception.Message);
            Assert.Contains("job 'blocker'", exception.Message);
            Assert.Contains("InJob", exception.Message);
        }
        finally
        {
            gate.Release.TrySetResult();
        }

        // The 300 ms guard is what this test checks, not a bound on a loaded machine: the job's continuation is queued
        // to a thread pool that other test classes may keep busy, so wait for the run itself before the host settles.
        await run.Completion.WaitAsync(TimeSpan.FromSeconds(30));
        await host.WaitForIdleAsync();
        Assert.Equal(JobSessionStatus.Succeeded, Assert.Single(await host.GetSessionsAsync("blocker")).Status);
        await host.DisposeAsync();
    }

    [Fact]
    public async Task RunJobAsync_JobBlockedOffTheClock_ThrowsTimeoutNamingTheBusyJob()
    {
        var options = new JobSchedulerTestHostOptions { SettleTimeout = TimeSpan.FromMilliseconds(300) };
        var host = await StartAsync(b => b.AddJob<BlockedJob>(j => j.WithName("blocker")), options);
        var gate = host.Services.GetRequiredService<Gate>();
        try
        {
            var exception = await Assert.ThrowsAsync<TimeoutException>(() => host.RunJobAsync("blocker"));

            Assert.Contains("job 'blocker'", exception.Message);
        }
        finally
        {
            gate.Release.TrySetResult();
        }

        await host.DisposeAsync();
    }

    [Fact]
    public async Task WaitForIdleAsync_JobWaitingOnTheFakeClock_IsIdle()
    {
        await using var host = await StartAsync(b => b.AddJob<SevenMinuteJob>(j => j.WithName("waiting")));
        var handle = await host.Scheduler.TriggerAsync("waiting");

        await host.WaitForIdleAsync();

        Assert.False(handle.Completion.IsCompleted);
        Assert.Equal(JobSessionStatus.Running, Assert.Single(await host.GetSessionsAsync()).Status);
    }

    // ---- RunJobAsync --------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(RetryBackoff.Constant,    new[] { 0, 10, 20, 30 })]
    [InlineData(RetryBackoff.Linear,      new[] { 0, 10, 30, 60 })]
    [InlineData(RetryBackoff.Exponential, new[] { 0, 10, 30, 70 })]
    public async Task RunJobAsync_DrivesEveryRetryThroughItsBackoff(RetryBackoff backoff, int[] attemptStartSeconds)
    {
        await using var host = await StartAsync(b => b.AddJob<FailingJob>(j => j.WithName("fail").WithRetry(3, TimeSpan.FromSeconds(10), backoff)));

        var last = await host.RunJobAsync("fail");

        Assert.Equal(JobSessionStatus.Failed, last.Status);
        Assert.Equal(4, last.Attempt);
        var sessions = await host.GetSessionsAsync("fail");
        Assert.Equal(attemptStartSeconds.Select(s => Start.AddSeconds(s)), sessions.Select(s => s.StartedAt));
        Assert.Equal([1, 2, 3, 4], sessions.Select(s => s.Attempt));
        Assert.Equal(Start.AddSeconds(attemptStartSeconds[^1]), host.Now);
    }

    [Fact]
    public async Task RunJobAsync_JobSucceedingOnTheThirdAttempt_ReturnsThatAttempt()
    {
        await using var host = await StartAsync(b => b.AddJob<ThirdTimeLuckyJob>(j => j.WithName("lucky").WithRetry(5, TimeSpan.FromMinutes(1))));

        var last = await host.RunJobAsync("lucky");

        Assert.Equal(JobSessionStatus.Succeeded, last.Status);
        Assert.Equal(3, last.Attempt);
        Assert.Equal(JobTrigger.Manual, last.Trigger);
        Assert.Equal(Start.AddMinutes(2), host.Now);
        Assert.Equal(
            [JobSessionStatus.Failed, JobSessionStatus.Failed, JobSessionStatus.Succeeded],
            (await host.GetSessionsAsync("lucky")).Select(s => s.Status));
    }

    [Fact]
    public async Task RunJobAsync_DrivesTheTimeout()
    {
        await using var host = await StartAsync(b => b.AddJob<SevenMinuteJob>(j => j.WithName("slow").WithTimeout(TimeSpan.FromSeconds(30))));

        var session = await host.RunJobAsync("slow");

        Assert.Equal(JobSessionStatus.TimedOut, session.Status);
        Assert.Equal(Start.AddSeconds(30), session.EndedAt);
    }

    [Fact]
    public async Task RunJobAsync_UnknownJob_ThrowsKeyNotFound()
    {
        await using var host = await StartAsync(b => b.AddJob<RecordingJob>(j => j.WithName("known")));

        var exception = await Assert.ThrowsAsync<KeyNotFoundException>(() => host.RunJobAsync("ghost"));

        Assert.Contains("Registered jobs: known", exception.Message);
    }

    // ---- GetSessionsAsync ---------------------------------------------------------------------------------------

    [Fact]
    public async Task GetSessionsAsync_IsOldestFirst_ForOneJobAndForAll()
    {
        await using var host = await StartAsync(b => b
            .AddJob<RecordingJob>("*/20 * * * *", j => j.WithName("twenty"))
            .AddJob<RecordingJob>("7,31,52 * * * *", j => j.WithName("odd")));
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        var all = await host.GetSessionsAsync();
        var twenty = await host.GetSessionsAsync("twenty");

        Assert.Equal([7, 20, 31, 40, 52, 60], all.Select(s => (int)(s.StartedAt - Start).TotalMinutes));
        Assert.Equal([20, 40, 60], twenty.Select(s => (int)(s.StartedAt - Start).TotalMinutes));
        var newestFirst = await host.Store.QueryAsync(new JobSessionQuery(), CancellationToken.None);
        Assert.Equal(newestFirst.Reverse().Select(s => s.Id), all.Select(s => s.Id));
    }

    [Fact]
    public async Task GetSessionsAsync_ReturnsEverySessionBeyondTheDefaultQueryLimit()
    {
        await using var host = await StartAsync(b => b.UseInMemoryStore(o => o.MaxSessionsPerJob = 1_000).AddJob<RecordingJob>("* * * * *", j => j.WithName("minute")));

        await host.AdvanceAsync(TimeSpan.FromMinutes(150));

        Assert.Equal(150, (await host.GetSessionsAsync("minute")).Count);
    }

    // ---- configuration ------------------------------------------------------------------------------------------

    [Fact]
    public async Task Configuration_OverridesTheJobs()
    {
        var options = new JobSchedulerTestHostOptions();
        options.Configuration["JobScheduler:Jobs:tick:Cron"] = "0 */6 * * *";
        options.Configuration["JobScheduler:Jobs:off:Enabled"] = "false";
        options.Configuration["JobScheduler:InstanceId"] = "test-node";
        await using var host = await StartAsync(
            b => b.AddJob<RecordingJob>("* * * * *", j => j.WithName("tick")).AddJob<RecordingJob>("* * * * *", j => j.WithName("off")),
            options);

        await host.AdvanceAsync(TimeSpan.FromDays(1));

        var sessions = await host.GetSessionsAsync();
        Assert.Equal([6, 12, 18, 24], sessions.Select(s => (int)(s.StartedAt - Start).TotalHours));
        Assert.All(sessions, s => Assert.Equal("tick", s.JobName));
        Assert.All(sessions, s => Assert.Equal("test-node", s.InstanceId));
    }

    // ---- StopAsync ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task StopAsync_JobHonouringCancellation_IsCancelledWhenTheGracePeriodEnds()
    {
        await using var host = await StartAsync(b => b
            .Configure(o => o.ShutdownGracePeriod = TimeSpan.FromSeconds(30))
            .AddJob<HourLongJob>("0 9 * * *", j => j.WithName("long")));
        await host.AdvanceToNextRunAsync();
        var stopStartedAt = host.Now;

        await host.StopAsync();

        var session = Assert.Single(await host.GetSessionsAsync("long"));
        Assert.Equal(JobSessionStatus.Cancelled, session.Status);
        Assert.Equal(stopStartedAt.AddSeconds(30), session.EndedAt);
        Assert.Empty(await host.Store.GetRunningSessionsAsync());
    }

    [Fact]
    public async Task StopAsync_JobFinishingWithinTheGracePeriod_Succeeds()
    {
        await using var host = await StartAsync(b => b
            .Configure(o => o.ShutdownGracePeriod = TimeSpan.FromMinutes(10))
            .AddJob<SevenMinuteJob>("0 9 * * *", j => j.WithName("short")));
        await host.AdvanceToNextRunAsync();

        await host.StopAsync();

        var session = Assert.Single(await host.GetSessionsAsync("short"));
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(Start.AddHours(9).AddMinutes(7), session.EndedAt);
    }

    [Fact]
    public async Task StopAsync_ThenMoreTime_FiresNothingAndRunsCannotBeTriggered()
    {
        await using var host = await StartAsync(b => b.AddJob<RecordingJob>("* * * * *", j => j.WithName("minute")));
        await host.AdvanceAsync(TimeSpan.FromMinutes(3));

        await host.StopAsync();
        await host.StopAsync(); // a second stop is harmless
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal(3, (await host.GetSessionsAsync("minute")).Count);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Scheduler.TriggerAsync("minute"));
    }

    // ---- scale --------------------------------------------------------------------------------------------------

    [Fact]
    public async Task AdvanceAsync_AMonthOfAnEveryMinuteJob_RecordsEveryOccurrence()
    {
        await using var host = await StartAsync(b => b
            .UseInMemoryStore(o => o.MaxSessionsPerJob = 50_000)
            .AddJob<RecordingJob>("* * * * *", j => j.WithName("minute")));

        await host.AdvanceAsync(TimeSpan.FromDays(31)); // all of January 2026

        var sessions = await host.GetSessionsAsync("minute");
        Assert.Equal(44_640, sessions.Count); // 31 × 24 × 60
        Assert.Equal(Start.AddMinutes(1), sessions[0].ScheduledAt);
        Assert.Equal(new DateTimeOffset(2026, 2, 1, 0, 0, 0, TimeSpan.Zero), sessions[^1].ScheduledAt);
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.True(
            sessions.Zip(sessions.Skip(1)).All(p => p.Second.ScheduledAt - p.First.ScheduledAt == TimeSpan.FromMinutes(1)),
            "Occurrences must be exactly one minute apart: none missed, none doubled.");
        Assert.All(sessions, s => Assert.Equal(s.ScheduledAt, s.StartedAt));
    }

    // ---- jobs ---------------------------------------------------------------------------------------------------

    private sealed class RunLog
    {
        public ConcurrentQueue<(string JobName, DateTimeOffset ScheduledAt, DateTimeOffset ClockAtStart)> Runs { get; } = new();
    }

    private sealed class Gate
    {
        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class RecordingJob(TimeProvider time, RunLog log) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            log.Runs.Enqueue((context.JobName, context.ScheduledAt, time.GetUtcNow()));
            return Task.CompletedTask;
        }
    }

    private sealed class SevenMinuteJob(TimeProvider time) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.Delay(TimeSpan.FromMinutes(7), time, cancellationToken);
    }

    private sealed class HourLongJob(TimeProvider time) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.Delay(TimeSpan.FromHours(1), time, cancellationToken);
    }

    private sealed class BlockedJob(Gate gate) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => gate.Release.Task;
    }

    private sealed class FailingJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("boom");
    }

    private sealed class ThirdTimeLuckyJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
            => context.Attempt < 3 ? throw new InvalidOperationException($"attempt {context.Attempt}") : Task.CompletedTask;
    }
}
