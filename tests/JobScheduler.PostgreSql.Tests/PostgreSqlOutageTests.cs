using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Xunit.Abstractions;

namespace JobScheduler.PostgreSql.Tests;

/// <summary>
/// The database goes down under a running scheduler (real host, real clock): jobs keep their schedule, and once the
/// server is back every session, including those that ran during the outage, reaches the database. Relies on the
/// core's bounded retry buffer for store writes.
/// </summary>
[Collection(PostgreSqlServerGroup.Name)]
public sealed class PostgreSqlOutageTests(PostgreSqlServerFixture server, ITestOutputHelper output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ServerDown_JobsKeepTheirSchedule_AndEverySessionArrivesAfterRecovery()
    {
        // A crash loses commits that synchronous_commit=off acknowledged early: this database keeps them.
        var database = await server.CreateDatabaseAsync(durableCommits: true);
        var schema = server.NewSchemaName();
        var ticks = new TickLog();
        var logs = new FakeLogCollector();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = Environments.Development });
        builder.Services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(logs)));
        builder.Services.AddSingleton(ticks);
        builder.Services.AddJobScheduler()
            .Configure(o => o.InstanceId = "outage-host")
            .AddJob<TickJob>("* * * * * *", job => job.WithName("pg-tick"))
            .UsePostgreSqlStore(database, schema);

        await using var reader = server.CreateStore(schema, database);
        using var host = builder.Build();
        var serverStopped = false;
        try
        {
            await host.StartAsync();

            // Healthy: runs land in the database.
            await WaitUntilAsync(async () => (await SucceededIdsAsync(reader)).Count >= 2, "two sessions written before the outage");

            // Outage: the server dies the way a crash would; the every-second job goes on running.
            await server.StopServerAsync();
            serverStopped = true;
            var firstDuringOutage = ticks.Count;
            await WaitUntilAsync(() => Task.FromResult(ticks.Count >= firstDuringOutage + 3), "three runs during the outage");
            await server.StartServerAsync();
            serverStopped = false;
            var duringOutage = ticks.Snapshot()[firstDuringOutage..];
            var ranBeforeRecovery = ticks.Snapshot();

            // On schedule: consecutive seconds, none missed, none doubled.
            var occurrences = duringOutage.Select(t => t.ScheduledAt).ToArray();
            Assert.All(occurrences.Zip(occurrences.Skip(1)), pair => Assert.Equal(TimeSpan.FromSeconds(1), pair.Second - pair.First));

            // Recovery: every run so far, outage included, reaches the database within a bounded wait.
            var expected = ranBeforeRecovery.Select(t => t.SessionId).ToHashSet();
            try
            {
                await WaitUntilAsync(async () => (await SucceededIdsAsync(reader)).IsSupersetOf(expected), "every session written after recovery");
            }
            catch (Xunit.Sdk.FailException)
            {
                var all = await reader.QueryAsync(new JobSessionQuery { Limit = 1000 }, CancellationToken.None);
                foreach (var t in ranBeforeRecovery)
                {
                    var s = all.FirstOrDefault(x => x.Id == t.SessionId);
                    output.WriteLine($"tick {t.SessionId} {t.ScheduledAt:HH:mm:ss} outage={duringOutage.Contains(t)} -> {(s is null ? "MISSING" : s.Status.ToString())}");
                }

                throw;
            }

            await host.StopAsync();
            var stored = await reader.QueryAsync(new JobSessionQuery { JobName = "pg-tick", Limit = 1000 }, CancellationToken.None);
            Assert.True(duringOutage.Length >= 3, $"{duringOutage.Length} runs during the outage");
            Assert.All(duringOutage, t => Assert.Contains(stored, s => s.Id == t.SessionId && s.Status == JobSessionStatus.Succeeded && s.ScheduledAt == t.ScheduledAt));
            Assert.Equal(stored.Count, stored.Select(s => s.Id).Distinct().Count());
            Assert.DoesNotContain(stored, s => s.Status == JobSessionStatus.Running);
            Assert.Equal(ticks.Count, stored.Count);
        }
        finally
        {
            if (serverStopped)
            {
                await server.StartServerAsync();
            }

            foreach (var record in logs.GetSnapshot().Where(r => r.Level >= LogLevel.Information))
            {
                output.WriteLine($"{record.Timestamp:HH:mm:ss.fff} {record.Level} {record.Category}: {record.Message} {record.Exception?.GetType().Name}: {record.Exception?.Message}");
            }
        }
    }

    private static async Task<HashSet<Guid>> SucceededIdsAsync(PostgreSql.Sessions.PostgreSqlJobSessionStore store)
    {
        var sessions = await store.QueryAsync(new JobSessionQuery { JobName = "pg-tick", Status = JobSessionStatus.Succeeded, Limit = 1000 }, CancellationToken.None);
        return sessions.Select(s => s.Id).ToHashSet();
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Bound;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not reached within {Bound}: {what}.");
            }

            await Task.Delay(100);
        }
    }

    public sealed class TickLog
    {
        private readonly ConcurrentQueue<(Guid SessionId, DateTimeOffset ScheduledAt)> _ticks = new();

        public int Count => _ticks.Count;

        public void Add(JobContext context) => _ticks.Enqueue((context.SessionId, context.ScheduledAt));

        public (Guid SessionId, DateTimeOffset ScheduledAt)[] Snapshot() => [.. _ticks];
    }

    public sealed class TickJob(TickLog log) : IJob
    {
        public Task ExecuteAsync(JobContext context, CancellationToken cancellationToken)
        {
            log.Add(context);
            return Task.CompletedTask;
        }
    }
}
