using JobScheduler.Tests.Scheduling;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// Retries (DESIGN.md: Polly's retry on the scheduler's clock): N retries mean up to N+1 attempts, each its own session
/// with Attempt 1..n; Failed and TimedOut attempts are retried, a success ends the run, and the backoff is Constant,
/// Linear or Exponential.
/// </summary>
public sealed class RetryTests
{
    [Theory]
    //          backoff                    base (s)  retries  attempt start offsets (s)
    [InlineData(RetryBackoff.Constant,     10,       3,       new[] { 0, 10, 20, 30 })]
    [InlineData(RetryBackoff.Linear,       10,       3,       new[] { 0, 10, 30, 60 })]
    [InlineData(RetryBackoff.Exponential,  10,       3,       new[] { 0, 10, 30, 70 })]
    [InlineData(RetryBackoff.Exponential,  1,        5,       new[] { 0, 1, 3, 7, 15, 31 })]
    [InlineData(RetryBackoff.Constant,     60,       1,       new[] { 0, 60 })]
    public async Task AlwaysFailing_WithBackoff_RetriesAfterEachDelayThenEndsFailed(RetryBackoff backoff, int delaySeconds, int retries, int[] startOffsets)
    {
        var probe = new RunProbe { Body = RunProbe.Fails("always broken") };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j
            .WithName("broken").WithRetry(retries, TimeSpan.FromSeconds(delaySeconds), backoff)));

        var handle = await host.Scheduler.TriggerAsync("broken");
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.True(handle.Completion.IsCompleted);
        var last = await handle.Completion;
        var sessions = await host.SessionsByOccurrenceAsync("broken");
        Assert.Equal(retries + 1, sessions.Count);
        Assert.Equal(Enumerable.Range(1, retries + 1), sessions.Select(s => s.Attempt));
        Assert.Equal(startOffsets.Select(s => Start.AddSeconds(s)), sessions.Select(s => s.StartedAt));
        Assert.All(sessions, s =>
        {
            Assert.Equal(JobSessionStatus.Failed, s.Status);
            Assert.Contains("always broken", s.Error, StringComparison.Ordinal);
            Assert.Equal(Start, s.ScheduledAt);
            Assert.Equal(JobTrigger.Manual, s.Trigger);
        });

        // Each attempt is a session of its own; the handle names the first and completes with the last.
        Assert.Equal(sessions.Count, sessions.Select(s => s.Id).Distinct().Count());
        Assert.Equal(sessions[0].Id, handle.SessionId);
        Assert.Equal(sessions[^1].Id, last.Id);
        Assert.Equal(JobSessionStatus.Failed, last.Status);
        Assert.Equal(retries + 1, last.Attempt);
        Assert.Equal(sessions.Select(s => s.Id), probe.Calls.Select(c => c.SessionId));
        Assert.Equal(Enumerable.Range(1, retries + 1), probe.Calls.Select(c => c.Attempt));
    }

    [Fact]
    public async Task FailsTwiceThenSucceeds_WithRetries_StopsRetryingAfterSuccess()
    {
        var probe = new RunProbe
        {
            Body = async (context, time, ct) =>
            {
                await Task.Delay(TimeSpan.FromSeconds(5), time, ct);
                if (context.Attempt < 3)
                {
                    throw new InvalidOperationException("boom " + context.Attempt);
                }
            },
        };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j
            .WithName("flaky").WithRetry(5, TimeSpan.FromSeconds(10), RetryBackoff.Exponential)));

        var last = await host.RunJobAsync("flaky");
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal(JobSessionStatus.Succeeded, last.Status);
        Assert.Equal(3, last.Attempt);
        var sessions = await host.SessionsByOccurrenceAsync("flaky");
        Assert.Equal([1, 2, 3], sessions.Select(s => s.Attempt));
        Assert.Equal([JobSessionStatus.Failed, JobSessionStatus.Failed, JobSessionStatus.Succeeded], sessions.Select(s => s.Status));
        Assert.Contains("boom 1", sessions[0].Error, StringComparison.Ordinal);
        Assert.Contains("boom 2", sessions[1].Error, StringComparison.Ordinal);
        Assert.Null(sessions[2].Error);

        // 5 s job, 10 s backoff, 5 s job, 20 s backoff, 5 s job.
        Assert.Equal([Start, Start.AddSeconds(15), Start.AddSeconds(40)], sessions.Select(s => s.StartedAt));
        Assert.Equal(Start.AddSeconds(45), sessions[2].EndedAt);
        Assert.Equal(3, probe.Calls.Count);
    }

    [Fact]
    public async Task FailedAttempt_WhileTheRetryWaits_IsTheJobsLastSession()
    {
        var probe = new RunProbe { Body = (context, time, ct) => context.Attempt == 1 ? throw new InvalidOperationException("first fails") : Task.CompletedTask };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("flaky").WithRetry(1, TimeSpan.FromMinutes(10))));

        var handle = await host.Scheduler.TriggerAsync("flaky");
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));

        var waiting = host.Scheduler.GetJob("flaky");
        Assert.Equal(1, waiting.RunningCount);
        Assert.Equal(JobSessionStatus.Failed, waiting.LastSession?.Status);
        Assert.Equal(handle.SessionId, waiting.LastSession?.Id);

        await host.AdvanceAsync(TimeSpan.FromMinutes(10));

        var done = host.Scheduler.GetJob("flaky");
        Assert.Equal(0, done.RunningCount);
        Assert.Equal(JobSessionStatus.Succeeded, done.LastSession?.Status);
        Assert.Equal(2, done.LastSession?.Attempt);
        Assert.Equal((await handle.Completion).Id, done.LastSession?.Id);
    }

    [Fact]
    public async Task Success_WithRetriesConfigured_RunsOnce()
    {
        var probe = new RunProbe();
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("fine").WithRetry(3, TimeSpan.FromSeconds(1))));

        var last = await host.RunJobAsync("fine");
        await host.AdvanceAsync(TimeSpan.FromMinutes(10));

        Assert.Equal(JobSessionStatus.Succeeded, last.Status);
        Assert.Equal(1, last.Attempt);
        Assert.Single(await host.GetSessionsAsync("fine"));
    }

    [Fact]
    public async Task Failure_WithoutRetryConfigured_IsNotRetried()
    {
        var probe = new RunProbe { Body = RunProbe.Fails("once") };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j.WithName("no-retry")));

        var last = await host.RunJobAsync("no-retry");
        await host.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Equal(JobSessionStatus.Failed, last.Status);
        Assert.Equal(1, last.Attempt);
        Assert.Single(await host.GetSessionsAsync("no-retry"));
        Assert.Single(probe.Calls);
    }

    [Fact]
    public async Task TimedOutAttempts_WithRetries_AreRetriedLikeFailures()
    {
        // Each attempt times out after 5 s; retries wait a constant 1 s.
        var probe = new RunProbe { Body = RunProbe.Takes(TimeSpan.FromMinutes(1)) };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j
            .WithName("slow").WithTimeout(TimeSpan.FromSeconds(5)).WithRetry(2, TimeSpan.FromSeconds(1))));

        var last = await host.RunJobAsync("slow");

        var sessions = await host.SessionsByOccurrenceAsync("slow");
        Assert.Equal([JobSessionStatus.TimedOut, JobSessionStatus.TimedOut, JobSessionStatus.TimedOut], sessions.Select(s => s.Status));
        Assert.Equal([1, 2, 3], sessions.Select(s => s.Attempt));
        Assert.Equal([Start, Start.AddSeconds(6), Start.AddSeconds(12)], sessions.Select(s => s.StartedAt));
        Assert.All(sessions, s => Assert.Equal(TimeSpan.FromSeconds(5), s.Duration));
        Assert.Equal(JobSessionStatus.TimedOut, last.Status);
        Assert.Equal(3, last.Attempt);
    }

    [Fact]
    public async Task TimedOutThenSucceeds_WithRetry_EndsSucceeded()
    {
        var probe = new RunProbe
        {
            Body = (context, time, ct) => Task.Delay(context.Attempt == 1 ? TimeSpan.FromMinutes(1) : TimeSpan.FromSeconds(2), time, ct),
        };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>(j => j
            .WithName("slow-once").WithTimeout(TimeSpan.FromSeconds(5)).WithRetry(3, TimeSpan.FromSeconds(10))));

        var last = await host.RunJobAsync("slow-once");

        Assert.Equal(
            [JobSessionStatus.TimedOut, JobSessionStatus.Succeeded],
            (await host.SessionsByOccurrenceAsync("slow-once")).Select(s => s.Status));
        Assert.Equal(JobSessionStatus.Succeeded, last.Status);
        Assert.Equal(2, last.Attempt);
        Assert.Equal(Start.AddSeconds(15), last.StartedAt);
    }

    [Fact]
    public async Task ScheduledRun_WithRetries_EveryAttemptKeepsTheOccurrence()
    {
        var probe = new RunProbe { Body = (context, _, _) => context.Attempt < 2 ? throw new InvalidOperationException("first") : Task.CompletedTask };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("0 * * * *", j => j
            .WithName("hourly").WithRetry(2, TimeSpan.FromSeconds(30))));

        await host.AdvanceAsync(TimeSpan.FromMinutes(65));

        var sessions = await host.SessionsByOccurrenceAsync("hourly");
        Assert.Equal([JobSessionStatus.Failed, JobSessionStatus.Succeeded], sessions.Select(s => s.Status));
        Assert.All(sessions, s => Assert.Equal(Start.AddHours(1), s.ScheduledAt));
        Assert.All(sessions, s => Assert.Equal(JobTrigger.Scheduled, s.Trigger));
        Assert.Equal([Start.AddHours(1), Start.AddHours(1).AddSeconds(30)], sessions.Select(s => s.StartedAt));

        var calls = probe.Calls;
        Assert.Equal([1, 2], calls.Select(c => c.Attempt));
        Assert.All(calls, c => Assert.Equal(Start.AddHours(1), c.ScheduledAt));
        Assert.Equal(sessions.Select(s => s.Id), calls.Select(c => c.SessionId));
        Assert.Equal(sessions.Select(s => s.StartedAt), calls.Select(c => c.StartedAt));
    }

    [Fact]
    public async Task RetryDelay_WhileWaiting_HoldsTheOverlapLock()
    {
        // Every minute; the 1m run fails and retries 90 s later (2m30), so the 2m occurrence is skipped.
        var probe = new RunProbe { Body = (context, _, _) => context.Attempt == 1 && context.ScheduledAt == Start.AddMinutes(1) ? throw new InvalidOperationException("x") : Task.CompletedTask };
        await using var host = await StartAsync(probe, b => b.AddJob<ProbeJob>("* * * * *", j => j
            .WithName("retrying").WithRetry(1, TimeSpan.FromSeconds(90))));

        await host.AdvanceToOffsetAsync(TimeSpan.FromSeconds(3 * 60 + 10));

        var sessions = await host.SessionsByOccurrenceAsync("retrying");
        Assert.Equal(
            [(Start.AddMinutes(1), 1, JobSessionStatus.Failed), (Start.AddMinutes(1), 2, JobSessionStatus.Succeeded), (Start.AddMinutes(2), 1, JobSessionStatus.Skipped), (Start.AddMinutes(3), 1, JobSessionStatus.Succeeded)],
            sessions.Select(s => (s.ScheduledAt, s.Attempt, s.Status)));
    }
}
