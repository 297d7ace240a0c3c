using JobScheduler.Tests.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// Graceful shutdown (DESIGN.md "Shutdown"): stop firing; let running jobs finish within ShutdownGracePeriod; then
/// cancel their tokens and record Cancelled. Nothing stays Running after a clean stop. The test host's StopAsync moves
/// the fake clock through the grace period.
/// </summary>
public sealed class ShutdownTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    private static Task<Testing.JobSchedulerTestHost> StartWithGraceAsync(RunProbe probe, Action<IJobSchedulerBuilder> jobs, Action<IServiceCollection>? services = null)
        => StartAsync(probe, b => jobs(b.Configure(o => o.ShutdownGracePeriod = Grace)), services: services);

    [Fact]
    public async Task Stop_RunFinishesWithinGracePeriod_IsSucceeded()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(20)) };
        await using var host = await StartWithGraceAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job")));
        var handle = await host.Scheduler.TriggerAsync("job");
        await host.AdvanceAsync(TimeSpan.FromSeconds(5));

        await host.StopAsync();

        var session = await handle.Completion;
        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(Start.AddSeconds(20), session.EndedAt);
        Assert.Empty(await host.Store.GetRunningSessionsAsync());
    }

    [Fact]
    public async Task Stop_RunHonoursCancellationAfterGracePeriod_IsCancelled()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromHours(1)) };
        await using var host = await StartWithGraceAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job")));
        var handle = await host.Scheduler.TriggerAsync("job");
        await host.AdvanceAsync(TimeSpan.FromSeconds(5));

        await host.StopAsync();

        var session = await handle.Completion;
        Assert.Equal(JobSessionStatus.Cancelled, session.Status);
        Assert.Equal(Start.AddSeconds(5) + Grace, session.EndedAt); // cancelled when the grace period ran out
        Assert.Equal(session.Id, Assert.Single(await host.GetSessionsAsync("job")).Id);
        Assert.Empty(await host.Store.GetRunningSessionsAsync());
    }

    [Fact]
    public async Task Stop_RunIgnoresCancellation_IsRecordedCancelledAnywayAndStaysSo()
    {
        var probe = new RunProbe { Body = RunProbe.TakesIgnoringCancellation(TimeSpan.FromHours(1)) };
        await using var host = await StartWithGraceAsync(
            probe, b => b.AddJob<ProbeJob>(j => j.WithName("stubborn")), s => s.AddLogging(l => l.AddFakeLogging()));
        var handle = await host.Scheduler.TriggerAsync("stubborn");
        await host.AdvanceAsync(TimeSpan.FromSeconds(5));

        await host.StopAsync();

        var session = Assert.Single(await host.GetSessionsAsync("stubborn"));
        Assert.Equal(handle.SessionId, session.Id);
        Assert.Equal(JobSessionStatus.Cancelled, session.Status);
        Assert.True(session.EndedAt >= Start.AddSeconds(5) + Grace);
        Assert.Empty(await host.Store.GetRunningSessionsAsync());
        Assert.Equal(JobSessionStatus.Cancelled, (await handle.Completion).Status);
        var logs = host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        Assert.Contains(logs, r => r.Id.Id == 1052 && r.Message.Contains("stubborn", StringComparison.Ordinal));

        // When the job finally returns, its session is not rewritten, nor is the job's last session.
        host.Clock.Advance(TimeSpan.FromHours(2));
        Assert.True(SpinWait.SpinUntil(() => host.Scheduler.GetJob("stubborn").RunningCount == 0, TimeSpan.FromSeconds(10))); // its run has completed
        Assert.Equal(JobSessionStatus.Cancelled, Assert.Single(await host.GetSessionsAsync("stubborn")).Status);
        Assert.Equal(JobSessionStatus.Cancelled, host.Scheduler.GetJob("stubborn").LastSession?.Status);
    }

    [Fact]
    public async Task Stop_CancelledAttemptWithRetries_IsNotRetried()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromHours(1)) };
        await using var host = await StartWithGraceAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job").WithRetry(3, TimeSpan.FromSeconds(1))));
        var handle = await host.Scheduler.TriggerAsync("job");
        await host.AdvanceAsync(TimeSpan.FromSeconds(5));

        await host.StopAsync();

        var session = Assert.Single(await host.GetSessionsAsync("job"));
        Assert.Equal(JobSessionStatus.Cancelled, session.Status);
        Assert.Equal(1, session.Attempt);
        Assert.Single(probe.Calls);
        Assert.Equal(session.Id, (await handle.Completion).Id);
    }

    [Fact]
    public async Task Stop_DuringRetryDelay_EndsWithTheLastRecordedAttempt()
    {
        var probe = new RunProbe { Body = RunProbe.Fails("broken") };
        await using var host = await StartWithGraceAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job").WithRetry(3, TimeSpan.FromMinutes(5))));
        var handle = await host.Scheduler.TriggerAsync("job");
        await host.AdvanceAsync(TimeSpan.FromSeconds(5));

        await host.StopAsync();

        var session = Assert.Single(await host.GetSessionsAsync("job"));
        Assert.Equal(JobSessionStatus.Failed, session.Status);
        Assert.Single(probe.Calls);
        Assert.True(handle.Completion.IsCompleted);
        Assert.Equal(session.Id, (await handle.Completion).Id);
        Assert.Empty(await host.Store.GetRunningSessionsAsync());
    }

    [Fact]
    public async Task Stop_QueuedRunNeverStarted_IsRecordedCancelled()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromHours(1)) };
        await using var host = await StartWithGraceAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("queued").WithOverlap(OverlapPolicy.Queue)));
        await host.AdvanceToAsync(Start.AddMinutes(2.5)); // 1m runs, 2m is queued

        await host.StopAsync();

        var sessions = await host.SessionsByOccurrenceAsync("queued");
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2)], sessions.Select(s => s.ScheduledAt));
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Cancelled, s.Status));
        Assert.Single(probe.Calls);
        Assert.Empty(await host.Store.GetRunningSessionsAsync());
    }

    [Fact]
    public async Task Stop_RunWaitingForAConcurrencySlot_IsRecordedCancelled()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromHours(1)) };
        await using var host = await StartWithGraceAsync(probe, b => b
            .Configure(o => o.MaxConcurrentRuns = 1)
            .AddJob<ProbeJob>(j => j.WithName("first"))
            .AddJob<ProbeJob>(j => j.WithName("second")));
        await host.Scheduler.TriggerAsync("first");
        var waiting = await host.Scheduler.TriggerAsync("second");
        await host.AdvanceAsync(TimeSpan.FromSeconds(5));
        Assert.Single(probe.Calls);

        await host.StopAsync();

        Assert.Equal(JobSessionStatus.Cancelled, Assert.Single(await host.GetSessionsAsync("first")).Status);
        var neverStarted = Assert.Single(await host.GetSessionsAsync("second"));
        Assert.Equal(waiting.SessionId, neverStarted.Id);
        Assert.Equal(JobSessionStatus.Cancelled, neverStarted.Status);
        Assert.Single(probe.Calls);
        Assert.Empty(await host.Store.GetRunningSessionsAsync());
    }

    [Fact]
    public async Task Stop_ThenClockMovesOn_NothingMoreFires()
    {
        var probe = new RunProbe();
        await using var host = await StartWithGraceAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("minutely")));
        await host.AdvanceAsync(TimeSpan.FromMinutes(3));

        await host.StopAsync();
        host.Clock.Advance(TimeSpan.FromHours(1));

        Assert.Equal(3, (await host.GetSessionsAsync("minutely")).Count);
        Assert.Equal(3, probe.Calls.Count);
        await Assert.ThrowsAsync<InvalidOperationException>(() => host.Scheduler.TriggerAsync("minutely"));
    }

    [Fact]
    public async Task Stop_SeveralRunsInProgress_LeavesNoSessionRunning()
    {
        var probe = new RunProbe { Body = (context, time, ct) => Task.Delay(TimeSpan.FromSeconds(context.JobName.Length * 10), time, ct) };
        probe.On("stubborn", RunProbe.TakesIgnoringCancellation(TimeSpan.FromHours(1)));
        await using var host = await StartWithGraceAsync(probe, b => b
            .AddJob<ProbeJob>("0 * * * *", j => j.WithName("quick"))           // 50 s: ends within the grace period
            .AddJob<ProbeJob>("0 * * * *", j => j.WithName("slow-but-polite-job")) // 190 s: cancelled
            .AddJob<ProbeJob>("0 * * * *", j => j.WithName("stubborn")));
        await host.AdvanceToAsync(Start.AddMinutes(60).AddSeconds(30)); // grace ends at 61:00

        await host.StopAsync();

        Assert.Empty(await host.Store.GetRunningSessionsAsync());
        Assert.Equal(JobSessionStatus.Succeeded, Assert.Single(await host.GetSessionsAsync("quick")).Status);
        Assert.Equal(JobSessionStatus.Cancelled, Assert.Single(await host.GetSessionsAsync("slow-but-polite-job")).Status);
        Assert.Equal(JobSessionStatus.Cancelled, Assert.Single(await host.GetSessionsAsync("stubborn")).Status);
    }
}
