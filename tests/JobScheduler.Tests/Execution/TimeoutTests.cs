using JobScheduler.Tests.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// An attempt's token is cancelled when it runs longer than its timeout. A job that honours it ends TimedOut at once;
/// one that ignores it ends TimedOut only when it really returns, keeps its overlap lock until then, and is named in a
/// warning (event 1019).
/// </summary>
public sealed class TimeoutTests
{
    private const int TimeoutIgnoredEventId = 1019;

    [Fact]
    public async Task Cooperative_JobHonoursToken_EndsTimedOutAtTheTimeout()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromMinutes(5)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("slow").WithTimeout(TimeSpan.FromSeconds(30))));

        var session = await host.RunJobAsync("slow");

        Assert.Equal(JobSessionStatus.TimedOut, session.Status);
        Assert.Equal(Start, session.StartedAt);
        Assert.Equal(Start + TimeSpan.FromSeconds(30), session.EndedAt);
        Assert.Equal(TimeSpan.FromSeconds(30), session.Duration);
        Assert.Contains("timeout", session.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("00:00:30", session.Error, StringComparison.Ordinal);
        Assert.Equal(1, session.Attempt);
        Assert.Equal(JobSessionStatus.TimedOut, Assert.Single(await host.GetSessionsAsync("slow")).Status);
    }

    [Theory]
    //          job takes (s)   timeout (s)   status
    [InlineData(29,             30,           JobSessionStatus.Succeeded)]
    [InlineData(31,             30,           JobSessionStatus.TimedOut)]
    [InlineData(3600,           60,           JobSessionStatus.TimedOut)]
    public async Task Cooperative_JobLengthAgainstTimeout_DecidesStatus(int jobSeconds, int timeoutSeconds, JobSessionStatus expected)
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromSeconds(jobSeconds)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("job").WithTimeout(TimeSpan.FromSeconds(timeoutSeconds))));

        var session = await host.RunJobAsync("job");

        Assert.Equal(expected, session.Status);
        Assert.Equal(TimeSpan.FromSeconds(Math.Min(jobSeconds, timeoutSeconds)), session.Duration);
        Assert.Equal(expected == JobSessionStatus.Succeeded, session.Error is null);
    }

    [Fact]
    public async Task Cooperative_JobThrowsItsOwnExceptionOnCancellation_IsStillTimedOut()
    {
        var probe = new RunProbe
        {
            Body = async (_, time, ct) =>
            {
                try
                {
                    await Task.Delay(TimeSpan.FromMinutes(5), time, ct);
                }
                catch (OperationCanceledException ex)
                {
                    throw new InvalidOperationException("gave up", ex);
                }
            },
        };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("wrapping").WithTimeout(TimeSpan.FromSeconds(10))));

        var session = await host.RunJobAsync("wrapping");

        Assert.Equal(JobSessionStatus.TimedOut, session.Status);
        Assert.Equal(TimeSpan.FromSeconds(10), session.Duration);
        Assert.Contains("timeout", session.Error, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public Task Cooperative_JobEndsInsideTheTokensCallback_IsStillTimedOut() => Task.Run(async () =>
    {
        // The job's own registration on its token runs first (callbacks run newest first) and, with no
        // synchronization context in the way (Task.Run), ends the job inline on the thread that cancels the token:
        // before the scheduler's own callback on that token has run.
        var probe = new RunProbe
        {
            Body = async (_, time, ct) =>
            {
                var cancelled = new TaskCompletionSource();
                using (ct.Register(() => cancelled.TrySetResult()))
                {
                    // The untokened clock wait only shows the test host that the job waits on the fake clock.
                    await Task.WhenAny(cancelled.Task, Task.Delay(TimeSpan.FromHours(1), time, CancellationToken.None));
                }

                ct.ThrowIfCancellationRequested();
            },
        };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("sync-cancel").WithTimeout(TimeSpan.FromSeconds(30))));

        var session = await host.RunJobAsync("sync-cancel");

        Assert.Equal(JobSessionStatus.TimedOut, session.Status);
        Assert.Equal(TimeSpan.FromSeconds(30), session.Duration);
        Assert.Contains("timeout", session.Error, StringComparison.OrdinalIgnoreCase);
    });

    [Fact]
    public async Task NonCooperative_JobIgnoresToken_TimedOutWhenItReturnsHoldsLockAndLogsWarning()
    {
        // Every minute, timeout 30 s, the job ignores its token and returns after 2.5 minutes: the 1m run times out at
        // 1m30 but holds its overlap lock until 3m30, so 2m and 3m are skipped.
        var probe = new RunProbe { Body = RunProbe.TakesIgnoringCancellation(TimeSpan.FromSeconds(150)) };
        await using var host = await StartAsync(
            probe,
            b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("stubborn").WithTimeout(TimeSpan.FromSeconds(30))),
            services: s => s.AddLogging(l => l.AddFakeLogging()));
        var logs = host.Services.GetRequiredService<FakeLogCollector>();

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(2 * 60 + 10));

        // Past its timeout, still running: the session stays Running, the job still holds its lock, no warning yet.
        var midway = await host.SessionsByOccurrenceAsync("stubborn");
        Assert.Equal([JobSessionStatus.Running, JobSessionStatus.Skipped], midway.Select(s => s.Status));
        Assert.Equal(1, host.Scheduler.GetJob("stubborn").RunningCount);
        Assert.DoesNotContain(logs.GetSnapshot(), r => r.Id.Id == TimeoutIgnoredEventId);

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(3 * 60 + 45));

        var sessions = await host.SessionsByOccurrenceAsync("stubborn");
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2), Start.AddMinutes(3)], sessions.Select(s => s.ScheduledAt));
        Assert.Equal([JobSessionStatus.TimedOut, JobSessionStatus.Skipped, JobSessionStatus.Skipped], sessions.Select(s => s.Status));
        var timedOut = sessions[0];
        Assert.Equal(Start.AddSeconds(60 + 150), timedOut.EndedAt);
        Assert.Equal(TimeSpan.FromSeconds(150), timedOut.Duration);
        Assert.Contains("timeout", timedOut.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("ignored cancellation", timedOut.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, host.Scheduler.GetJob("stubborn").RunningCount);
        Assert.Single(probe.Calls);

        var warning = Assert.Single(logs.GetSnapshot(), r => r.Id.Id == TimeoutIgnoredEventId);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("stubborn", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NonCooperative_RunEndsBeforeNextOccurrence_NextOccurrenceRunsNormally()
    {
        var probe = new RunProbe { Body = RunProbe.TakesIgnoringCancellation(TimeSpan.FromSeconds(45)) };
        await using var host = await StartAsync(
            probe, b => b.AddJob<ProbeJob>("* * * * *", j => j.WithName("stubborn").WithTimeout(TimeSpan.FromSeconds(30))));

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(2 * 60 + 50));

        var sessions = await host.SessionsByOccurrenceAsync("stubborn");
        Assert.Equal([JobSessionStatus.TimedOut, JobSessionStatus.TimedOut], sessions.Select(s => s.Status));
        Assert.All(sessions, s => Assert.Equal(TimeSpan.FromSeconds(45), s.Duration));
        Assert.Equal([Start.AddMinutes(1), Start.AddMinutes(2)], sessions.Select(s => s.StartedAt));
    }

    [Fact]
    public async Task NoTimeout_LongJob_RunsToCompletion()
    {
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromHours(3)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("long")));

        var session = await host.RunJobAsync("long");

        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal(TimeSpan.FromHours(3), session.Duration);
    }
}
