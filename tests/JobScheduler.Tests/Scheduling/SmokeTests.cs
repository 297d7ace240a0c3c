using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Tests.Scheduling;

public sealed class SmokeTests
{
    private sealed class CountingJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class FlakyJob(TimeProvider time) : IJob
    {
        public static int Calls;
        public async Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), time, cancellationToken);
            if (Interlocked.Increment(ref Calls) < 3) throw new InvalidOperationException("boom " + context.Attempt);
        }
    }

    [Fact]
    public async Task EverySecond_ForAMinute_FiresSixtyTimes()
    {
        await using var host = await JobSchedulerTestHost.StartAsync(s => s.AddJobScheduler().AddJob<CountingJob>("* * * * * *", j => j.WithName("tick")));
        await host.AdvanceAsync(TimeSpan.FromMinutes(1));
        var sessions = await host.GetSessionsAsync("tick");
        Assert.Equal(60, sessions.Count);
        Assert.All(sessions, s => Assert.Equal(JobSessionStatus.Succeeded, s.Status));
        Assert.Equal(host.Clock.Start.AddSeconds(1), sessions[0].ScheduledAt);
        Assert.Equal(host.Clock.Start.AddSeconds(60), sessions[^1].ScheduledAt);
    }

    [Fact]
    public async Task Retry_WithDelays_RecordsEachAttempt()
    {
        FlakyJob.Calls = 0;
        await using var host = await JobSchedulerTestHost.StartAsync(s => s.AddJobScheduler().AddJob<FlakyJob>(j => j.WithName("flaky").WithRetry(3, TimeSpan.FromSeconds(10), RetryBackoff.Exponential)));
        var last = await host.RunJobAsync("flaky");
        Assert.Equal(JobSessionStatus.Succeeded, last.Status);
        Assert.Equal(3, last.Attempt);
        var sessions = await host.GetSessionsAsync("flaky");
        Assert.Equal([1, 2, 3], sessions.Select(s => s.Attempt));
        // 5 s job + 10 s backoff + 5 s job + 20 s backoff + 5 s job
        Assert.Equal(host.Clock.Start.AddSeconds(45), sessions[2].EndedAt);
    }
}
