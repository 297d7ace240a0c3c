using JobScheduler.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace JobScheduler.PostgreSql.Tests.Cluster;

/// <summary>Starts scheduler instances of one test cluster: each on its own fake clock, all on one schema of the real server.</summary>
internal sealed class ClusterNode(string connectionString, string schema, ClusterRunLog log)
{
    public static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);

    public FakeLogCollector Logs { get; } = new();

    public string Schema => schema;

    /// <summary>Starts an instance; heartbeat 5 s and timeout 30 s (the defaults) unless <paramref name="cluster"/> says otherwise.</summary>
    public Task<JobSchedulerTestHost> StartAsync(
        string instanceId,
        Action<IJobSchedulerBuilder> jobs,
        DateTimeOffset? startTime = null,
        Action<PostgreSqlClusterOptions>? cluster = null)
        => JobSchedulerTestHost.StartAsync(
            services =>
            {
                services.AddSingleton(log);
                services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(Logs)));
                services.AddHealthChecks().AddJobScheduler();
                jobs(services.AddJobScheduler()
                    .Configure(o => o.InstanceId = instanceId)
                    .UsePostgreSqlStore(connectionString, schema)
                    .UseClustering(cluster));
            },
            new JobSchedulerTestHostOptions { StartTime = startTime ?? Start, SettleTimeout = TimeSpan.FromSeconds(20) });

    /// <summary>Reads every session of the schema, oldest first, once the scheduler's batched writes have landed.</summary>
    public async Task<IReadOnlyList<JobSession>> SessionsAsync(PostgreSqlServerFixture server, Func<IReadOnlyList<JobSession>, bool> until)
    {
        await using var store = server.CreateStore(schema, connectionString);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10); // clock-ok: bounded wait for asynchronous writes
        while (true)
        {
            var sessions = (await store.QueryAsync(new JobSessionQuery { Limit = 10_000 }, CancellationToken.None)).Reverse().ToList();
            if (until(sessions) || DateTime.UtcNow > deadline)
            {
                return sessions;
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Moves every clock forward together, one heartbeat at a time, each step in the order given (the first host reaches
    /// each occurrence first). A host whose clock stands still stops sending heartbeats: to the others it looks dead.
    /// </summary>
    public static async Task LockstepAsync(TimeSpan duration, params JobSchedulerTestHost[] firstToLast)
    {
        var step = TimeSpan.FromSeconds(5);
        for (var done = TimeSpan.Zero; done < duration; done += step)
        {
            var next = duration - done < step ? duration - done : step;
            foreach (var host in firstToLast)
            {
                await host.AdvanceAsync(next);
            }
        }
    }

    public static async Task<HealthReport> HealthAsync(JobSchedulerTestHost host)
        => await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();

    public string Describe() => string.Join(Environment.NewLine, Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Information)
        .Select(r => $"{r.Level} {r.Category}: {r.Message} {r.Exception?.Message}"));
}
