using System.Collections.Concurrent;
using JobScheduler.Hosting;
using JobScheduler.Scheduling;
using JobScheduler.Sessions;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static JobScheduler.Tests.Hosting.TestHosts;

namespace JobScheduler.Tests.Hosting;

/// <summary>What <c>AddJobScheduler()</c> and its builder put in the container, and how jobs come out of it.</summary>
public sealed class ServiceRegistrationTests
{
    // ---- AddJobScheduler ----------------------------------------------------------------------------------------

    [Fact]
    public void AddJobScheduler_CalledTwice_RegistersEachServiceOnce()
    {
        var services = new ServiceCollection();

        services.AddJobScheduler();
        services.AddJobScheduler();

        Assert.Single(services, d => d.ServiceType == typeof(IHostedService) && d.ImplementationType == typeof(JobSchedulerHostedService));
        Assert.Single(services, d => d.ServiceType == typeof(JobSchedulerEngine));
        Assert.Single(services, d => d.ServiceType == typeof(IJobScheduler));
        Assert.Single(services, d => d.ServiceType == typeof(IJobSessionStore));
        Assert.Single(services, d => d.ServiceType == typeof(TimeProvider));
        Assert.Single(services, d => d.ServiceType == typeof(IConfigureOptions<JobSchedulerOptions>) && d.ImplementationType == typeof(JobSchedulerConfigurationSetup));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<JobSchedulerOptions>) && d.ImplementationType == typeof(JobSchedulerOptionsValidator));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<JobSchedulerOptions>) && d.ImplementationType == typeof(JobDefinitionsValidator));
        Assert.Single(services, d => d.ServiceType == typeof(IValidateOptions<InMemorySessionStoreOptions>));
    }

    [Fact]
    public async Task AddJobScheduler_CalledTwice_RunsEachOccurrenceOnce()
    {
        var options = new JobSchedulerTestHostOptions();
        await using var host = await JobSchedulerTestHost.StartAsync(
            s =>
            {
                s.AddJobScheduler().AddJob<NoopJob>("*/10 * * * *", j => j.WithName("tick"));
                s.AddJobScheduler();
            },
            options);

        await host.AdvanceAsync(TimeSpan.FromHours(1));

        Assert.Single(host.Services.GetServices<IHostedService>().OfType<JobSchedulerHostedService>());
        Assert.Same(host.Services.GetRequiredService<JobSchedulerEngine>(), host.Services.GetRequiredService<IJobScheduler>());
        Assert.Equal(6, (await host.GetSessionsAsync("tick")).Count);
    }

    [Fact]
    public void AddJobScheduler_ReturnsABuilderOverTheSameCollection_AndEveryExtensionReturnsIt()
    {
        var services = new ServiceCollection();

        var builder = services.AddJobScheduler();

        Assert.Same(services, builder.Services);
        Assert.Same(builder, builder.AddJob<NoopJob>("0 9 * * *"));
        Assert.Same(builder, builder.AddJob<NoopJob>(j => j.WithName("on-demand")));
        Assert.Same(builder, builder.AddJobsFromAssembly(typeof(JobSchedulerTestHost).Assembly));
        Assert.Same(builder, builder.AddJobsFromAssemblyContaining<JobSchedulerTestHost>());
        Assert.Same(builder, builder.Configure(_ => { }));
        Assert.Same(builder, builder.UseSessionStore<RecordingSessionStore>());
        Assert.Same(builder, builder.UseInMemoryStore());
    }

    [Fact]
    public void AddJobScheduler_WithoutATimeProvider_RegistersTheSystemClock()
    {
        using var provider = new ServiceCollection().AddJobScheduler().Services.BuildServiceProvider();

        Assert.Same(TimeProvider.System, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddJobScheduler_KeepsATimeProviderRegisteredBefore()
    {
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock);

        using var provider = services.AddJobScheduler().Services.BuildServiceProvider();

        Assert.Same(clock, provider.GetRequiredService<TimeProvider>());
    }

    [Fact]
    public void AddJobScheduler_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddJobScheduler();

        Assert.Throws<ArgumentNullException>(() => ((IServiceCollection)null!).AddJobScheduler());
        Assert.Throws<ArgumentNullException>(() => new ServiceCollection().AddJobScheduler(null!));
        Assert.Throws<ArgumentNullException>(() => builder.Configure(null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddJob<NoopJob>((string)null!));
        Assert.Throws<ArgumentNullException>(() => builder.AddJobsFromAssembly(null!));
        Assert.Throws<ArgumentNullException>(() => ((IJobSchedulerBuilder)null!).AddJob<NoopJob>());
        Assert.Throws<ArgumentNullException>(() => ((IJobSchedulerBuilder)null!).UseSessionStore<RecordingSessionStore>());
        Assert.Throws<ArgumentNullException>(() => ((IJobSchedulerBuilder)null!).UseInMemoryStore());
        Assert.Throws<ArgumentNullException>(() => builder.AddJob<NoopJob>(j => j.WithName(null!)));
        Assert.Throws<ArgumentNullException>(() => builder.AddJob<NoopJob>(j => j.WithCron(null!)));
        Assert.Throws<ArgumentNullException>(() => builder.AddJob<NoopJob>(j => j.InTimeZone(null!)));
    }

    // ---- stores -------------------------------------------------------------------------------------------------

    [Fact]
    public void AddJobScheduler_RegistersTheInMemoryStoreByDefault()
    {
        using var provider = new ServiceCollection().AddJobScheduler().Services.BuildServiceProvider();

        Assert.IsType<InMemoryJobSessionStore>(provider.GetRequiredService<IJobSessionStore>());
    }

    [Fact]
    public void UseSessionStore_ReplacesTheStore_AndALaterAddJobSchedulerKeepsIt()
    {
        var services = new ServiceCollection();
        services.AddJobScheduler().UseSessionStore<RecordingSessionStore>();
        services.AddJobScheduler();

        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IJobSessionStore));
        var store = Assert.IsType<RecordingSessionStore>(provider.GetRequiredService<IJobSessionStore>());
        Assert.Same(store, provider.GetRequiredService<IJobSessionStore>());
    }

    [Fact]
    public void UseInMemoryStore_AfterUseSessionStore_SwitchesBack()
    {
        var services = new ServiceCollection();
        services.AddJobScheduler().UseSessionStore<RecordingSessionStore>().UseInMemoryStore(o => o.MaxSessionsPerJob = 7);

        using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IJobSessionStore));
        Assert.IsType<InMemoryJobSessionStore>(provider.GetRequiredService<IJobSessionStore>());
        Assert.Equal(7, provider.GetRequiredService<IOptions<InMemorySessionStoreOptions>>().Value.MaxSessionsPerJob);
    }

    [Fact]
    public async Task UseSessionStore_SessionsOfRunsGoToThatStore()
    {
        await using var host = await JobSchedulerTestHost.StartAsync(s => s.AddJobScheduler()
            .UseSessionStore<RecordingSessionStore>()
            .AddJob<NoopJob>(j => j.WithName("noop")));

        var session = await host.RunJobAsync("noop");

        var store = Assert.IsType<RecordingSessionStore>(host.Store);
        Assert.Same(store, host.Services.GetRequiredService<IJobSessionStore>());
        Assert.Equal(session.Id, Assert.Single(store.Starts).Id);
        Assert.Equal(session, Assert.Single(store.Ends));
    }

    [Fact]
    public async Task Store_IsResolvableBeforeStart_AndResolvingRecoversNothing()
    {
        using var host = Build(b => b.Configure(o => o.InstanceId = "node-a"));
        var store = host.Services.GetRequiredService<IJobSessionStore>();
        var leftOver = RunningSession("report", "node-a");
        await store.RecordStartAsync(leftOver, CancellationToken.None);

        _ = host.Services.GetRequiredService<IJobScheduler>();

        Assert.Same(store, host.Services.GetRequiredService<IJobSessionStore>());
        Assert.Equal(JobSessionStatus.Running, Assert.Single(await store.GetRunningSessionsAsync()).Status);
    }

    [Fact]
    public async Task Start_MarksRunningSessionsOfThisInstanceAbandoned_AndLeavesOtherInstancesRunning()
    {
        var clock = new FakeTimeProvider(Start);
        using var host = Build(b => b.Configure(o => o.InstanceId = "node-a"), clock: clock);
        var store = host.Services.GetRequiredService<IJobSessionStore>();
        var mine = RunningSession("report", "node-a");
        var other = RunningSession("report", "node-b");
        var mineEnded = RunningSession("sync", "node-a") with { Status = JobSessionStatus.Succeeded, EndedAt = Start.AddHours(-1), Duration = TimeSpan.FromHours(1) };
        await store.RecordStartAsync(mine, CancellationToken.None);
        await store.RecordStartAsync(other, CancellationToken.None);
        await store.RecordEndAsync(mineEnded, CancellationToken.None);
        clock.Advance(TimeSpan.FromMinutes(5));

        await host.StartAsync();

        var sessions = (await store.QueryAsync(new JobSessionQuery(), CancellationToken.None)).ToDictionary(s => s.Id);
        var abandoned = sessions[mine.Id];
        Assert.Equal(JobSessionStatus.Abandoned, abandoned.Status);
        Assert.Equal(Start.AddMinutes(5), abandoned.EndedAt);
        Assert.Equal(Start.AddMinutes(5) - mine.StartedAt, abandoned.Duration);
        Assert.Contains("'node-a'", abandoned.Error);
        Assert.Equal(JobSessionStatus.Running, sessions[other.Id].Status);
        Assert.Equal(mineEnded, sessions[mineEnded.Id]);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_WithAnInMemoryStoreNothingWasWrittenTo_DoesNotReadIt()
    {
        using var host = Build(b => b.AddJob<NoopJob>("0 * * * *", j => j.WithName("hourly")));
        var store = (InMemoryJobSessionStore)host.Services.GetRequiredService<IJobSessionStore>();
        var reads = 0;
        using var counting = store.OnBeforeRead(() => Interlocked.Increment(ref reads));

        await host.StartAsync();

        Assert.Equal(0, reads); // a new process's store holds nothing to recover, so start-up skips the read
        await store.QueryAsync(new JobSessionQuery(), CancellationToken.None);
        Assert.Equal(1, reads);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_WithACustomStore_RecordsTheAbandonedEndThroughThatStore()
    {
        using var host = Build(b => b.UseSessionStore<RecordingSessionStore>().Configure(o => o.InstanceId = "node-a"));
        var store = (RecordingSessionStore)host.Services.GetRequiredService<IJobSessionStore>();
        var mine = RunningSession("report", "node-a");
        var other = RunningSession("report", "node-b");
        await store.RecordStartAsync(mine, CancellationToken.None);
        await store.RecordStartAsync(other, CancellationToken.None);

        await host.StartAsync();

        var ended = Assert.Single(store.Ends);
        Assert.Equal(mine.Id, ended.Id);
        Assert.Equal(JobSessionStatus.Abandoned, ended.Status);
        Assert.Equal(other.Id, Assert.Single(await store.GetRunningSessionsAsync()).Id);
        await host.StopAsync();
    }

    [Fact]
    public async Task Start_DefaultInstanceId_IsTheMachineName()
    {
        using var host = Build(_ => { });
        var store = host.Services.GetRequiredService<IJobSessionStore>();
        var mine = RunningSession("report", Environment.MachineName);
        await store.RecordStartAsync(mine, CancellationToken.None);

        await host.StartAsync();

        Assert.Empty(await store.GetRunningSessionsAsync());
        await host.StopAsync();
    }

    // ---- job activation -----------------------------------------------------------------------------------------

    [Fact]
    public async Task Run_JobRegisteredAsSingleton_UsesThatInstanceAndDoesNotDisposeIt()
    {
        var job = new SingletonJob();
        await using var host = await JobSchedulerTestHost.StartAsync(s =>
        {
            s.AddSingleton(job);
            s.AddJobScheduler().AddJob<SingletonJob>(j => j.WithName("single"));
        });

        await host.RunJobAsync("single");
        await host.RunJobAsync("single");

        Assert.Equal(2, job.Runs);
        Assert.False(job.Disposed);
    }

    [Fact]
    public async Task Run_JobRegisteredAsScoped_ComesFromTheAttemptScope()
    {
        var log = new ActivationLog();
        await using var host = await JobSchedulerTestHost.StartAsync(s =>
        {
            s.AddSingleton(log);
            s.AddScoped<ScopedJob>();
            s.AddJobScheduler().AddJob<ScopedJob>(j => j.WithName("scoped"));
        });

        await host.RunJobAsync("scoped");
        await host.RunJobAsync("scoped");

        Assert.Equal(2, log.Created.Distinct().Count());
        Assert.Equal(log.Created.OrderBy(x => x), log.Disposed.OrderBy(x => x)); // disposed by the scope
        Assert.All(log.SameAsScope, Assert.True);
    }

    [Fact]
    public async Task Run_UnregisteredJob_IsCreatedWithItsDependenciesAndDisposedAfterEachAttempt()
    {
        var log = new ActivationLog();
        await using var host = await JobSchedulerTestHost.StartAsync(s =>
        {
            s.AddSingleton(log);
            s.AddScoped<ScopedDependency>();
            s.AddJobScheduler().AddJob<FailingDisposableJob>(j => j.WithName("flaky").WithRetry(2, TimeSpan.FromSeconds(1)));
        });

        Assert.False(host.Services.GetRequiredService<IServiceProviderIsService>().IsService(typeof(FailingDisposableJob)));
        var last = await host.RunJobAsync("flaky");

        Assert.Equal(3, last.Attempt);
        Assert.Equal(3, log.Created.Distinct().Count());
        Assert.Equal(log.Created, log.Disposed);
        Assert.All(log.SameAsScope, Assert.True); // the scoped dependency came from the attempt's scope
    }

    [Fact]
    public async Task Run_UnregisteredAsyncDisposableJob_IsDisposedAsynchronously()
    {
        var log = new ActivationLog();
        await using var host = await JobSchedulerTestHost.StartAsync(s =>
        {
            s.AddSingleton(log);
            s.AddJobScheduler().AddJob<AsyncDisposableJob>(j => j.WithName("async"));
        });

        await host.RunJobAsync("async");

        Assert.Equal(log.Created, log.Disposed);
        Assert.Single(log.Created);
    }

    private static JobSession RunningSession(string job, string instanceId) => new()
    {
        Id = Guid.NewGuid(),
        JobName = job,
        ScheduledAt = Start.AddMinutes(-30),
        StartedAt = Start.AddMinutes(-30),
        Status = JobSessionStatus.Running,
        InstanceId = instanceId,
    };

    private sealed class NoopJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class SingletonJob : IJob, IDisposable
    {
        public int Runs { get; private set; }

        public bool Disposed { get; private set; }

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            Runs++;
            return Task.CompletedTask;
        }

        public void Dispose() => Disposed = true;
    }

    private sealed class ActivationLog
    {
        public ConcurrentQueue<Guid> Created { get; } = new();

        public ConcurrentQueue<Guid> Disposed { get; } = new();

        public ConcurrentQueue<bool> SameAsScope { get; } = new();
    }

    private sealed class ScopedDependency;

    private sealed class ScopedJob : IJob, IDisposable
    {
        private readonly Guid _id = Guid.NewGuid();
        private readonly ActivationLog _log;

        public ScopedJob(ActivationLog log)
        {
            _log = log;
            log.Created.Enqueue(_id);
        }

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            _log.SameAsScope.Enqueue(ReferenceEquals(this, context.Services.GetRequiredService<ScopedJob>()));
            return Task.CompletedTask;
        }

        public void Dispose() => _log.Disposed.Enqueue(_id);
    }

    private sealed class FailingDisposableJob : IJob, IDisposable
    {
        private readonly Guid _id = Guid.NewGuid();
        private readonly ActivationLog _log;
        private readonly ScopedDependency _dependency;

        public FailingDisposableJob(ActivationLog log, ScopedDependency dependency)
        {
            _log = log;
            _dependency = dependency;
            log.Created.Enqueue(_id);
        }

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            _log.SameAsScope.Enqueue(ReferenceEquals(_dependency, context.Services.GetRequiredService<ScopedDependency>()));
            throw new InvalidOperationException("boom");
        }

        public void Dispose() => _log.Disposed.Enqueue(_id);
    }

    private sealed class AsyncDisposableJob : IJob, IAsyncDisposable
    {
        private readonly Guid _id = Guid.NewGuid();
        private readonly ActivationLog _log;

        public AsyncDisposableJob(ActivationLog log)
        {
            _log = log;
            log.Created.Enqueue(_id);
        }

        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken) => Task.CompletedTask;

        public async ValueTask DisposeAsync()
        {
            await Task.Yield();
            _log.Disposed.Enqueue(_id);
        }
    }
}

