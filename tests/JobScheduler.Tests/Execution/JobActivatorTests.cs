using System.Collections.Concurrent;
using JobScheduler.Tests.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// A job class the app did not register is created by the scheduler for each attempt, owned and disposed by it: through
/// its parameterless constructor when that is its only one, through <see cref="ActivatorUtilities"/> when its
/// constructor takes services.
/// </summary>
public sealed class JobActivatorTests
{
    [Fact]
    public async Task ParameterlessJob_IsNewForEachAttempt_AndDisposedAfterIt()
    {
        var log = new ConcurrentQueue<ParameterlessJob>();
        ParameterlessJob.Log = log;
        await using var host = await StartAsync(new RunProbe(), b => b.AddJob<ParameterlessJob>(j => j.WithName("parameterless")));

        var first = await host.RunJobAsync("parameterless");
        var second = await host.RunJobAsync("parameterless");

        Assert.Equal(JobSessionStatus.Succeeded, first.Status);
        Assert.Equal(JobSessionStatus.Succeeded, second.Status);
        var instances = log.ToArray();
        Assert.Equal(2, instances.Length);
        Assert.NotSame(instances[0], instances[1]);
        Assert.All(instances, i => Assert.True(i.Disposed, "the scheduler created the job, so it disposes it"));
    }

    [Fact]
    public async Task ParameterlessJob_WhoseConstructorThrows_FailsWithThatException()
    {
        await using var host = await StartAsync(new RunProbe(), b => b.AddJob<ThrowingConstructorJob>(j => j.WithName("broken")));

        var session = await host.RunJobAsync("broken");

        Assert.Equal(JobSessionStatus.Failed, session.Status);
        Assert.StartsWith($"{typeof(InvalidOperationException).FullName}: {ThrowingConstructorJob.Message}", session.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JobWithServicesInItsConstructor_GetsThemFromTheAttemptsScope()
    {
        await using var host = await StartAsync(
            new RunProbe(),
            b => b.AddJob<ServiceJob>(j => j.WithName("with-services")),
            services: s => s.AddScoped<ScopedMarker>());

        var session = await host.RunJobAsync("with-services");

        Assert.Equal(JobSessionStatus.Succeeded, session.Status);
        Assert.Equal("injected", session.Metadata["marker"]);
    }

    private sealed class ParameterlessJob : IJob, IDisposable
    {
        // One test uses this class; the log is set before its host starts.
        public static ConcurrentQueue<ParameterlessJob>? Log { get; set; }

        public bool Disposed { get; private set; }

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            Log!.Enqueue(this);
            return Task.CompletedTask;
        }

        public void Dispose() => Disposed = true;
    }

    private sealed class ThrowingConstructorJob : IJob
    {
        public const string Message = "thrown by the job's constructor";

        public ThrowingConstructorJob() => throw new InvalidOperationException(Message);

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class ScopedMarker
    {
        public string Value => "injected";
    }

    private sealed class ServiceJob(ScopedMarker marker) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            context.Metadata["marker"] = marker.Value;
            return Task.CompletedTask;
        }
    }
}
