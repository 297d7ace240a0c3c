using JobScheduler.Tests.Scheduling;
using Microsoft.Extensions.DependencyInjection;
using static JobScheduler.Tests.Scheduling.EngineHost;

namespace JobScheduler.Tests.Execution;

/// <summary>
/// Each attempt gets a new DI scope (DESIGN.md run pipeline): scoped services injected into the job are new per run
/// and disposed when the attempt ends; <see cref="JobContext.Services"/> is that scope.
/// </summary>
public sealed class ScopedServicesTests
{
    private sealed class ScopedDependency : IAsyncDisposable
    {
        public Guid Id { get; } = Guid.NewGuid();

        public bool IsDisposed { get; private set; }

        public ValueTask DisposeAsync()
        {
            IsDisposed = true;
            return ValueTask.CompletedTask;
        }
    }

    private sealed class SyncScopedDependency : IDisposable
    {
        public bool IsDisposed { get; private set; }

        public void Dispose() => IsDisposed = true;
    }

    private sealed record Use(ScopedDependency Dependency, bool DisposedDuringRun, bool SameAsContextScope, SyncScopedDependency Sync, DisposableJob? Job, JobContext? Context = null);

    private sealed class UseLog
    {
        private readonly List<Use> _uses = [];

        public IReadOnlyList<Use> Uses
        {
            get
            {
                lock (_uses)
                {
                    return [.. _uses];
                }
            }
        }

        public void Add(Use use)
        {
            lock (_uses)
            {
                _uses.Add(use);
            }
        }
    }