/// <summary>A custom store: keeps every write, answers queries like the contract says.</summary>
internal sealed class RecordingSessionStore : IJobSessionStore
{
    private readonly object _gate = new();
    private readonly List<JobSession> _sessions = [];

    public ConcurrentQueue<JobSession> Starts { get; } = new();

    public ConcurrentQueue<JobSession> Ends { get; } = new();

    public ValueTask RecordStartAsync(JobSession session, CancellationToken cancellationToken)
    {
        Starts.Enqueue(session);
        lock (_gate)
        {
            _sessions.Add(session);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask RecordEndAsync(JobSession session, CancellationToken cancellationToken)
    {
        Ends.Enqueue(session);
        lock (_gate)
        {
            _sessions.RemoveAll(s => s.Id == session.Id);
            _sessions.Add(session);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<JobSession>> QueryAsync(JobSessionQuery query, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<JobSession> result = _sessions
                .Where(s => (query.JobName is null || s.JobName == query.JobName) && (query.Status is null || s.Status == query.Status)
                    && (query.Since is null || s.StartedAt >= query.Since))
                .Reverse()
                .OrderByDescending(s => s.StartedAt)
                .Take(query.Limit)
                .ToList();
            return ValueTask.FromResult(result);
        }
    }

    public ValueTask<int> PurgeAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return ValueTask.FromResult(_sessions.RemoveAll(s => s.EndedAt < endedBefore));
        }
    }
}
