using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace JobScheduler.Tests.Hosting;

/// <summary><see cref="JobSchedulerOptions.MaxErrorLength"/> caps <see cref="JobSession.Error"/>, whatever the job throws.</summary>
public sealed class MaxErrorLengthTests
{
    private static readonly string HugeMessage = new('x', 100 * 1024);

    [Theory]
    [InlineData(null)]   // the default, 4096
    [InlineData(256)]    // the smallest allowed
    [InlineData(300)]
    [InlineData(50_000)]
    public async Task Run_JobThrowsA100KbMessage_ErrorIsCutToMaxErrorLength(int? maxErrorLength)
    {
        await using var host = await JobSchedulerTestHost.StartAsync(s => s.AddJobScheduler()
            .Configure(o => o.MaxErrorLength = maxErrorLength ?? o.MaxErrorLength)
            .AddJob<HugeErrorJob>(j => j.WithName("huge")));
        var limit = maxErrorLength ?? 4096;

        var session = await host.RunJobAsync("huge");

        Assert.Equal(JobSessionStatus.Failed, session.Status);
        Assert.NotNull(session.Error);
        Assert.True(session.Error.Length <= limit, $"Error has {session.Error.Length} characters; the limit is {limit}.");
        Assert.StartsWith("System.InvalidOperationException: xxxx", session.Error);
        Assert.Equal(session.Error, Assert.Single(await host.GetSessionsAsync("huge")).Error);
    }

    [Fact]
    public async Task Run_ShortError_IsKeptWhole()
    {
        await using var host = await JobSchedulerTestHost.StartAsync(s => s.AddJobScheduler().AddJob<ShortErrorJob>(j => j.WithName("short")));

        var session = await host.RunJobAsync("short");

        Assert.StartsWith("System.InvalidOperationException: disk full", session.Error);
        Assert.Contains(nameof(ShortErrorJob), session.Error); // the stack trace is kept
        Assert.DoesNotContain("…", session.Error);
    }

    [Fact]
    public async Task Run_TimedOutJobThrowingA100KbMessage_ErrorIsCutToMaxErrorLength()
    {
        await using var host = await JobSchedulerTestHost.StartAsync(s => s.AddJobScheduler()
            .Configure(o => o.MaxErrorLength = 500)
            .AddJob<IgnoresTimeoutThenThrowsJob>(j => j.WithName("stubborn").WithTimeout(TimeSpan.FromSeconds(2))));

        var session = await host.RunJobAsync("stubborn");

        Assert.Equal(JobSessionStatus.TimedOut, session.Status);
        Assert.True(session.Error!.Length <= 500, $"Error has {session.Error.Length} characters; the limit is 500.");
        Assert.StartsWith("The job exceeded its timeout of 00:00:02.", session.Error);
    }

    private sealed class HugeErrorJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => throw new InvalidOperationException(HugeMessage);
    }

    private sealed class ShortErrorJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => throw new InvalidOperationException("disk full");
    }

    private sealed class IgnoresTimeoutThenThrowsJob(TimeProvider time) : IJob
    {
        public async Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(10), time, CancellationToken.None);
            throw new InvalidOperationException(HugeMessage);
        }
    }
}