    private sealed class ScopedJob(ScopedDependency dependency, SyncScopedDependency sync, UseLog log, TimeProvider time) : IJob
    {
        public async Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            await Task.Delay(TimeSpan.FromSeconds(5), time, cancellationToken);
            log.Add(new Use(dependency, dependency.IsDisposed, ReferenceEquals(dependency, context.Services.GetRequiredService<ScopedDependency>()), sync, null));
            if (context.JobName == "failing" && context.Attempt == 1)
            {
                throw new InvalidOperationException("first attempt fails");
            }
        }
    }

    private sealed class DisposableJob(ScopedDependency dependency, SyncScopedDependency sync, UseLog log) : IJob, IDisposable
    {
        public bool IsDisposed { get; private set; }

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            log.Add(new Use(dependency, dependency.IsDisposed, true, sync, this));
            return Task.CompletedTask;
        }

        public void Dispose() => IsDisposed = true;
    }

    /// <summary>Takes nothing in its constructor and finds its services through <see cref="JobContext.Services"/>.</summary>
    private sealed class ServiceLocatorJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            var dependency = context.Services.GetRequiredService<ScopedDependency>();
            var same = ReferenceEquals(dependency, context.Services.GetRequiredService<ScopedDependency>());
            context.Services.GetRequiredService<UseLog>().Add(
                new Use(dependency, dependency.IsDisposed, same, context.Services.GetRequiredService<SyncScopedDependency>(), null, context));
            return Task.CompletedTask;
        }
    }

    /// <summary>Takes nothing and never reads <see cref="JobContext.Services"/>; keeps its context for the test.</summary>
    private sealed class ContextKeepingJob : IJob
    {
        public static readonly List<JobContext> Contexts = [];

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            lock (Contexts)
            {
                Contexts.Add(context);
            }

            return Task.CompletedTask;
        }
    }

    private static Task<Testing.JobSchedulerTestHost> StartAsync(UseLog log, Action<IJobSchedulerBuilder> jobs)
        => EngineHost.StartAsync(new RunProbe(), jobs, services: s => s
            .AddSingleton(log)
            .AddScoped<ScopedDependency>()
            .AddScoped<SyncScopedDependency>());

    [Fact]
    public async Task ScopedDependency_EachRun_IsANewInstanceDisposedAfterTheRun()
    {
        var log = new UseLog();
        await using var host = await StartAsync(log, b => b.AddJob<ScopedJob>("* * * * *", j => j.WithName("scoped")));

        await host.AdvanceToAsync(Start.AddMinutes(3).AddSeconds(30));

        var uses = log.Uses;
        Assert.Equal(3, uses.Count);
        Assert.Equal(3, uses.Select(u => u.Dependency).Distinct().Count());
        Assert.All(uses, u =>
        {
            Assert.False(u.DisposedDuringRun);
            Assert.True(u.SameAsContextScope);
            Assert.True(u.Dependency.IsDisposed);
            Assert.True(u.Sync.IsDisposed);
        });
    }

    [Fact]
    public async Task ScopedDependency_EachRetryAttempt_GetsItsOwnScope()
    {
        var log = new UseLog();
        await using var host = await StartAsync(log, b => b.AddJob<ScopedJob>(j => j.WithName("failing").WithRetry(1, TimeSpan.FromSeconds(1))));

        var last = await host.RunJobAsync("failing");

        Assert.Equal(JobSessionStatus.Succeeded, last.Status);
        Assert.Equal(2, last.Attempt);
        var uses = log.Uses;
        Assert.Equal(2, uses.Count);
        Assert.NotSame(uses[0].Dependency, uses[1].Dependency);
        Assert.All(uses, u => Assert.True(u.Dependency.IsDisposed));
    }

    [Fact]
    public async Task UnregisteredJobClass_EachRun_IsANewInstanceDisposedAfterTheRun()
    {
        var log = new UseLog();
        await using var host = await StartAsync(log, b => b.AddJob<DisposableJob>("* * * * *", j => j.WithName("disposable")));

        await host.AdvanceToAsync(Start.AddMinutes(2));

        var uses = log.Uses;
        Assert.Equal(2, uses.Count);
        Assert.NotSame(uses[0].Job, uses[1].Job);
        Assert.All(uses, u => Assert.True(u.Job!.IsDisposed));
        Assert.All(uses, u => Assert.True(u.Dependency.IsDisposed));
    }

    [Fact]
    public async Task JobRegisteredAsScoped_EachRun_IsResolvedFromTheRunsScope()
    {
        var log = new UseLog();
        await using var host = await EngineHost.StartAsync(
            new RunProbe(),
            b => b.AddJob<DisposableJob>("* * * * *", j => j.WithName("registered")),
            services: s => s.AddSingleton(log).AddScoped<ScopedDependency>().AddScoped<SyncScopedDependency>().AddScoped<DisposableJob>());

        await host.AdvanceToAsync(Start.AddMinutes(2));

        var uses = log.Uses;
        Assert.Equal(2, uses.Count);
        Assert.NotSame(uses[0].Job, uses[1].Job);
        Assert.All(uses, u => Assert.True(u.Job!.IsDisposed)); // disposed with its scope
    }

    [Fact]
    public async Task ParameterlessJob_ReadingContextServices_GetsTheAttemptsScopeDisposedAfterTheRun()
    {
        var log = new UseLog();
        await using var host = await StartAsync(log, b => b.AddJob<ServiceLocatorJob>("* * * * *", j => j.WithName("locator")));

        await host.AdvanceToAsync(Start.AddMinutes(2));

        var uses = log.Uses;
        Assert.Equal(2, uses.Count);
        Assert.NotSame(uses[0].Dependency, uses[1].Dependency);
        Assert.All(uses, u =>
        {
            Assert.False(u.DisposedDuringRun);
            Assert.True(u.SameAsContextScope);
            Assert.True(u.Dependency.IsDisposed);
            Assert.True(u.Sync.IsDisposed);
        });
        Assert.Throws<ObjectDisposedException>(() => uses[0].Context!.Services.GetService(typeof(ScopedDependency)));
    }

    [Fact]
    public async Task ContextServices_FirstReadAfterTheAttemptEnded_IsADisposedScope()
    {
        await using var host = await StartAsync(new UseLog(), b => b.AddJob<ContextKeepingJob>(j => j.WithName("keeper")));

        await host.RunJobAsync("keeper");

        JobContext context;
        lock (ContextKeepingJob.Contexts)
        {
            context = Assert.Single(ContextKeepingJob.Contexts);
        }

        Assert.Throws<ObjectDisposedException>(() => context.Services.GetService(typeof(ScopedDependency)));
    }
}
