using JobScheduler.Sqlite.Hosting;
using JobScheduler.Sqlite.Sessions;
using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace JobScheduler.Sqlite.Tests.Hosting;

public sealed class SqliteJobSchedulerBuilderExtensionsTests : IDisposable
{
    private readonly TempDatabase _database = new();

    // A bound on real-time waits in the tests that run a real host; never reached when things work.
    private static readonly TimeSpan RealTimeLimit = TimeSpan.FromSeconds(30);

    public void Dispose() => _database.Dispose();

    private static async Task<IHost> StartRealHostAsync(string connectionString, Action<IJobSchedulerBuilder>? jobs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        var scheduler = builder.Services.AddJobScheduler()
            .AddJob<NoopJob>(j => j.WithName("on-demand"))
            .Configure(o => o.InstanceId = "restart-test")
            .UseSqliteStore(connectionString);
        jobs?.Invoke(scheduler);
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    private static async Task<T> PollAsync<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = TimeProvider.System.GetUtcNow() + RealTimeLimit;
        while (true)
        {
            if (await probe() is { } found)
            {
                return found;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"Nothing found within {RealTimeLimit}.");
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    private sealed class NoopJob : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            context.Metadata["attempt"] = context.Attempt.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task UseSqliteStore_ReplacesTheInMemoryStore_WithOneThatKeepsOccurrencesAndTrims()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddJobScheduler().UseInMemoryStore().UseSqliteStore(_database.ConnectionString);

        await using var provider = services.BuildServiceProvider();

        Assert.Single(services, d => d.ServiceType == typeof(IJobSessionStore));
        var store = Assert.IsType<SqliteJobSessionStore>(provider.GetRequiredService<IJobSessionStore>());
        Assert.IsAssignableFrom<IJobOccurrenceStore>(store);
        Assert.IsAssignableFrom<IJobSessionRetention>(store);
    }

    [Fact]
    public void UseInMemoryStore_AfterUseSqliteStore_Wins()
    {
        var services = new ServiceCollection();
        services.AddJobScheduler().UseSqliteStore(_database.ConnectionString).UseInMemoryStore();

        var descriptor = Assert.Single(services, d => d.ServiceType == typeof(IJobSessionStore));
        Assert.NotEqual(typeof(SqliteJobSessionStore), descriptor.ImplementationType);
    }

    [Fact]
    public void UseSqliteStore_BadArguments_Throw()
    {
        var builder = new ServiceCollection().AddJobScheduler();

        Assert.Throws<ArgumentNullException>(() => builder.UseSqliteStore((string)null!));
        Assert.Throws<ArgumentException>(() => builder.UseSqliteStore(" "));
        Assert.Throws<ArgumentNullException>(() => builder.UseSqliteStore((Action<SqliteStoreOptions>)null!));
        Assert.Throws<ArgumentNullException>(() => ((IJobSchedulerBuilder)null!).UseSqliteStore("Data Source=jobs.db"));
    }

    [Theory]
    [InlineData("", 1_000, "ConnectionString")]
    [InlineData("Data Source=:memory:", 1_000, "private database")]
    [InlineData("Data Source=jobs;Mode=Memory", 1_000, "private database")]
    [InlineData("Data Source=", 1_000, "private database")]
    [InlineData("Data Source=jobs.db;Mode=ReadOnly", 1_000, "read-only")]
    [InlineData("Data Source=jobs.db;Frobnicate=yes", 1_000, "not a valid SQLite connection string")]
    [InlineData("Data Source=jobs.db", 0, "MaxBatchSize")]
    public async Task Start_InvalidOptions_FailsNamingTheProblem(string connectionString, int maxBatchSize, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => JobSchedulerTestHost.StartAsync(s => s
            .AddJobScheduler()
            .UseSqliteStore(o =>
            {
                o.ConnectionString = connectionString;
                o.MaxBatchSize = maxBatchSize;
            })));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SharedInMemoryDatabase_IsAccepted()
    {
        var options = new SqliteStoreOptions { ConnectionString = $"Data Source=jobs-{Guid.NewGuid():N};Mode=Memory;Cache=Shared" };
        Assert.True(new SqliteConnectionStringValidator().Validate(null, options).Succeeded);
        await using var store = new SqliteJobSessionStore(Options.Create(options));
        var session = new JobSession { Id = Guid.NewGuid(), JobName = "report" };

        await store.RecordStartAsync(session, CancellationToken.None);

        Assert.Equal(session.Id, Assert.Single(await store.QueryAsync(new JobSessionQuery(), CancellationToken.None)).Id);
    }

    [Fact]
    public async Task History_WrittenByOneHost_IsReadByTheNextOnTheSameFile()
    {
        var written = new List<JobSession>();
        using (var first = await StartRealHostAsync(_database.ConnectionString))
        {
            var scheduler = first.Services.GetRequiredService<IJobScheduler>();
            for (var i = 0; i < 3; i++)
            {
                var handle = await scheduler.TriggerAsync("on-demand");
                written.Add(await handle.Completion.WaitAsync(RealTimeLimit));
            }

            await first.StopAsync();
        }

        using var second = await StartRealHostAsync(_database.ConnectionString);
        var read = await second.Services.GetRequiredService<IJobSessionStore>().GetSessionsByJobAsync("on-demand");

        Assert.Equal(written.Select(s => s.Id).Reverse(), read.Select(s => s.Id));
        Assert.All(read, s =>
        {
            Assert.Equal(JobSessionStatus.Succeeded, s.Status);
            Assert.Equal(JobTrigger.Manual, s.Trigger);
            Assert.Equal("restart-test", s.InstanceId);
            Assert.Equal("1", s.Metadata["attempt"]);
        });
        await second.StopAsync();
    }

    [Fact]
    public async Task RunOnceJob_StoredOccurrenceHoursAgo_GetsOneCatchUpRunAtStart()
    {
        var now = TimeProvider.System.GetUtcNow();
        var lastFired = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-3);
        await using (var store = _database.CreateStore())
        {
            await store.RecordOccurrenceAsync("hourly", lastFired, CancellationToken.None);
        }

        using var host = await StartRealHostAsync(_database.ConnectionString, jobs => jobs
            .AddJob<NoopJob>("0 * * * *", j => j.WithName("hourly").WithMisfire(MisfirePolicy.RunOnce)));
        var store2 = host.Services.GetRequiredService<IJobSessionStore>();
        var catchUp = await PollAsync(async () =>
            (await store2.GetSessionsByJobAsync("hourly")).FirstOrDefault(s => s.Trigger == JobTrigger.CatchUp && s.Status != JobSessionStatus.Running));

        Assert.Equal(JobSessionStatus.Succeeded, catchUp.Status);
        Assert.True(catchUp.ScheduledAt > lastFired, $"catch-up for {catchUp.ScheduledAt:O}, after the stored {lastFired:O}");
        Assert.Equal(0, catchUp.ScheduledAt.Minute);
        Assert.Single(await store2.GetSessionsByJobAsync("hourly"), s => s.Trigger == JobTrigger.CatchUp);
        Assert.True(await ((IJobOccurrenceStore)store2).GetLastOccurrenceAsync("hourly", CancellationToken.None) >= catchUp.ScheduledAt);
        await host.StopAsync();
    }

    [Fact]
    public async Task History_UnderTheFakeClockTestHost_IsReadByTheNextHost()
    {
        IReadOnlyList<JobSession> written;
        await using (var first = await JobSchedulerTestHost.StartAsync(s => s
            .AddJobScheduler()
            .AddJob<NoopJob>("* * * * *", j => j.WithName("every-minute"))
            .UseSqliteStore(_database.ConnectionString)))
        {
            await first.AdvanceAsync(TimeSpan.FromMinutes(5));
            await first.StopAsync();
            written = await first.GetSessionsAsync("every-minute");
        }

        Assert.Equal(5, written.Count);
        await using var second = await JobSchedulerTestHost.StartAsync(s => s
            .AddJobScheduler()
            .AddJob<NoopJob>("* * * * *", j => j.WithName("every-minute"))
            .UseSqliteStore(_database.ConnectionString));

        Assert.Equal(written.Select(s => s.Id), (await second.GetSessionsAsync("every-minute")).Select(s => s.Id));
    }

    [Fact]
    public async Task Store_ResolvedFromAHostThatNeverStarts_ReadsHistory()
    {
        await using (var store = _database.CreateStore())
        {
            await store.RecordStartAsync(new JobSession { Id = Guid.NewGuid(), JobName = "report", InstanceId = "elsewhere" }, CancellationToken.None);
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddJobScheduler().UseSqliteStore(_database.ConnectionString);
        using var host = builder.Build();

        var sessions = await host.Services.GetRequiredService<IJobSessionStore>().GetRunningSessionsAsync();

        Assert.Equal("report", Assert.Single(sessions).JobName);
    }
}
